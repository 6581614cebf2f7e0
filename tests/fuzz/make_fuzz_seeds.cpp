// Writes the fuzzers' starting corpora: small valid inputs of every kind, made through Graft's
// own writers (and the tests' Keras file writer), so the fuzzers start from files that load.
//   make_fuzz_seeds OUT_DIR   ->  OUT_DIR/{keras_h5,model_config,project,recipe,image}/...
// The zoo model_configs from ../shared/fixtures/keras-configs are added by run_fuzzers.sh.
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <filesystem>
#include <fstream>
#include <iostream>

#include "../io/keras_file_writer.h"
#include "graph/keras_json.h"
#include "io/model_source.h"
#include "io/project_file.h"
#include "io/recipe.h"

namespace fs = std::filesystem;
using graft::Json;

namespace {

// conv -> global average pooling -> dense softmax, 16 x 16 input: a full model in a few KB.
const char* kTinyConfig = R"({"class_name": "Sequential", "config": {"name": "tiny", "layers": [
  {"class_name": "InputLayer", "config": {"name": "input_1", "batch_input_shape": [null, 16, 16, 3]}},
  {"class_name": "Conv2D", "config": {"name": "conv1", "filters": 4, "kernel_size": [3, 3],
                                      "strides": [2, 2], "activation": "relu"}},
  {"class_name": "BatchNormalization", "config": {"name": "bn1"}},
  {"class_name": "GlobalAveragePooling2D", "config": {"name": "pool"}},
  {"class_name": "Dense", "config": {"name": "predictions", "units": 3, "activation": "softmax"}}
]}})";

void writeText(const fs::path& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

std::vector<graft::test::LayerToWrite> tinyWeights() {
  using graft::test::ramp;
  return {{"conv1", {{"kernel", ramp({3, 3, 3, 4}, 0)}, {"bias", ramp({4}, 1)}}},
          {"bn1",
           {{"gamma", ramp({4}, 2)},
            {"beta", ramp({4}, 3)},
            {"moving_mean", ramp({4}, 4)},
            {"moving_variance", ramp({4}, 5)}}},
          {"predictions", {{"kernel", ramp({4, 3}, 6)}, {"bias", ramp({3}, 7)}}}};
}

void kerasH5Seeds(const fs::path& dir) {
  using graft::test::KerasNaming;
  const std::string config =
      graft::graphToKerasJson(graft::graphFromKerasJsonText(kTinyConfig)).dump();
  graft::test::writeKerasWeights((dir / "full_keras2.h5").string(), tinyWeights(),
                                 {KerasNaming::Keras2, false, config});
  graft::test::writeKerasWeights((dir / "full_keras3_split.h5").string(), tinyWeights(),
                                 {KerasNaming::Keras3, true, config});
  graft::test::writeKerasWeights((dir / "full_keras1_reversed_bn.h5").string(), tinyWeights(),
                                 {KerasNaming::Keras1, false, config, true});
  graft::test::writeKerasWeights((dir / "weights_only.h5").string(), tinyWeights());
}

graft::Model tinyModel(const fs::path& scratch) {
  writeText(scratch, kTinyConfig);
  graft::ModelSpec spec;
  spec.source = scratch.string();
  return graft::loadModel(spec).model;
}

void projectSeeds(const fs::path& dir, const graft::Model& tiny) {
  graft::saveProject(tiny, (dir / "tiny.graft").string());
  graft::Model labelled = tiny;
  labelled.labels = {"circle", "square", "triangle"};
  const Json recipe = Json::parse(R"([{"op": "freeze", "upto": "bn1"},
    {"op": "insert", "after": "pool", "layer": {"class_name": "Dropout", "config": {"rate": 0.5}}}])");
  auto edited = graft::applyRecipe(labelled, recipe);
  if (!edited.ok()) throw graft::Error("seed recipe failed");
  graft::saveProject(edited.value().model, (dir / "tiny_edited.graft").string());
}

void recipeSeeds(const fs::path& dir) {
  // Layer names of the fuzzer's model: MobileNet alpha 0.25, 32 x 32, no top.
  const char* recipes[] = {
      R"({"graft_recipe": 1, "operations": [{"op": "cut", "at": "conv_pw_5_relu"},
  {"op": "stack", "after": "conv_pw_5_relu", "layers": [
    {"class_name": "GlobalAveragePooling2D", "config": {}},
    {"class_name": "Dense", "config": {"name": "head", "units": 3, "activation": "softmax"}}]},
  {"op": "freeze", "upto": "conv_pw_5_relu"}]})",
      R"({"graft_recipe": 1, "operations": [{"op": "fuse", "layers": ["conv1", "conv1_bn"]},
  {"op": "rename", "layer": "conv1", "to": "first"}, {"op": "unfreeze", "from": "conv_dw_13"}]})",
      R"({"graft_recipe": 1, "operations": [{"op": "set_input_shape", "shape": [48, 48, 3]},
  {"op": "insert", "after": "conv_pw_13_relu", "layer": {"class_name": "Dropout", "config": {"rate": 0.2}}},
  {"op": "remove", "layers": ["conv_dw_13_relu"]}]})",
      R"({"graft_recipe": 1, "operations": [{"op": "replace", "layers": ["conv_pw_13_relu"],
  "with": {"class_name": "Activation", "config": {"activation": "tanh"}}},
  {"op": "set_config", "layer": "conv_pw_13", "config": {"filters": 64}, "reinitialize": true},
  {"op": "freeze", "types": ["BatchNormalization"]}]})",
      R"({"graft_recipe": 1, "operations": [{"op": "cut", "at": "conv_pw_12_relu", "drop_branches": true},
  {"op": "insert", "between": ["conv_dw_12", "conv_dw_12_bn"], "layer": {"class_name": "ReLU", "config": {}}, "seed": 7}]})",
  };
  int i = 0;
  for (const char* r : recipes) writeText(dir / ("mobilenet_" + std::to_string(i++) + ".json"), r);
}

void imageSeeds(const fs::path& dir) {
  cv::Mat bgr(12, 16, CV_8UC3, cv::Scalar(40, 90, 200));
  cv::circle(bgr, {8, 6}, 4, cv::Scalar(250, 250, 10), cv::FILLED);
  cv::imwrite((dir / "rgb.png").string(), bgr);
  cv::imwrite((dir / "rgb.jpg").string(), bgr, {cv::IMWRITE_JPEG_QUALITY, 80});
  cv::imwrite((dir / "progressive.jpg").string(), bgr, {cv::IMWRITE_JPEG_PROGRESSIVE, 1});
  cv::imwrite((dir / "rgb.bmp").string(), bgr);
  cv::Mat gray;
  cv::cvtColor(bgr, gray, cv::COLOR_BGR2GRAY);
  cv::imwrite((dir / "gray.png").string(), gray);
  cv::Mat bgra;
  cv::cvtColor(bgr, bgra, cv::COLOR_BGR2BGRA);
  cv::imwrite((dir / "alpha.png").string(), bgra);
  cv::Mat deep;
  bgr.convertTo(deep, CV_16UC3, 257.0);
  cv::imwrite((dir / "16bit.png").string(), deep);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: make_fuzz_seeds OUT_DIR\n";
    return 2;
  }
  const fs::path out = argv[1];
  try {
    for (const char* kind : {"keras_h5", "model_config", "project", "recipe", "image"})
      fs::create_directories(out / kind);
    kerasH5Seeds(out / "keras_h5");
    writeText(out / "model_config" / "tiny.json", kTinyConfig);
    projectSeeds(out / "project", tinyModel(out / "model_config" / "tiny.json"));
    recipeSeeds(out / "recipe");
    imageSeeds(out / "image");
  } catch (const std::exception& e) {
    std::cerr << "make_fuzz_seeds: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
