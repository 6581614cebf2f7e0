#pragma once
// A Keras model_config small enough to train in a second: conv -> global average pooling ->
// dense softmax over 3 classes (the classes of `graft-cli sample-data`), 32 x 32 input.
namespace graft::test {

inline const char* kTinyModel =
    R"({"class_name": "Sequential", "config": {"name": "tiny", "layers": [
  {"class_name": "InputLayer", "config": {"name": "input_1", "batch_input_shape": [null, 32, 32, 3]}},
  {"class_name": "Conv2D", "config": {"name": "conv1", "filters": 16, "kernel_size": [3, 3],
                                      "strides": [2, 2], "activation": "relu"}},
  {"class_name": "GlobalAveragePooling2D", "config": {"name": "pool"}},
  {"class_name": "Dense", "config": {"name": "predictions", "units": 3, "activation": "softmax"}}
]}})";

}  // namespace graft::test
