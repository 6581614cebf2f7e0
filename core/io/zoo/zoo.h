#pragma once
// Keras Applications architectures, built layer by layer with Keras's own layer names, configs
// and wiring (the authority: Keras's topology JSON in ../shared/fixtures/keras-configs).
#include <optional>
#include <string>
#include <vector>

#include "graph/model.h"

namespace graft::zoo {

struct ZooOptions {
  std::string architecture;          // vgg16 vgg19 resnet50 inception_v3 xception mobilenet
  double alpha = 1.0;                // MobileNet width: 0.25, 0.5, 0.75, 1.0
  std::optional<int64_t> inputSize;  // square input; unset: the default with a top, any without
  bool includeTop = true;
  int64_t classes = 1000;
  std::string pooling;                              // "", "avg", "max" (no-top only)
  std::string resnetNaming = "keras-applications";  // or "tf.keras" (conv2_block1_1_conv ...)
};

std::vector<std::string> architectures();
bool isArchitecture(const std::string& name);

// Throws graft::Error naming the option that is wrong (unknown architecture, an alpha MobileNet
// does not have, an input below the model's minimum, pooling together with a top ...).
Graph buildGraph(const ZooOptions& options);

Preprocessing preprocessingFor(const std::string& architecture);
int64_t defaultInputSize(const std::string& architecture);  // 224, or 299 for Inception/Xception
int64_t minimumInputSize(const std::string& architecture);

// Keras's cache file name for these options, e.g.
// "vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5" or "mobilenet_2_5_224_tf_no_top.h5". Empty
// when Keras publishes no such file.
std::string standardWeightsFileName(const ZooOptions& options);

}  // namespace graft::zoo
