#pragma once
// Shared by the dataset, pipeline, trainer and evaluation tests: image folders drawn with
// OpenCV whose classes a tiny network learns in a few epochs, and tiny models to train.
#include <filesystem>
#include <string>
#include <vector>

#include "graph/model.h"
#include "runtime/training/trainer.h"

namespace graft::test {

// root/<class>/img_NNN.png for each class, `perClass[c]` images of size x size. Class c is a
// noisy image whose dominant colour is class c's (red, green, blue, ...) with a random
// brightness, so the classes are easy but not a constant image each.
void drawColourFolder(const std::filesystem::path& root, const std::vector<std::string>& classes,
                      const std::vector<int>& perClass, int size = 16, uint64_t seed = 1);

// A solid-colour PNG (RGB values as given) at `path`.
void writeSolidPng(const std::filesystem::path& path, int size, int r, int g, int b);

// input_1 (None, size, size, 3) -> conv1 (Conv2D 8, 3x3, stride 2, relu) -> conv1_bn ->
// pool (GlobalAveragePooling2D) -> [dropout] -> dense (Dense classes) -> predictions
// (Activation softmax). Keras-initialised weights from `seed`, "tf" preprocessing.
Model tinyModel(int classes, int size = 16, uint64_t seed = 7, bool dropout = false);

// The same with conv1 and conv1_bn frozen.
Model tinyFrozenModel(int classes, int size = 16, uint64_t seed = 7);

// Three epochs of Adam at 0.03 in batches of 8 on the CPU, seed 5, two loader threads: a short
// run that learns drawColourFolder's classes (the device and memory-order tests).
TrainOptions quickCpuRun();

// The layer holds the same weights (shapes and values) in both models.
inline bool sameLayer(const Model& a, const Model& b, const std::string& layer) {
  const auto& x = *a.weights.find(layer);
  const auto& y = *b.weights.find(layer);
  if (x.size() != y.size()) return false;
  for (size_t i = 0; i < x.size(); ++i)
    if (x[i].shape != y[i].shape || *x[i].data != *y[i].data) return false;
  return true;
}

}  // namespace graft::test
