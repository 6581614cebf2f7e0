// graft-cli predict: the contract of DESIGN.md "Command line" — JSON lines, top-K, labels,
// unreadable images named and skipped with exit 1 at the end, real fixtures classified.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "support/test_support.h"
#include "tiny_model.h"

namespace graft::test {
namespace {

using nlohmann::json;

// This target does not link OpenCV: a binary PPM (P6), which OpenCV reads, is easy to write.
std::string writePpm(const TempDir& dir, const std::string& name, int width, int height,
                     unsigned char seed) {
  const std::string path = dir.file(name);
  std::ofstream out(path, std::ios::binary);
  out << "P6\n" << width << " " << height << "\n255\n";
  for (int i = 0; i < width * height * 3; ++i) out.put(static_cast<char>((i * 7 + seed) % 256));
  return path;
}

std::string writeText(const TempDir& dir, const std::string& name, const std::string& text) {
  const std::string path = dir.file(name);
  std::ofstream(path) << text;
  return path;
}

std::vector<json> jsonLines(const std::string& out) {
  std::vector<json> lines;
  std::istringstream in(out);
  std::string line;
  while (std::getline(in, line))
    if (!line.empty()) lines.push_back(json::parse(line));
  return lines;
}

// Keeps the user's Keras cache out of the test.
std::vector<std::string> isolatedEnvironment(const TempDir& dir) {
  return {"KERAS_HOME=" + dir.file("keras")};
}

TEST(PredictCli, HelpListsTheContract) {
  const auto r = runCli({"predict", "--help"});
  EXPECT_EQ(r.exitCode, 0);
  for (const char* option : {"MODEL", "IMAGE", "--top", "--labels", "--json"})
    EXPECT_NE(r.out.find(option), std::string::npos) << option;
  EXPECT_EQ(runCli({"predict", "vgg16"}).exitCode, 2);  // no image
  EXPECT_EQ(runCli({"predict", "vgg16", "a.png", "--top", "0"}).exitCode, 2);
}

TEST(PredictCli, MissingModelExits1NamingIt) {
  TempDir dir;
  const std::string image = writePpm(dir, "a.ppm", 8, 8, 1);
  const auto r = runCli({"predict", "/nonexistent/model.h5", image}, isolatedEnvironment(dir));
  EXPECT_EQ(r.exitCode, 1);
  EXPECT_NE(r.err.find("/nonexistent/model.h5"), std::string::npos) << r.err;
  // With --json, one object says why (stdout was empty).
  const auto j =
      runCli({"predict", "/nonexistent/model.h5", image, "--json"}, isolatedEnvironment(dir));
  EXPECT_EQ(j.exitCode, 1);
  const auto lines = jsonLines(j.out);
  ASSERT_EQ(lines.size(), 1u) << j.out;
  EXPECT_NE(lines[0].value("error", "").find("/nonexistent/model.h5"), std::string::npos) << j.out;
}

// A small zoo model with random weights (no fixtures needed): a feature vector per image.
const std::vector<std::string> kSmallVgg = {"vgg16", "--no-top",  "--input-size",
                                            "32",    "--pooling", "avg"};

// --input-size is the size of a free input (None x None): the 1 x 1 convolution's output has the
// size predict computed at (224 without it). A size below 1 is refused naming the option.
TEST(PredictCli, InputSizeIsTheSizeOfAFreeInput) {
  TempDir dir;
  const std::string model = writeText(dir, "free.json", kFreeSizeModel);
  const std::string image = writePpm(dir, "a.ppm", 40, 30, 5);
  const auto at28 =
      runCli({"predict", model, image, "--input-size", "28", "--json"}, isolatedEnvironment(dir));
  ASSERT_EQ(at28.exitCode, 0) << at28.err;
  EXPECT_EQ(jsonLines(at28.out).at(0).at("shape"), json::array({28, 28, 1})) << at28.out;
  const auto unset = runCli({"predict", model, image, "--json"}, isolatedEnvironment(dir));
  ASSERT_EQ(unset.exitCode, 0) << unset.err;
  EXPECT_EQ(jsonLines(unset.out).at(0).at("shape"), json::array({224, 224, 1})) << unset.out;
  // The size it chose is said, and how to choose another.
  EXPECT_NE(unset.err.find("input size is free: images are resized to 224 x 224 (--input-size"),
            std::string::npos)
      << unset.err;
  EXPECT_EQ(at28.err.find("input size is free"), std::string::npos) << at28.err;
  for (const std::string size : {"0", "-5"}) {
    const auto r =
        runCli({"predict", model, image, "--input-size=" + size}, isolatedEnvironment(dir));
    EXPECT_EQ(r.exitCode, 2) << r.err;  // a usage error, like --top 0
    EXPECT_NE(r.err.find("--input-size: expected at least 1, found " + size), std::string::npos)
        << r.err;
    EXPECT_EQ(r.out, "");
  }
}

// What predict cannot run is refused naming the model file, not only the graph inside it.
TEST(PredictCli, ModelWithTwoInputsIsRefusedNamingTheFile) {
  TempDir dir;
  const std::string model = writeText(dir, "two.json", R"({"class_name": "Model", "config": {
    "name": "functional", "layers": [
      {"class_name": "InputLayer", "name": "a", "config": {"name": "a", "batch_input_shape": [null, 8, 8, 1]}, "inbound_nodes": []},
      {"class_name": "InputLayer", "name": "b", "config": {"name": "b", "batch_input_shape": [null, 8, 8, 1]}, "inbound_nodes": []},
      {"class_name": "Add", "name": "add", "config": {"name": "add"}, "inbound_nodes": [[["a", 0, 0, {}], ["b", 0, 0, {}]]]}],
    "input_layers": [["a", 0, 0], ["b", 0, 0]], "output_layers": [["add", 0, 0]]}})");
  const std::string image = writePpm(dir, "a.ppm", 8, 8, 5);
  const auto r = runCli({"predict", model, image}, isolatedEnvironment(dir));
  EXPECT_EQ(r.exitCode, 1) << r.err;
  EXPECT_NE(r.err.find(model + ": predict needs a model with one input; 'functional' has 2"),
            std::string::npos)
      << r.err;
}

TEST(PredictCli, CorruptImageIsNamedSkippedAndExits1) {
  TempDir dir;
  const std::string good1 = writePpm(dir, "good1.ppm", 40, 30, 3);
  const std::string bad = writeText(dir, "broken.jpg", "this is not a JPEG");
  const std::string good2 = writePpm(dir, "good2.ppm", 32, 32, 9);
  std::vector<std::string> args = {"predict"};
  args.insert(args.end(), kSmallVgg.begin(), kSmallVgg.end());
  args.insert(args.end(), {good1, bad, good2, "--json"});
  const auto r = runCli(args, isolatedEnvironment(dir));
  EXPECT_EQ(r.exitCode, 1) << r.err;
  EXPECT_NE(r.err.find(bad), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find(good1), std::string::npos) << r.err;
  // Every image has its line, the failed one with its error (a script could not tell which
  // failed: the line was missing).
  auto lines = jsonLines(r.out);
  ASSERT_EQ(lines.size(), 3u) << r.out;
  EXPECT_EQ(lines[0]["file"], good1);
  EXPECT_EQ(lines[1]["file"], bad);
  EXPECT_NE(lines[1].value("error", "").find("broken.jpg"), std::string::npos) << r.out;
  EXPECT_FALSE(lines[1].contains("output"));
  EXPECT_EQ(lines[2]["file"], good2);
  lines.erase(lines.begin() + 1);
  for (const auto& line : lines) {
    EXPECT_EQ(line["shape"], json::parse("[512]"));  // block5 has 512 channels, avg-pooled
    EXPECT_EQ(line["output"].size(), 512u);
    EXPECT_FALSE(line.contains("top"));  // pooled features, not classes
  }
  EXPECT_NE(lines[0]["output"], lines[1]["output"]);  // different images, different features
}

TEST(PredictCli, FeatureMapHasNoTopList) {
  TempDir dir;
  const std::string image = writePpm(dir, "a.ppm", 50, 20, 5);
  const auto r = runCli({"predict", "vgg16", "--no-top", "--input-size", "32", image, "--json"},
                        isolatedEnvironment(dir));
  ASSERT_EQ(r.exitCode, 0) << r.err;
  const auto lines = jsonLines(r.out);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0]["shape"], json::parse("[1, 1, 512]"));
  EXPECT_FALSE(lines[0].contains("top"));
}

TEST(PredictCli, CatsAndDogs) {
  GRAFT_REQUIRE_FIXTURE(model, "keras/mobilenet025_catvsdog.h5");
  GRAFT_REQUIRE_FIXTURE(cat, "keras/cat.jpg");
  GRAFT_REQUIRE_FIXTURE(dog, "keras/dog.jpg");
  GRAFT_REQUIRE_FIXTURE(labels, "keras/cls_classes.txt");
  TempDir dir;
  const auto r =
      runCli({"predict", model, cat, dog, "--labels", labels, "--json"}, isolatedEnvironment(dir));
  ASSERT_EQ(r.exitCode, 0) << r.err;
  const auto lines = jsonLines(r.out);
  ASSERT_EQ(lines.size(), 2u) << r.out;
  const std::pair<std::string, std::string> expected[] = {{cat, "cat"}, {dog, "dog"}};
  for (size_t i = 0; i < 2; ++i) {
    const json& line = lines[i];
    EXPECT_EQ(line["file"], expected[i].first);
    EXPECT_EQ(line["shape"], json::parse("[2]"));
    ASSERT_EQ(line["output"].size(), 2u);
    ASSERT_EQ(line["top"].size(), 2u);  // --top 5 is cut to the two classes there are
    EXPECT_EQ(line["top"][0]["label"], expected[i].second) << line.dump();
    EXPECT_GT(line["top"][0]["probability"].get<double>(), 0.99) << line.dump();
    EXPECT_NEAR(line["output"][0].get<double>() + line["output"][1].get<double>(), 1.0, 1e-5);
  }

  // The human-readable form names the class on the first line under each file.
  const auto text =
      runCli({"predict", model, cat, "--labels", labels, "--top", "1"}, isolatedEnvironment(dir));
  ASSERT_EQ(text.exitCode, 0) << text.err;
  EXPECT_NE(text.out.find(cat), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("1. cat"), std::string::npos) << text.out;
  EXPECT_EQ(text.out.find("dog"), std::string::npos) << text.out;
}

TEST(PredictCli, LabelsThatDoNotFitAreNamed) {
  GRAFT_REQUIRE_FIXTURE(model, "keras/mobilenet025_catvsdog.h5");
  GRAFT_REQUIRE_FIXTURE(cat, "keras/cat.jpg");
  TempDir dir;
  const std::string labels = writeText(dir, "three.txt", "cat\ndog\nfox\n");
  const auto r =
      runCli({"predict", model, cat, "--labels", labels, "--json"}, isolatedEnvironment(dir));
  EXPECT_EQ(r.exitCode, 1);
  EXPECT_NE(r.err.find(labels), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("3 class names"), std::string::npos) << r.err;
  // An export would carry them: refused the same way, and nothing is written.
  const std::string onnx = dir.file("m.onnx");
  const auto exported =
      runCli({"export", model, "--labels", labels, "--format", "onnx", "-o", onnx},
             isolatedEnvironment(dir));
  EXPECT_EQ(exported.exitCode, 1);
  EXPECT_NE(exported.err.find("3 class names, but the model's output has 2 classes"),
            std::string::npos)
      << exported.err;
  EXPECT_FALSE(std::filesystem::exists(onnx));
}

TEST(PredictCli, VisualWakeWordsOn96x96) {
  GRAFT_REQUIRE_FIXTURE(model, "keras/vww_96.h5");
  GRAFT_REQUIRE_FIXTURE(cat, "keras/cat.jpg");
  TempDir dir;
  const std::string native = writePpm(dir, "native96.ppm", 96, 96, 11);
  const auto r = runCli({"predict", model, native, cat, "--preprocessing", "unit", "--json"},
                        isolatedEnvironment(dir));
  ASSERT_EQ(r.exitCode, 0) << r.err;
  const auto lines = jsonLines(r.out);
  ASSERT_EQ(lines.size(), 2u) << r.out;
  for (const auto& line : lines) {
    EXPECT_EQ(line["shape"], json::parse("[2]"));
    ASSERT_EQ(line["output"].size(), 2u);
    const double p0 = line["output"][0], p1 = line["output"][1];
    EXPECT_NEAR(p0 + p1, 1.0, 1e-5) << line.dump();
    EXPECT_GE(p0, 0.0);
    EXPECT_GE(p1, 0.0);
    EXPECT_EQ(line["top"][0]["index"], p0 >= p1 ? 0 : 1);
  }
}

// Class names in any script line up: the probabilities start in one terminal column (names
// were padded by bytes, so "猫 ü", 6 bytes in 4 columns, pushed its row 2 columns left).
TEST(PredictCli, NamesInAnyScriptLineUpTheirProbabilities) {
  TempDir dir;
  std::ofstream(dir.file("tiny.json")) << kTinyModel;
  const std::string labels = writeText(dir, "names.txt", "chat noir\n猫 ü\nCafé\n");
  const std::string image = writePpm(dir, "a.ppm", 32, 32, 5);
  const CommandResult r =
      runCli({"predict", dir.file("tiny.json"), image, "--labels", labels, "--top", "3"},
             isolatedEnvironment(dir));
  ASSERT_EQ(r.exitCode, 0) << r.err;
  // The terminal column where the probability ("0.") starts, counting wide characters twice.
  std::vector<size_t> columns;
  std::istringstream lines(r.out);
  for (std::string line; std::getline(lines, line);) {
    // The probability is printed with six decimals ("0.637440") before "  (class N)".
    const size_t classAt = line.find("  (class ");
    if (classAt == std::string::npos || classAt < 8) continue;
    const size_t at = classAt - 8;
    const std::string before = line.substr(0, at);
    size_t width = 0;
    for (size_t i = 0; i < before.size(); ++i) {
      const auto byte = static_cast<unsigned char>(before[i]);
      if ((byte & 0xC0) == 0x80) continue;               // a continuation byte
      width += before.compare(i, 3, "猫") == 0 ? 2 : 1;  // the one wide character here
    }
    columns.push_back(width);
  }
  ASSERT_EQ(columns.size(), 3u) << r.out;
  EXPECT_EQ(columns[0], columns[1]) << r.out;
  EXPECT_EQ(columns[1], columns[2]) << r.out;
}

}  // namespace
}  // namespace graft::test
