#pragma once
// Where Keras downloads each Keras Applications weights file from, and the hash its get_file
// checks (keras/applications/*.py; ResNet50 from keras-applications, the naming Graft's zoo
// builds by default). Graft downloads the same bytes to the same cache name, so Keras and Graft
// share one copy.
#include <optional>
#include <string>
#include <vector>

#include "io/zoo/zoo.h"

namespace graft::fetch {

struct PublishedWeights {
  std::string fileName;     // the Keras cache name (zoo::standardWeightsFileName)
  std::string defaultBase;  // Keras's host and folder, ends in '/'
  std::string
      relativePath;  // below the base, e.g. "vgg16/vgg16_weights_tf_dim_ordering_tf_kernels.h5"
  // As Keras records it: 64 hex digits sha256, 32 md5. Empty when Keras publishes none (its
  // MobileNet and MobileNetV2 files): such a download is checked by reading it as that
  // architecture's weights.
  std::string hash;
};

// nullopt when Keras publishes no file for these options (a top with other than 1000 classes,
// a MobileNet alpha Keras has no weights for). A MobileNet size other than 128/160/192/224 gets
// the 224 file, the one Keras (and Graft's zoo) loads at such a size.
std::optional<PublishedWeights> publishedWeights(const zoo::ZooOptions& options);

// The zoo options of every file Keras publishes: each architecture with and without its top,
// MobileNet and MobileNetV2 at each alpha and size they have weights for, MobileNetV3 at each
// alpha and minimalistic.
std::vector<zoo::ZooOptions> publishedVariants();

// publishedWeights() of every publishedVariants() entry.
std::vector<PublishedWeights> allPublishedWeights();

// base + relativePath; base empty: Keras's own host. A base without a trailing '/' gets one.
std::string downloadUrl(const PublishedWeights& weights, const std::string& base);

// The base address to use: the environment's GRAFT_WEIGHTS_BASE_URL (value passed in, may be
// null) wins over the configured setting; both empty means Keras's own hosts.
std::string weightsBaseUrl(const char* environmentValue, const std::string& setting);

}  // namespace graft::fetch
