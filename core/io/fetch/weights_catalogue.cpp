#include "io/fetch/weights_catalogue.h"

#include <cmath>
#include <map>

namespace graft::fetch {

namespace {

// Keras's hosts (keras/applications/*.py, keras-applications' resnet50.py).
constexpr const char* kKerasApplications =
    "https://storage.googleapis.com/tensorflow/keras-applications/";
constexpr const char* kDeepLearningModels =
    "https://github.com/fchollet/deep-learning-models/releases/download/";

struct FamilyFiles {
  const char* base;
  const char* folder;  // below the base
  const char* topHash;
  const char* noTopHash;
};

// file_hash / md5_hash arguments of Keras's get_file calls.
const std::map<std::string, FamilyFiles>& families() {
  static const std::map<std::string, FamilyFiles> table = {
      {"vgg16",
       {kKerasApplications, "vgg16/", "64373286793e3c8b2b4e3219cbf3544b",
        "6d6bbae143d832006294945121d1f1fc"}},
      {"vgg19",
       {kKerasApplications, "vgg19/", "cbe5617147190e668d6c5d5026f83318",
        "253f8cb515780f3b799900260a226db6"}},
      {"resnet50",
       {kDeepLearningModels, "v0.2/", "a7b3fe01876f51b976af0dea6bc144eb",
        "a268eb855778b3df3c7506639542a6af"}},
      {"inception_v3",
       {kKerasApplications, "inception_v3/", "9a0d58056eeedaa3f26cb7ebd46da564",
        "bcbd6486424b2319ff4ef7d526e38f63"}},
      {"xception",
       {kKerasApplications, "xception/", "0a58e3b7378bc2990ea3b43d5981f1f6",
        "b0042744bf5b25fce3cb969f33bebb97"}},
      // Keras's mobilenet.py: BASE_WEIGHT_PATH + model_name, get_file without a hash.
      {"mobilenet", {kKerasApplications, "mobilenet/", "", ""}},
  };
  return table;
}

}  // namespace

std::optional<PublishedWeights> publishedWeights(const zoo::ZooOptions& options) {
  const auto family = families().find(options.architecture);
  if (family == families().end()) return std::nullopt;
  // MobileNet at a size Keras has no file for loads the 224 file (as Keras does): same name.
  const std::string fileName = zoo::standardWeightsFileName(options);
  if (fileName.empty()) return std::nullopt;
  const FamilyFiles& files = family->second;
  return PublishedWeights{fileName, files.base, std::string(files.folder) + fileName,
                          options.includeTop ? files.topHash : files.noTopHash};
}

std::vector<zoo::ZooOptions> publishedVariants() {
  std::vector<zoo::ZooOptions> variants;
  for (const auto& architecture : zoo::architectures()) {
    const bool mobilenet = architecture == "mobilenet";
    for (double alpha :
         mobilenet ? std::vector<double>{0.25, 0.5, 0.75, 1.0} : std::vector<double>{1.0})
      for (int64_t size :
           mobilenet ? std::vector<int64_t>{128, 160, 192, 224} : std::vector<int64_t>{0})
        for (bool top : {true, false}) {
          zoo::ZooOptions o;
          o.architecture = architecture;
          o.alpha = alpha;
          if (size) o.inputSize = size;
          o.includeTop = top;
          variants.push_back(o);
        }
  }
  return variants;
}

std::vector<PublishedWeights> allPublishedWeights() {
  std::vector<PublishedWeights> all;
  for (const zoo::ZooOptions& o : publishedVariants())
    if (auto weights = publishedWeights(o)) all.push_back(*weights);
  return all;
}

std::string downloadUrl(const PublishedWeights& weights, const std::string& base) {
  std::string root = base.empty() ? weights.defaultBase : base;
  if (root.back() != '/') root += '/';
  return root + weights.relativePath;
}

std::string weightsBaseUrl(const char* environmentValue, const std::string& setting) {
  if (environmentValue && *environmentValue) return environmentValue;
  return setting;
}

}  // namespace graft::fetch
