// Downloads of weight files against a local HTTP server: what gets installed in the cache, what
// is resumed, and what a failure leaves behind (only verified files under their real name).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "graph/diagnostic.h"
#include "io/fetch/fetch_weights.h"
#include "support/test_http_server.h"
#include "support/test_support.h"

namespace graft {
namespace {
namespace fs = std::filesystem;
using test::TestHttpServer;

std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

void writeFile(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

// An independent hash: coreutils' sha256sum / md5sum on the served bytes.
std::string coreutilsDigest(const std::string& tool, const std::string& bytes) {
  test::TempDir dir;
  writeFile(dir.file("bytes"), bytes);
  const auto r = test::runProgram("/usr/bin/" + tool, {dir.file("bytes")});
  EXPECT_EQ(r.exitCode, 0) << r.err;
  return r.out.substr(0, r.out.find(' '));
}

std::vector<std::string> filesIn(const fs::path& dir) {
  std::vector<std::string> names;
  if (!fs::exists(dir)) return names;
  for (const auto& entry : fs::directory_iterator(dir)) names.push_back(entry.path().filename());
  std::sort(names.begin(), names.end());
  return names;
}

struct FetchFixture : ::testing::Test {
  TestHttpServer server;
  test::TempDir home;
  std::string body = test::generatedBytes(300 * 1024 + 17, 7);
  fetch::FetchRequest request;

  void SetUp() override {
    server.serve("/weights/test_weights.h5", body);
    request.url = server.baseUrl() + "weights/test_weights.h5";
    request.cacheDir = (home.path() / "models").string();  // not there yet: created on demand
    request.fileName = "test_weights.h5";
    request.expectedHash = coreutilsDigest("sha256sum", body);
  }
  std::string target() const { return request.cacheDir + "/" + request.fileName; }
};

TEST_F(FetchFixture, DownloadsVerifiesAndInstallsUnderTheCacheName) {
  std::vector<fetch::DownloadProgress> reports;
  const auto result = fetch::fetchWeights(
      request, [&](const fetch::DownloadProgress& p) { reports.push_back(p); }, nullptr);
  EXPECT_EQ(result.path, target());
  EXPECT_FALSE(result.alreadyInstalled);
  EXPECT_EQ(result.check, "sha256 " + request.expectedHash);
  EXPECT_EQ(readFile(target()), body);
  EXPECT_EQ(filesIn(request.cacheDir), std::vector<std::string>{"test_weights.h5"});
  ASSERT_FALSE(reports.empty());
  EXPECT_EQ(reports.back().received, static_cast<int64_t>(body.size()));
  EXPECT_EQ(reports.back().total, static_cast<int64_t>(body.size()));
  ASSERT_EQ(server.requests().size(), 1u);
  EXPECT_EQ(server.requests()[0].range, "");
}

TEST_F(FetchFixture, AnInstalledFileIsNotFetchedAgain) {
  fetch::fetchWeights(request, {}, nullptr);
  const auto again = fetch::fetchWeights(request, {}, nullptr);
  EXPECT_TRUE(again.alreadyInstalled);
  EXPECT_EQ(server.requests().size(), 1u);  // no network access the second time
}

// An installed file is checked as a download is: a truncated one is downloaded again and
// replaced (it used to be called installed, and the model then would not open); when the
// download fails too, the message says the installed file is damaged and what to do.
TEST_F(FetchFixture, ADamagedInstalledFileIsReplaced) {
  fs::create_directories(request.cacheDir);
  writeFile(target(), body.substr(0, 1000));
  const auto result = fetch::fetchWeights(request, {}, nullptr);
  EXPECT_FALSE(result.alreadyInstalled);
  EXPECT_NE(result.replacedDamaged.find(target() + ", which has sha256 "), std::string::npos)
      << result.replacedDamaged;
  EXPECT_EQ(readFile(target()), body);
  EXPECT_EQ(server.requests().size(), 1u);

  writeFile(target(), "junk");
  request.url = server.baseUrl() + "weights/gone.h5";  // a 404
  try {
    fetch::fetchWeights(request, {}, nullptr);
    FAIL() << "a damaged file passed for installed";
  } catch (const Error& e) {
    const std::string message = e.what();
    EXPECT_EQ(message.rfind(target() + " is in the Keras cache but has sha256 ", 0), 0u) << message;
    EXPECT_NE(message.find("downloading it again failed"), std::string::npos) << message;
    EXPECT_NE(message.find("delete the file"), std::string::npos) << message;
  }
  EXPECT_EQ(readFile(target()), "junk");  // left as it was: nothing better arrived
}

TEST_F(FetchFixture, Md5HashesAreCheckedToo) {
  request.expectedHash = coreutilsDigest("md5sum", body);
  const auto result = fetch::fetchWeights(request, {}, nullptr);
  EXPECT_EQ(result.check, "md5 " + request.expectedHash);
  EXPECT_EQ(readFile(target()), body);
}

TEST_F(FetchFixture, ResumesAPartialFileWithARangeRequest) {
  fs::create_directories(request.cacheDir);
  const size_t half = body.size() / 2;
  writeFile(fetch::partialPath(request), body.substr(0, half));
  std::vector<fetch::DownloadProgress> reports;
  fetch::fetchWeights(
      request, [&](const fetch::DownloadProgress& p) { reports.push_back(p); }, nullptr);
  EXPECT_EQ(readFile(target()), body);
  const auto requests = server.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].range, "bytes=" + std::to_string(half) + "-");
  ASSERT_FALSE(reports.empty());
  EXPECT_EQ(reports.back().resumedFrom, static_cast<int64_t>(half));
  EXPECT_EQ(reports.back().received, static_cast<int64_t>(body.size()));
  EXPECT_EQ(filesIn(request.cacheDir), std::vector<std::string>{"test_weights.h5"});
}

TEST_F(FetchFixture, AServerIgnoringTheRangeStartsTheFileOver) {
  server.setMode(TestHttpServer::Mode::IgnoreRange);
  fs::create_directories(request.cacheDir);
  writeFile(fetch::partialPath(request), std::string(1000, 'x'));  // not even the right bytes
  fetch::fetchWeights(request, {}, nullptr);
  EXPECT_EQ(readFile(target()), body);
}

TEST_F(FetchFixture, APartialFileLargerThanTheFileIsStartedOver) {
  fs::create_directories(request.cacheDir);
  writeFile(fetch::partialPath(request), body + "trailing");
  fetch::fetchWeights(request, {}, nullptr);
  EXPECT_EQ(readFile(target()), body);
  const auto requests = server.requests();
  ASSERT_EQ(requests.size(), 2u);  // 416, then the whole file
  EXPECT_EQ(requests[1].range, "");
}

TEST_F(FetchFixture, AWrongHashInstallsNothingAndNamesFileAndBothHashes) {
  const std::string actual = request.expectedHash;
  request.expectedHash = coreutilsDigest("sha256sum", "some other file");
  try {
    fetch::fetchWeights(request, {}, nullptr);
    FAIL() << "a download with the wrong hash was accepted";
  } catch (const Error& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("test_weights.h5"), std::string::npos) << message;
    EXPECT_NE(message.find(request.expectedHash), std::string::npos) << message;
    EXPECT_NE(message.find(actual), std::string::npos) << message;
    EXPECT_NE(message.find("sha256"), std::string::npos) << message;
  }
  EXPECT_TRUE(filesIn(request.cacheDir).empty());  // neither the file nor its .part
}

TEST_F(FetchFixture, ADroppedConnectionInstallsNothingAndTheNextFetchResumes) {
  server.setMode(TestHttpServer::Mode::DropMidway);
  try {
    fetch::fetchWeights(request, {}, nullptr);
    FAIL() << "a truncated download was accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("closed the connection"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find(request.url), std::string::npos) << e.what();
  }
  EXPECT_FALSE(fs::exists(target()));
  EXPECT_EQ(filesIn(request.cacheDir), std::vector<std::string>{"test_weights.h5.part"});
  const auto kept = fs::file_size(fetch::partialPath(request));
  EXPECT_GT(kept, 0u);
  EXPECT_LT(kept, body.size());

  server.setMode(TestHttpServer::Mode::Serve);
  fetch::fetchWeights(request, {}, nullptr);
  EXPECT_EQ(readFile(target()), body);
  EXPECT_EQ(server.requests().back().range, "bytes=" + std::to_string(kept) + "-");
}

TEST_F(FetchFixture, NotFoundNamesTheUrlAndTheStatus) {
  server.setMode(TestHttpServer::Mode::NotFound);
  try {
    fetch::fetchWeights(request, {}, nullptr);
    FAIL() << "a 404 was accepted";
  } catch (const Error& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find(request.url), std::string::npos) << message;
    EXPECT_NE(message.find("HTTP 404"), std::string::npos) << message;
  }
  EXPECT_TRUE(filesIn(request.cacheDir).empty());
}

TEST_F(FetchFixture, AStalledServerTimesOut) {
  server.setMode(TestHttpServer::Mode::Stall);
  request.download.stallSeconds = 1;
  try {
    fetch::fetchWeights(request, {}, nullptr);
    FAIL() << "a stalled download returned";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("stopped sending"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(fs::exists(target()));
}

TEST_F(FetchFixture, ASecondDownloadOfTheSameFileIsRefusedWhileTheFirstRuns) {
  fs::create_directories(request.cacheDir);
  // What a running download holds: an exclusive lock on the .part.
  const int held = ::open(fetch::partialPath(request).c_str(), O_WRONLY | O_CREAT, 0644);
  ASSERT_GE(held, 0);
  struct flock whole = {};
  whole.l_type = F_WRLCK;
  whole.l_whence = SEEK_SET;
  ASSERT_EQ(::fcntl(held, F_OFD_SETLK, &whole), 0);
  try {
    fetch::fetchWeights(request, {}, nullptr);
    FAIL() << "a second download of the same file was started";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("another download"), std::string::npos) << e.what();
  }
  EXPECT_TRUE(server.requests().empty());
  ::close(held);
  fetch::fetchWeights(request, {}, nullptr);  // once released, it goes ahead
  EXPECT_EQ(readFile(target()), body);
}

TEST_F(FetchFixture, CancellingKeepsThePartialFileAndInstallsNothing) {
  std::atomic<bool> cancel{true};
  EXPECT_THROW(fetch::fetchWeights(request, {}, &cancel), fetch::DownloadCancelled);
  EXPECT_FALSE(fs::exists(target()));
}

TEST_F(FetchFixture, WithoutAPublishedHashTheFileMustReadAsThatArchitecture) {
  request.expectedHash.clear();
  request.expectedArchitecture = "mobilenet";
  try {
    fetch::fetchWeights(request, {}, nullptr);
    FAIL() << "random bytes were accepted as MobileNet weights";
  } catch (const Error& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("test_weights.h5"), std::string::npos) << message;
    EXPECT_NE(message.find("cannot be read as Keras weights"), std::string::npos) << message;
  }
  EXPECT_TRUE(filesIn(request.cacheDir).empty());
}

TEST(FetchKerasFiles, TheMobileNetFixturePassesTheCheckForItsCatalogueEntry) {
  GRAFT_REQUIRE_FIXTURE(file, "keras/mobilenet_2_5_224_tf_no_top.h5");
  TestHttpServer server;
  test::TempDir home;
  zoo::ZooOptions options;
  options.architecture = "mobilenet";
  options.alpha = 0.25;
  options.includeTop = false;
  const auto request = fetch::zooFetchRequest(options, home.file("models"), server.baseUrl());
  server.serve("/mobilenet/mobilenet_2_5_224_tf_no_top.h5", readFile(file));
  const auto result = fetch::fetchWeights(request, {}, nullptr);
  EXPECT_EQ(result.path, home.file("models") + "/mobilenet_2_5_224_tf_no_top.h5");
  EXPECT_EQ(readFile(result.path), readFile(file));

  // The same bytes under another architecture's name are refused.
  test::TempDir other;
  auto wrong = request;
  wrong.cacheDir = other.file("models");
  wrong.expectedArchitecture = "xception";
  EXPECT_THROW(fetch::fetchWeights(wrong, {}, nullptr), Error);
  EXPECT_TRUE(filesIn(wrong.cacheDir).empty());

  // ... and so are they for another width or with the top: a wrong file would otherwise stay
  // in the cache for good (installed files are not fetched again).
  for (const auto& [alpha, top] : {std::pair<double, bool>{0.5, false}, {0.25, true}}) {
    zoo::ZooOptions variant = options;
    variant.alpha = alpha;
    variant.includeTop = top;
    test::TempDir cache;
    auto mislabelled = fetch::zooFetchRequest(variant, cache.file("models"), server.baseUrl());
    server.serve("/mobilenet/" + mislabelled.fileName, readFile(file));
    try {
      fetch::fetchWeights(mislabelled, {}, nullptr);
      ADD_FAILURE() << mislabelled.fileName << " was installed from alpha 0.25 no-top bytes";
    } catch (const Error& e) {
      const std::string message = e.what();
      EXPECT_NE(
          message.find(top ? "without the classification top" : "alpha 0.25, expected alpha 0.5"),
          std::string::npos)
          << message;
    }
    EXPECT_TRUE(filesIn(mislabelled.cacheDir).empty()) << mislabelled.fileName;
  }
}

}  // namespace
}  // namespace graft
