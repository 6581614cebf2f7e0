// Hostile files given to graft-cli (issue #10): a JSON file nested a million levels deep used to
// crash edit (recipe), train (plan) and run (pipeline) with SIGSEGV; now each exits 1 naming it.
#include <gtest/gtest.h>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "support/test_support.h"
#include "support/tiff_bytes.h"
#include "tiny_model.h"

namespace graft {
namespace {

using test::runCli;
using test::TempDir;

std::string writeDeeplyNested(const TempDir& dir, const std::string& name) {
  const std::string path = dir.file(name);
  constexpr size_t depth = 1'000'000;
  std::ofstream(path) << std::string(depth, '[') << std::string(depth, ']');
  return path;
}

void expectRefused(const test::CommandResult& r, const std::string& path) {
  EXPECT_EQ(r.exitCode, 1) << r.err;
  EXPECT_NE(r.err.find(path + " is nested more than 128 levels deep"), std::string::npos) << r.err;
}

TEST(HostileInputsCli, DeeplyNestedRecipeExits1) {
  TempDir dir;
  const std::string recipe = writeDeeplyNested(dir, "deep.recipe.json");
  expectRefused(runCli({"edit", "vgg16", "--recipe", recipe, "-o", dir.file("out.graft")}), recipe);
}

TEST(HostileInputsCli, DeeplyNestedPlanExits1) {
  TempDir dir;
  const std::string plan = writeDeeplyNested(dir, "deep.plan.json");
  expectRefused(runCli({"train", "vgg16", "--data", dir.path().string(), "--plan", plan, "-o",
                        dir.file("out.graft")}),
                plan);
}

TEST(HostileInputsCli, DeeplyNestedPipelineExits1) {
  TempDir dir;
  const std::string pipeline = writeDeeplyNested(dir, "deep.pipeline.json");
  expectRefused(runCli({"run", pipeline}), pipeline);
}

// A key written twice in one object was taken silently, the last one winning: a recipe's
// operation with two "layer" keys edited the second layer only.
TEST(HostileInputsCli, AKeyWrittenTwiceInARecipeOrPipelineExits1NamingIt) {
  TempDir dir;
  const std::string recipe = dir.file("twice.recipe.json");
  std::ofstream(recipe) << R"({"graft_recipe": 1, "operations": [
      {"op": "freeze", "layers": ["block1_conv1"]},
      {"op": "remove", "layer": "fc1", "layer": "fc2"}]})";
  const std::string out = dir.file("out.graft");
  auto r = runCli({"edit", "vgg16", "--recipe", recipe, "-o", out});
  EXPECT_EQ(r.exitCode, 1) << r.err;
  EXPECT_NE(r.err.find(recipe + R"(: $.operations[1] has the key "layer" twice)"),
            std::string::npos)
      << r.err;
  EXPECT_FALSE(std::filesystem::exists(out));

  const std::string pipeline = dir.file("twice.pipeline.json");
  std::ofstream(pipeline) << R"({"graft_pipeline": 1, "model": "vgg16", "model": "mobilenet",
                                 "export": {"format": "graft", "output": "x.graft"}})";
  r = runCli({"run", pipeline});
  EXPECT_EQ(r.exitCode, 1) << r.err;
  EXPECT_NE(r.err.find(pipeline + R"(: $ has the key "model" twice)"), std::string::npos) << r.err;
}

// A number beyond double's range (found by fuzz_recipe) ended graft-cli with std::terminate.
TEST(HostileInputsCli, PlanWithANumberOutOfRangeExits1) {
  TempDir dir;
  const std::string plan = dir.file("huge.plan.json");
  std::ofstream(plan) << R"({"graft_plan": 1, "stages": [{"epochs": 1e7000}]})";
  const auto r = runCli({"train", "vgg16", "--data", dir.path().string(), "--plan", plan, "-o",
                         dir.file("out.graft")});
  EXPECT_EQ(r.exitCode, 1) << r.err;
  EXPECT_NE(r.err.find(plan + ": not valid JSON"), std::string::npos) << r.err;
}

// A damaged HDF5 file is refused with Graft's one line: HDF5's own error stack and its exit
// message ("HDF5: infinite loop closing library", after it refused a damaged root header) are
// not the user's business.
TEST(HostileInputsCli, ADamagedHdf5FileGetsOneLineAndNothingFromHdf5) {
  const std::filesystem::path dir = test::sourceDir() + "/tests/fuzz/regressions";
  int checked = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    const std::string path = entry.path().string();
    SCOPED_TRACE(path);
    const test::CommandResult r = runCli({"summary", path});
    EXPECT_EQ(r.exitCode, 1) << r.err;
    EXPECT_EQ(r.err.rfind("graft-cli: error: ", 0), 0u) << r.err;
    EXPECT_NE(r.err.find(path + ": "), std::string::npos) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_EQ(r.err.find("HDF5:"), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find("HDF5-DIAG"), std::string::npos) << r.err;
    ++checked;
  }
  EXPECT_GE(checked, 4);
}

// A float32 TIFF (one channel, as numpy and PIL's mode F write it): OpenCV printed its own line
// ("imdecode_(''): can't read data: OpenCV(4.6.0) ... grfmt_tiff.cpp", or a "[ WARN" one)
// before Graft's. stderr holds Graft's lines alone, the first naming the file and what it reads.
TEST(HostileInputsCli, AFloatTiffGetsGraftsMessageAndNothingFromOpenCv) {
  TempDir dir;
  const std::string model = dir.file("tiny.json");
  std::ofstream(model) << test::kTinyModel;
  const std::string image = dir.file("depth.tif");
  const std::vector<unsigned char> bytes = test::floatTiff(8, 8, 1);
  std::ofstream(image, std::ios::binary)
      .write(reinterpret_cast<const char*>(bytes.data()),
             static_cast<std::streamsize>(bytes.size()));
  const test::CommandResult r = runCli({"predict", model, image, "-q"});
  EXPECT_EQ(r.exitCode, 1) << r.err;
  EXPECT_EQ(r.err, "graft-cli: skipped: " + image +
                       ": a TIFF of 32-bit floating-point samples in 1 channel, which Graft cannot "
                       "read; expected a TIFF of 8- or 16-bit samples (gray, RGB or RGBA), or of "
                       "floats in SGI LogLuv (as OpenCV writes them)\n"
                       "graft-cli: error: 1 of 1 images could not be predicted\n");
  EXPECT_EQ(r.err.find("[ WARN"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("imdecode_"), std::string::npos) << r.err;
}

// A PNG chunk whose CRC fails: libpng printed "libpng error: IDAT: CRC error" on stderr before
// Graft's line (a critical chunk: OpenCV cannot read the file), or "libpng warning: tEXt: CRC
// error" (an ancillary chunk libpng drops: OpenCV reads the image). Now the first gets Graft's
// line alone, naming the file and the chunk, and the second is read silently.
TEST(HostileInputsCli, APngChunkWhoseCrcFailsGetsGraftsMessageAloneOrIsReadSilently) {
  TempDir dir;
  const std::string model = dir.file("tiny.json");
  std::ofstream(model) << test::kTinyModel;
  cv::Mat noise(8, 8, CV_8UC3);
  cv::randu(noise, 0, 256);
  std::vector<uchar> png;
  ASSERT_TRUE(cv::imencode(".png", noise, png));
  const auto write = [&](const std::string& name, const std::vector<uchar>& bytes) {
    std::ofstream(dir.file(name), std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()),
               static_cast<std::streamsize>(bytes.size()));
    return dir.file(name);
  };
  std::vector<uchar> damaged = png;
  damaged[33 + 8 + (damaged[35] << 8 | damaged[36]) + 3] ^= 1;  // IDAT's CRC
  const std::string bad = write("bad.png", damaged);
  const test::CommandResult refused = runCli({"predict", model, bad, "-q"});
  EXPECT_EQ(refused.exitCode, 1) << refused.err;
  EXPECT_EQ(refused.err, "graft-cli: skipped: " + bad +
                             ": the PNG is truncated or corrupt (its IDAT chunk at byte 33 fails "
                             "its CRC check)\n"
                             "graft-cli: error: 1 of 1 images could not be predicted\n");

  std::vector<uchar> annotated = png;
  const std::vector<uchar> text = {0, 0, 0, 4, 't', 'E', 'X', 't', 'a', '\0', 'b', 'c', 9, 9, 9, 9};
  annotated.insert(annotated.begin() + 33, text.begin(), text.end());
  const std::string read = write("annotated.png", annotated);
  const test::CommandResult predicted = runCli({"predict", model, read, "-q"});
  EXPECT_EQ(predicted.exitCode, 0) << predicted.err;
  EXPECT_EQ(predicted.err, "");
  write("annotated.png", png);  // the same path, without the tEXt chunk: the same prediction
  EXPECT_EQ(predicted.out, runCli({"predict", model, read, "-q"}).out);
}

// Cut-off PNG, BMP and PPM files (the first half of one OpenCV wrote): libpng printed "libpng
// error: PNG input buffer is incomplete" and OpenCV "imdecode_(''): can't read data: ..." on
// stderr before Graft's line. predict, eval and train now print Graft's lines alone, each cut
// file named with what is wrong with it.
TEST(HostileInputsCli, ACutOffPngBmpOrPpmGetsGraftsMessageAndNothingFromLibpngOrOpenCv) {
  TempDir dir;
  const std::string model = dir.file("tiny.json");
  std::ofstream(model) << test::kTinyModel;
  const std::string data = dir.file("shapes");
  ASSERT_EQ(runCli({"sample-data", data, "--images-per-class", "12"}).exitCode, 0);
  cv::Mat noise(40, 50, CV_8UC3);
  cv::randu(noise, 0, 256);
  const std::vector<std::pair<std::string, std::string>> cuts = {
      {"circle/cut.png", "PNG"}, {"square/cut.bmp", "BMP"}, {"triangle/cut.ppm", "PPM"}};
  std::vector<std::string> files;
  for (const auto& [name, format] : cuts) {
    std::vector<uchar> bytes;
    ASSERT_TRUE(cv::imencode(name.substr(name.rfind('.')), noise, bytes));
    files.push_back(data + "/" + name);
    std::ofstream(files.back(), std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()),
               static_cast<std::streamsize>(bytes.size() / 2));
  }
  const auto expectGraftsLinesAlone = [&](const test::CommandResult& r, const std::string& lead) {
    std::istringstream lines(r.err);
    for (std::string line; std::getline(lines, line);)  // Graft's, or train's epoch lines
      EXPECT_TRUE(line.rfind("graft-cli: ", 0) == 0 || line.rfind("epoch ", 0) == 0) << line;
    for (size_t i = 0; i < cuts.size(); ++i)
      EXPECT_NE(r.err.find("graft-cli: " + lead + files[i] + ": the " + cuts[i].second +
                           " is truncated or corrupt ("),
                std::string::npos)
          << r.err;
    EXPECT_EQ(r.err.find("libpng"), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find("imdecode_"), std::string::npos) << r.err;
  };
  const test::CommandResult predicted = runCli({"predict", model, files[0], files[1], files[2]});
  EXPECT_EQ(predicted.exitCode, 1) << predicted.err;
  EXPECT_NE(predicted.err.find("graft-cli: error: 3 of 3 images could not be predicted"),
            std::string::npos)
      << predicted.err;
  expectGraftsLinesAlone(predicted, "skipped: ");
  const test::CommandResult evaluated = runCli({"eval", model, "--data", data});
  EXPECT_EQ(evaluated.exitCode, 0) << evaluated.err;
  expectGraftsLinesAlone(evaluated, "skipped unreadable file: ");
  const test::CommandResult trained = runCli({"train", model, "--data", data, "--epochs", "1",
                                              "--val-split", "0", "-o", dir.file("o.h5")});
  EXPECT_EQ(trained.exitCode, 0) << trained.err;
  expectGraftsLinesAlone(trained, "skipped unreadable file: ");
}

}  // namespace
}  // namespace graft
