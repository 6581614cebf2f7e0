// graft-cli predict --gradcam: one overlay PNG per image, named after it and reported on stdout
// and in --json; a bad layer, class or folder stops before any image with a clear message.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "png_reader.h"
#include "support/test_support.h"
#include "tiny_model.h"

namespace graft::test {
namespace {

using nlohmann::json;

class GradCamCli : public ::testing::Test {
 protected:
  void SetUp() override {
    env = {"KERAS_HOME=" + dir.file("keras")};
    model = dir.file("tiny.json");
    std::ofstream(model) << kTinyModel;
  }
  // A binary PPM (P6): a gradient the overlay must change. Returns its pixels too.
  std::string writePpm(const std::string& name, int width, int height,
                       std::vector<uint8_t>* pixels = nullptr) {
    const std::string path = dir.file(name);
    std::ofstream out(path, std::ios::binary);
    out << "P6\n" << width << " " << height << "\n255\n";
    for (int i = 0; i < width * height * 3; ++i) {
      const auto v = static_cast<uint8_t>((i * 5) % 256);
      out.put(static_cast<char>(v));
      if (pixels) pixels->push_back(v);
    }
    return path;
  }
  CommandResult predict(std::vector<std::string> extra) {
    std::vector<std::string> args{"predict", model, "--seed", "3"};
    args.insert(args.end(), extra.begin(), extra.end());
    return runCli(args, env);
  }

  TempDir dir;
  std::vector<std::string> env;
  std::string model;
};

TEST_F(GradCamCli, WritesOneOverlayPerImageAtTheImageSize) {
  std::vector<uint8_t> pixels;
  const std::string a = writePpm("cat.ppm", 48, 40, &pixels);
  const std::string b = writePpm("dog.ppm", 32, 32);
  const std::string out = dir.file("cams");
  const auto r = predict({a, b, "--gradcam", "auto", "--gradcam-out", out, "--json"});
  ASSERT_EQ(r.exitCode, 0) << r.err;
  std::vector<json> lines;
  std::istringstream in(r.out);
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) lines.push_back(json::parse(line));
  ASSERT_EQ(lines.size(), 2u) << r.out;
  const json& cam = lines[0].at("gradcam");
  EXPECT_EQ(cam.at("file"), (std::filesystem::path(out) / "cat.gradcam.png").string());
  EXPECT_EQ(cam.at("layer"), "conv1");  // the tiny model's one spatial map
  EXPECT_EQ(cam.at("class"), lines[0].at("top")[0].at("index"));  // the predicted class
  EXPECT_EQ(lines[1].at("gradcam").at("file"),
            (std::filesystem::path(out) / "dog.gradcam.png").string());

  const PngImage overlay = readRgbPng(cam.at("file"));
  ASSERT_TRUE(overlay.error.empty()) << overlay.error;
  EXPECT_EQ(overlay.width, 48);
  EXPECT_EQ(overlay.height, 40);
  ASSERT_EQ(overlay.rgb.size(), pixels.size());
  size_t changed = 0;
  for (size_t i = 0; i < pixels.size(); ++i) changed += std::abs(overlay.rgb[i] - pixels[i]) > 8;
  EXPECT_GT(changed, pixels.size() / 4);  // half the colour map over every pixel
  const PngImage second = readRgbPng(lines[1].at("gradcam").at("file"));
  EXPECT_EQ(second.width, 32);
  EXPECT_EQ(second.height, 32);

  // Text output names the file too; another class by number gives another picture.
  const auto text = predict({a, "--gradcam", "conv1", "--gradcam-out", out, "--gradcam-class", "2",
                             "--gradcam-opacity", "1"});
  ASSERT_EQ(text.exitCode, 0) << text.err;
  EXPECT_NE(text.out.find("Grad-CAM (conv1, class 2): " + cam.at("file").get<std::string>()),
            std::string::npos)
      << text.out;
}

// A fully convolutional model with a free input size (Keras Applications without input_shape):
// its maps are (None, None, None, C) until it runs, and Grad-CAM takes them at the size it runs.
// They were refused as having no spatial map.
TEST_F(GradCamCli, AFreeInputSizeHasSpatialMapsWhenItRuns) {
  const std::string free = dir.file("free.json");
  std::ofstream(free) << R"({"class_name": "Sequential", "config": {"name": "free", "layers": [
  {"class_name": "InputLayer", "config": {"name": "in", "batch_input_shape": [null, null, null, 3]}},
  {"class_name": "Conv2D", "config": {"name": "conv1", "filters": 4, "kernel_size": [3, 3]}},
  {"class_name": "GlobalAveragePooling2D", "config": {"name": "pool"}},
  {"class_name": "Dense", "config": {"name": "predictions", "units": 3, "activation": "softmax"}}
]}})";
  const std::string image = writePpm("cat.ppm", 40, 30);
  const std::string out = dir.file("cams");
  for (const char* layer : {"auto", "conv1"}) {
    SCOPED_TRACE(layer);
    const auto r = runCli({"predict", free, "--seed", "3", image, "--input-size", "32", "--gradcam",
                           layer, "--gradcam-out", out, "--json"},
                          env);
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const json cam = json::parse(r.out).at("gradcam");
    EXPECT_EQ(cam.at("layer"), "conv1");
    const PngImage overlay = readRgbPng(cam.at("file"));
    ASSERT_TRUE(overlay.error.empty()) << overlay.error;
    EXPECT_EQ(overlay.width, 40);
    EXPECT_EQ(overlay.height, 30);
  }
  // The map is of the prediction printed: computed at --input-size (it was always at 224), and
  // of the class predicted at that size.
  std::map<std::string, std::string> overlays;
  for (const std::string size : {"32", "64"}) {
    const std::string folder = dir.file("cams" + size);
    const auto r = runCli({"predict", free, "--seed", "3", image, "--input-size", size, "--gradcam",
                           "auto", "--gradcam-out", folder, "--json"},
                          env);
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const json said = json::parse(r.out);
    EXPECT_EQ(said.at("gradcam").at("class"), said.at("top").at(0).at("index")) << r.out;
    std::ifstream png(said.at("gradcam").at("file").get<std::string>(), std::ios::binary);
    overlays[size] = std::string(std::istreambuf_iterator<char>(png), {});
  }
  EXPECT_NE(overlays["32"], overlays["64"]) << "the maps of both sizes are the same image";
}

// summary --expand lists a Teachable Machine file's base as "model1 (Functional)": named for
// Grad-CAM, it says which layer to name (it said "no such layer").
TEST_F(GradCamCli, ANestedModelsNameSaysWhichLayerToName) {
  GRAFT_REQUIRE_FIXTURE(teachable, "keras3/k2_teachable_mobilenetv2_035_transfer__keras2.4.0.h5");
  const std::string image = writePpm("cat.ppm", 40, 30);
  const auto r = runCli(
      {"predict", teachable, image, "--gradcam", "model1", "--gradcam-out", dir.file("cams")}, env);
  EXPECT_EQ(r.exitCode, 1) << r.err;
  EXPECT_NE(r.err.find("model1: is a nested model (Functional) of"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("name its output layer 'out_relu'"), std::string::npos) << r.err;
}

TEST_F(GradCamCli, BadLayerClassOrFolderFailsNamingIt) {
  const std::string a = writePpm("a.ppm", 16, 16);
  const std::string out = dir.file("cams");
  const auto unknown = predict({a, "--gradcam", "block9_conv", "--gradcam-out", out});
  EXPECT_EQ(unknown.exitCode, 1);
  EXPECT_NE(unknown.err.find("block9_conv"), std::string::npos) << unknown.err;
  EXPECT_NE(unknown.err.find("no such layer"), std::string::npos) << unknown.err;
  EXPECT_TRUE(unknown.out.empty()) << unknown.out;  // nothing predicted before the check

  const auto flat = predict({a, "--gradcam", "pool", "--gradcam-out", out});
  EXPECT_EQ(flat.exitCode, 1);
  EXPECT_NE(flat.err.find("pool"), std::string::npos) << flat.err;
  EXPECT_NE(flat.err.find("spatial map"), std::string::npos) << flat.err;

  const auto badClass =
      predict({a, "--gradcam", "auto", "--gradcam-out", out, "--gradcam-class", "7"});
  EXPECT_EQ(badClass.exitCode, 1);
  EXPECT_NE(badClass.err.find("'7'"), std::string::npos) << badClass.err;

  // A folder that cannot be made (a file is in the way), even for root.
  const std::string file = dir.file("plain.txt");
  std::ofstream(file) << "x";
  const std::string blocked = file + "/cams";
  const auto notWritable = predict({a, "--gradcam", "auto", "--gradcam-out", blocked});
  EXPECT_EQ(notWritable.exitCode, 1);
  EXPECT_NE(notWritable.err.find(blocked), std::string::npos) << notWritable.err;
  EXPECT_NE(notWritable.err.find("cannot hold the Grad-CAM overlays"), std::string::npos)
      << notWritable.err;

  // One option without its partner is a usage error (exit 2), as a missing option is.
  const auto alone = predict({a, "--gradcam", "auto"});
  EXPECT_EQ(alone.exitCode, 2);
  EXPECT_NE(alone.err.find("--gradcam-out"), std::string::npos) << alone.err;
  const auto outAlone = predict({a, "--gradcam-out", out});
  EXPECT_EQ(outAlone.exitCode, 2);
  EXPECT_NE(outAlone.err.find("--gradcam"), std::string::npos) << outAlone.err;
  EXPECT_EQ(predict({a, "--gradcam-class", "1"}).exitCode, 2);

  // A base without its classifier has no class scores to explain: refused before any image.
  const auto noTop = runCli({"predict", "mobilenet", "--alpha", "0.25", "--input-size", "32",
                             "--no-top", a, "--gradcam", "auto", "--gradcam-out", out, "-q"});
  EXPECT_EQ(noTop.exitCode, 1);
  EXPECT_NE(noTop.err.find("vector of class scores"), std::string::npos) << noTop.err;
  EXPECT_TRUE(noTop.out.empty()) << noTop.out;
}

}  // namespace
}  // namespace graft::test
