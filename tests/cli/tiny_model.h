#pragma once
// A Keras model_config small enough to train in a second: conv -> global average pooling ->
// dense softmax over 3 classes (the classes of `graft-cli sample-data`), 32 x 32 input; and a
// test fixture with it in a file beside sample-data's images.
#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

#include "support/test_support.h"

namespace graft::test {

inline const char* kTinyModel =
    R"({"class_name": "Sequential", "config": {"name": "tiny", "layers": [
  {"class_name": "InputLayer", "config": {"name": "input_1", "batch_input_shape": [null, 32, 32, 3]}},
  {"class_name": "Conv2D", "config": {"name": "conv1", "filters": 16, "kernel_size": [3, 3],
                                      "strides": [2, 2], "activation": "relu"}},
  {"class_name": "GlobalAveragePooling2D", "config": {"name": "pool"}},
  {"class_name": "Dense", "config": {"name": "predictions", "units": 3, "activation": "softmax"}}
]}})";

// A model whose input size is free (None x None, one channel): a 1 x 1 convolution, so its output
// (a feature map) has the size the model computed at.
inline const char* kFreeSizeModel =
    R"({"class_name": "Sequential", "config": {"name": "free", "layers": [
  {"class_name": "InputLayer", "config": {"name": "in", "batch_input_shape": [null, null, null, 1]}},
  {"class_name": "Conv2D", "config": {"name": "conv", "filters": 1, "kernel_size": [1, 1]}}
]}})";

// The tiny model as `model` (a .json file) and, after writeImages(n), n images of each of
// sample-data's three classes in `data`, in a folder of the test's own, with its own Keras
// cache (the user's stays out of the test).
class TinyModelCli : public ::testing::Test {
 protected:
  TinyModelCli() { std::ofstream(model) << kTinyModel; }
  void writeImages(int imagesPerClass) {
    const auto made =
        cli({"sample-data", data, "--images-per-class", std::to_string(imagesPerClass)});
    ASSERT_EQ(made.exitCode, 0) << made.err;
  }
  CommandResult cli(std::vector<std::string> args) const { return runCli(args, env); }

  TempDir dir;
  std::vector<std::string> env{"KERAS_HOME=" + dir.path().string()};
  std::string model = dir.file("tiny.json");
  std::string data = dir.file("shapes");
};

}  // namespace graft::test
