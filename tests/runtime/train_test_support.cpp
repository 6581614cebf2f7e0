#include "train_test_support.h"

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

#include <cstdio>
#include <stdexcept>

#include "graph/analysis.h"
#include "graph/graph_builder.h"

namespace graft::test {

namespace fs = std::filesystem;

void drawColourFolder(const fs::path& root, const std::vector<std::string>& classes,
                      const std::vector<int>& perClass, int size, uint64_t seed) {
  cv::RNG rng(seed);
  for (size_t c = 0; c < classes.size(); ++c) {
    fs::create_directories(root / classes[c]);
    for (int i = 0; i < perClass.at(c); ++i) {
      cv::Mat image(size, size, CV_8UC3);
      rng.fill(image, cv::RNG::UNIFORM, 0, 60);
      const double level = rng.uniform(140.0, 255.0);
      cv::Scalar add(0, 0, 0);
      add[2 - static_cast<int>(c % 3)] = level;           // BGR: class 0 red, 1 green, 2 blue
      if (c >= 3) add = cv::Scalar(level, level, level);  // class 3: grey
      image += add;
      char name[32];
      std::snprintf(name, sizeof name, "img_%03d.png", i);
      if (!cv::imwrite((root / classes[c] / name).string(), image))
        throw std::runtime_error("cannot write test image");
    }
  }
}

void writeSolidPng(const fs::path& path, int size, int r, int g, int b) {
  fs::create_directories(path.parent_path());
  const cv::Mat image(size, size, CV_8UC3, cv::Scalar(b, g, r));
  if (!cv::imwrite(path.string(), image)) throw std::runtime_error("cannot write test image");
}

namespace {

Model buildTiny(int classes, int size, uint64_t seed, bool dropout, bool frozen) {
  GraphBuilder b("tiny");
  std::string x = b.input("input_1", {kUnknown, size, size, 3});
  x = b.add("Conv2D", "conv1",
            {{"filters", 8}, {"kernel_size", {3, 3}}, {"strides", {2, 2}}, {"activation", "relu"}},
            x);
  x = b.add("BatchNormalization", "conv1_bn", Json::object(), x);
  x = b.add("GlobalAveragePooling2D", "pool", Json::object(), x);
  if (dropout) x = b.add("Dropout", "dropout", {{"rate", 0.3}}, x);
  x = b.add("Dense", "dense", {{"units", classes}}, x);
  x = b.add("Activation", "predictions", {{"activation", "softmax"}}, x);
  if (frozen) {
    b.setTrainable("conv1", false);
    b.setTrainable("conv1_bn", false);
  }
  Model model;
  model.graph = b.build({x});
  initializeWeights(model.graph, analyzeOrThrow(model.graph), model.weights, seed);
  model.preprocessing = Preprocessing::Tf;  // centred input: random weights train faster
  model.weightsSource = "random initialization";
  return model;
}

}  // namespace

Model tinyModel(int classes, int size, uint64_t seed, bool dropout) {
  return buildTiny(classes, size, seed, dropout, false);
}

TrainOptions quickCpuRun() {
  TrainOptions o;
  o.epochs = 3;
  o.batchSize = 8;
  o.optimizer.kind = OptimizerKind::Adam;
  o.optimizer.learningRate = 0.03;
  o.seed = 5;
  o.workers = 2;
  o.device = *parseDeviceChoice("cpu");
  return o;
}

Model tinyFrozenModel(int classes, int size, uint64_t seed) {
  return buildTiny(classes, size, seed, false, true);
}

}  // namespace graft::test
