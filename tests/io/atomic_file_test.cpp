// The checked writers every save goes through: what they write reads back byte for byte, and a
// full disk is an error naming the file, what was written and the system's reason — while the
// writer's own stream stays good (LibTorch's ZIP writer ended the process when it did not).
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "graph/diagnostic.h"
#include "io/atomic_file.h"
#include "support/test_support.h"

namespace graft {
namespace {

std::string readAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Bytes that differ from position to position, so a piece written twice or out of order shows.
std::string pattern(size_t size, int seed) {
  std::string s(size, '\0');
  for (size_t i = 0; i < size; ++i) s[i] = char((i * 131 + size_t(seed) * 7) % 251);
  return s;
}

TEST(AtomicFile, AStreamedFileReadsBackAsWrittenInSmallAndLargePieces) {
  test::TempDir dir;
  const std::string file = dir.file("out.bin");
  // Pieces smaller than, equal to around and larger than the writer's 1 MiB buffer.
  const std::string small = pattern(1000, 1), large = pattern(3u << 20, 2),
                    edge = pattern(1u << 20, 3);
  writeStreamed(
      file,
      [&](std::ostream& out) {
        out.write(small.data(), std::streamsize(small.size()));
        out.put('x');
        out.write(large.data(), std::streamsize(large.size()));
        out.write(edge.data(), std::streamsize(edge.size()));
        out << "end";
      },
      "", "the test file");
  EXPECT_EQ(readAll(file), small + "x" + large + edge + "end");

  writeBytes(file, "short", "", "the test file");  // truncates what was there
  EXPECT_EQ(readAll(file), "short");
}

TEST(AtomicFile, AFullDiskIsAnErrorWithItsReasonWhileTheWritersStreamStaysGood) {
  if (!std::filesystem::exists("/dev/full")) GTEST_SKIP() << "no /dev/full here";
  bool goodThroughout = true;
  try {
    writeStreamed(
        "/dev/full",
        [&](std::ostream& out) {
          const std::string piece = pattern(4096, 4);
          for (int i = 0; i < 1000; ++i) {
            out.write(piece.data(), std::streamsize(piece.size()));
            goodThroughout = goodThroughout && out.good();
          }
          out.flush();
          goodThroughout = goodThroughout && out.good();
        },
        "model.pt", "the TorchScript file");
    ADD_FAILURE() << "a write to /dev/full succeeded";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()),
              "model.pt: cannot write the TorchScript file: No space left on device");
  }
  EXPECT_TRUE(goodThroughout);

  try {
    writeBytes("/dev/full", pattern(10, 5), "", "the ONNX file");
    ADD_FAILURE() << "a write to /dev/full succeeded";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), "cannot write the ONNX file: No space left on device");
  }
}

TEST(AtomicFile, AWritersOwnErrorPassesThroughAndTheSaveLeavesNothing) {
  test::TempDir dir;
  const std::string target = dir.file("model.onnx");
  std::ofstream(target) << "previous";
  try {
    writeAtomically(target, [&](const std::string& temporary) {
      writeStreamed(
          temporary,
          [](std::ostream& out) {
            out << "half";
            throw Error("the model could not be serialised");
          },
          "", "the ONNX file");
    });
    ADD_FAILURE() << "the save succeeded";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), target +
                                         ": not saved (any previous file is unchanged): the model "
                                         "could not be serialised");
  }
  EXPECT_EQ(readAll(target), "previous");
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.path()),
                          std::filesystem::directory_iterator()),
            1);
}

// A private model stays private when it is saved again (the new file was 0644 whatever the old
// one's permissions); a file the user may not write is not replaced, though the folder would let
// a rename do it.
TEST(AtomicFile, ASaveKeepsTheReplacedFilesPermissionsAndLeavesReadOnlyFiles) {
  namespace fs = std::filesystem;
  test::TempDir dir;
  const std::string target = dir.file("private.graft");
  std::ofstream(target) << "previous";
  fs::permissions(target, fs::perms::owner_read | fs::perms::owner_write);
  const auto save = [&](const std::string& text) {
    writeAtomically(target,
                    [&](const std::string& temporary) { std::ofstream(temporary) << text; });
  };
  save("new");
  EXPECT_EQ(readAll(target), "new");
  EXPECT_EQ(fs::status(target).permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write);
  fs::permissions(target, fs::perms::owner_read | fs::perms::group_read);
  if (::geteuid() == 0) GTEST_SKIP() << "root may write any file";
  EXPECT_NE(cannotReplace(target).find("private.graft is read-only"), std::string::npos);
  EXPECT_THROW(save("newer"), Error);
  EXPECT_EQ(readAll(target), "new");
}

}  // namespace
}  // namespace graft
