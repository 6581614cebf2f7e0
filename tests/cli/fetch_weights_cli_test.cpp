// graft-cli fetch-weights against a local server (GRAFT_WEIGHTS_BASE_URL), into KERAS_HOME.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "support/test_http_server.h"
#include "support/test_support.h"

namespace graft {
namespace {
namespace fs = std::filesystem;
using test::runCli;
using test::TestHttpServer;

std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

struct FetchCli : ::testing::Test {
  TestHttpServer server;
  test::TempDir home;
  std::vector<std::string> environment() const {
    return {"KERAS_HOME=" + home.path().string(), "GRAFT_WEIGHTS_BASE_URL=" + server.baseUrl()};
  }
  fs::path models() const { return home.path() / "models"; }
};

TEST_F(FetchCli, InstallsMobileNetWeightsAndPrintsThePath) {
  // A real MobileNet alpha 0.25 weights file in Keras's layout, written by graft-cli's exporter.
  test::TempDir work;
  const std::string exported = work.file("mobilenet.h5");
  const auto made = runCli({"export", "mobilenet", "--alpha", "0.25", "--no-top", "--input-size",
                            "128", "--format", "keras-h5", "-o", exported},
                           {"KERAS_HOME=" + work.path().string()});
  ASSERT_EQ(made.exitCode, 0) << made.err;
  server.serve("/mobilenet/mobilenet_2_5_224_tf_no_top.h5", readFile(exported));

  const auto r =
      runCli({"fetch-weights", "mobilenet", "--alpha", "0.25", "--no-top"}, environment());
  ASSERT_EQ(r.exitCode, 0) << r.err;
  const std::string installed = (models() / "mobilenet_2_5_224_tf_no_top.h5").string();
  EXPECT_EQ(r.out, installed + "\n");
  EXPECT_EQ(readFile(installed), readFile(exported));
  EXPECT_EQ(r.err.find('\r'), std::string::npos) << "no progress bar when stderr is not a terminal";
  EXPECT_NE(r.err.find(server.baseUrl() + "mobilenet/mobilenet_2_5_224_tf_no_top.h5"),
            std::string::npos)
      << r.err;

  // The zoo now finds it, and a second fetch does not touch the network.
  const auto zoo = runCli({"zoo"}, environment());
  EXPECT_NE(zoo.out.find("found: mobilenet_2_5_224_tf_no_top.h5"), std::string::npos) << zoo.out;
  const auto again =
      runCli({"fetch-weights", "mobilenet", "--alpha", "0.25", "--no-top"}, environment());
  EXPECT_EQ(again.exitCode, 0) << again.err;
  EXPECT_EQ(server.requests().size(), 1u);
}

TEST_F(FetchCli, AHashMismatchExitsOneAndInstallsNothing) {
  server.serve("/vgg16/vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5",
               test::generatedBytes(50000, 3));
  const auto r = runCli({"fetch-weights", "vgg16", "--no-top"}, environment());
  EXPECT_EQ(r.exitCode, 1);
  EXPECT_NE(r.err.find("vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5"), std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("6d6bbae143d832006294945121d1f1fc"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("nothing was installed"), std::string::npos) << r.err;
  EXPECT_TRUE(r.out.empty());
  EXPECT_TRUE(fs::is_empty(models()));
}

TEST_F(FetchCli, AMissingFileExitsOneNamingUrlAndStatus) {
  const auto r = runCli({"fetch-weights", "Xception"}, environment());
  EXPECT_EQ(r.exitCode, 1);
  EXPECT_NE(
      r.err.find(server.baseUrl() + "xception/xception_weights_tf_dim_ordering_tf_kernels.h5"),
      std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("HTTP 404"), std::string::npos) << r.err;
}

TEST_F(FetchCli, VariantsKerasDoesNotPublishAndUsageErrors) {
  const auto alpha = runCli({"fetch-weights", "mobilenet", "--alpha", "0.3"}, environment());
  EXPECT_EQ(alpha.exitCode, 2);
  EXPECT_NE(alpha.err.find("--alpha: Keras publishes mobilenet weights for alpha 0.25, 0.5, 0.75 "
                           "or 1.0, not 0.3"),
            std::string::npos)
      << alpha.err;
  EXPECT_EQ(runCli({"fetch-weights"}, environment()).exitCode, 2);
  EXPECT_EQ(runCli({"fetch-weights", "vgg16", "--include-top", "--no-top"}, environment()).exitCode,
            2);
  EXPECT_TRUE(server.requests().empty());
}

// An option the file does not depend on, or a value Keras publishes no file for, is a usage
// error naming the option and its values, as summary refuses an option the architecture lacks:
// these installed the 224 file, or the plain VGG16, without a word.
TEST_F(FetchCli, OptionsWithoutAPublishedFileAreUsageErrors) {
  const auto refused = [&](std::vector<std::string> args, const std::string& message) {
    args.insert(args.begin(), "fetch-weights");
    const auto r = runCli(args, environment());
    EXPECT_EQ(r.exitCode, 2) << args[1] << " " << args[2] << ": " << r.err;
    EXPECT_NE(r.err.find(message), std::string::npos) << r.err;
    EXPECT_TRUE(r.out.empty()) << r.out;
  };
  refused({"mobilenet", "--alpha", "0.25", "--input-size", "100", "--no-top"},
          "--input-size: Keras publishes mobilenet weights at 128, 160, 192 or 224, not 100");
  refused({"mobilenet", "--input-size", "0"}, "--input-size: expected at least 1, found 0");
  refused({"mobilenetv2", "--alpha", "0.35", "--input-size", "97"},
          "--input-size: Keras publishes mobilenetv2 weights at 96, 128, 160, 192 or 224, not 97");
  refused({"mobilenetv2", "--alpha", "0.3"},
          "--alpha: Keras publishes mobilenetv2 weights for alpha 0.35, 0.5, 0.75, 1.0, 1.3 or "
          "1.4, not 0.3");
  refused({"vgg16", "--alpha", "0.5"},
          "--alpha: vgg16: alpha (the width multiplier) is an option of MobileNet, MobileNetV2 "
          "and MobileNetV3 only");
  refused({"vgg16", "--input-size", "160", "--no-top"},
          "--input-size: vgg16's weights are one file for every input size");
  EXPECT_TRUE(server.requests().empty());
}

// A file already installed (and passing its check) is said so; no "fetching URL" for a request
// that is never made.
TEST_F(FetchCli, AnInstalledFileIsSaidSoWithoutFetching) {
  test::TempDir work;
  const std::string exported = work.file("mobilenet.h5");
  ASSERT_EQ(runCli({"export", "mobilenet", "--alpha", "0.25", "--no-top", "--input-size", "128",
                    "--format", "keras-h5", "-o", exported},
                   {"KERAS_HOME=" + work.path().string()})
                .exitCode,
            0);
  server.serve("/mobilenet/mobilenet_2_5_128_tf_no_top.h5", readFile(exported));
  const std::vector<std::string> fetch = {"fetch-weights", "mobilenet", "--alpha", "0.25",
                                          "--input-size",  "128",       "--no-top"};
  const auto first = runCli(fetch, environment());
  ASSERT_EQ(first.exitCode, 0) << first.err;
  EXPECT_NE(first.err.find("fetching " + server.baseUrl()), std::string::npos) << first.err;
  const auto again = runCli(fetch, environment());
  ASSERT_EQ(again.exitCode, 0) << again.err;
  EXPECT_EQ(again.out, first.out);
  EXPECT_EQ(server.requests().size(), 1u);
  EXPECT_EQ(again.err.find("fetching"), std::string::npos) << again.err;
  EXPECT_NE(again.err.find("mobilenet_2_5_128_tf_no_top.h5 is already installed and verified"),
            std::string::npos)
      << again.err;
}

}  // namespace
}  // namespace graft
