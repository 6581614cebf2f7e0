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
// efficientnet.py's BASE_WEIGHTS_PATH (without tensorflow/).
constexpr const char* kKerasApplicationsRoot = "https://storage.googleapis.com/keras-applications/";

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
      // keras/src/applications/inception_resnet_v2.py: BASE_WEIGHT_URL and its file_hash.
      {"inceptionresnetv2",
       {kKerasApplications, "inception_resnet_v2/", "e693bd0210a403b3192acc6073ad2e96",
        "d19885ff4a710c122648d3b5c3b684e4"}},
      {"xception",
       {kKerasApplications, "xception/", "0a58e3b7378bc2990ea3b43d5981f1f6",
        "b0042744bf5b25fce3cb969f33bebb97"}},
      // Keras's mobilenet.py: BASE_WEIGHT_PATH + model_name, get_file without a hash.
      {"mobilenet", {kKerasApplications, "mobilenet/", "", ""}},
      // keras/src/applications/resnet.py WEIGHTS_HASHES (ResNet and ResNetV2 share the folder).
      {"resnet101",
       {kKerasApplications, "resnet/", "f1aeb4b969a6efcfb50fad2f0c20cfc5",
        "88cf7a10940856eca736dc7b7e228a21"}},
      {"resnet152",
       {kKerasApplications, "resnet/", "100835be76be38e30d865e96f2aaae62",
        "ee4c566cf9a93f14d82f913c2dc6dd0c"}},
      {"resnet50v2",
       {kKerasApplications, "resnet/", "3ef43a0b657b3be2300d5770ece849e0",
        "fac2f116257151a9d068a22e544a4917"}},
      {"resnet101v2",
       {kKerasApplications, "resnet/", "6343647c601c52e1368623803854d971",
        "c0ed64b8031c3730f411d2eb4eea35b5"}},
      {"resnet152v2",
       {kKerasApplications, "resnet/", "a49b44d1979771252814e80f8ec446f9",
        "ed17cf2e0169df9d443503ef94b23b33"}},
      // keras/src/applications/densenet.py's get_file hashes.
      {"densenet121",
       {kKerasApplications, "densenet/", "9d60b8095a5708f2dcce2bca79d332c7",
        "30ee3e1110167f948a6b9946edeeb738"}},
      {"densenet169",
       {kKerasApplications, "densenet/", "d699b8f76981ab1b30698df4c175e90b",
        "b8c4d4c20dd625c148057b9ff1c1176b"}},
      {"densenet201",
       {kKerasApplications, "densenet/", "1ceb130c1ea1b78c3bf6114dbdfd8807",
        "c13680b51ded0fb44dff2d8f86ac8bb1"}},
      // mobilenet_v2.py: BASE_WEIGHT_PATH + model_name, get_file without a hash.
      {"mobilenetv2", {kKerasApplications, "mobilenet_v2/", "", ""}},
      // mobilenet_v3.py: BASE_WEIGHT_PATH; the hash is per variant (mobileNetV3Hashes).
      {"mobilenetv3small", {kKerasApplications, "mobilenet_v3/", "", ""}},
      {"mobilenetv3large", {kKerasApplications, "mobilenet_v3/", "", ""}},
      // convnext.py: BASE_WEIGHTS_PATH "convnext/" and WEIGHTS_HASHES (sha256).
      {"convnexttiny",
       {kKerasApplications, "convnext/",
        "8ae6e78ce2933352b1ef4008e6dd2f17bc40771563877d156bc6426c7cf503ff",
        "d547c096cabd03329d7be5562c5e14798aa39ed24b474157cef5e85ab9e49ef1"}},
      {"convnextsmall",
       {kKerasApplications, "convnext/",
        "ce1277d8f1ee5a0ef0e171469089c18f5233860ceaf9b168049cb9263fd7483c",
        "6fc8009faa2f00c1c1dfce59feea9b0745eb260a7dd11bee65c8e20843da6eab"}},
      {"convnextbase",
       {kKerasApplications, "convnext/",
        "52cbb006d3dadd03f6e095a8ca1aca47aecdd75acb4bc74bce1f5c695d0086e6",
        "40a20c5548a5e9202f69735ecc06c990e6b7c9d2de39f0361e27baeb24cb7c45"}},
      {"convnextlarge",
       {kKerasApplications, "convnext/",
        "070c5ed9ed289581e477741d3b34beffa920db8cf590899d6d2c67fba2a198a6",
        "96f02b6f0753d4f543261bc9d09bed650f24dd6bc02ddde3066135b63d23a1cd"}},
      {"convnextxlarge",
       {kKerasApplications, "convnext/",
        "c1f5ccab661354fc3a79a10fa99af82f0fbf10ec65cb894a3ae0815f17a889ee",
        "de3f8a54174130e0cecdc71583354753d557fcf1f4487331558e2a16ba0cfe05"}},
      // nasnet.py: BASE_WEIGHTS_PATH "nasnet/" and get_file's file_hash (md5); the cache name
      // differs from the address's (remoteName).
      {"nasnetmobile",
       {kKerasApplications, "nasnet/", "020fb642bf7360b370c678b08e0adf61",
        "1ed92395b5b598bdda52abe5c0dbfd63"}},
      {"nasnetlarge",
       {kKerasApplications, "nasnet/", "11577c9a518f0070763c2b964a382f17",
        "d81d89dc07e6e56530c4e77faddd61b5"}},
      // efficientnet.py's WEIGHTS_HASHES (md5, as get_file reads a 32-digit hash); the files
      // lie at the root: efficientnetb0.h5, efficientnetb0_notop.h5 ...
      {"efficientnetb0",
       {kKerasApplicationsRoot, "", "902e53a9f72be733fc0bcb005b3ebbac",
        "50bc09e76180e00e4465e1a485ddc09d"}},
      {"efficientnetb1",
       {kKerasApplicationsRoot, "", "1d254153d4ab51201f1646940f018540",
        "74c4e6b3e1f6a1eea24c589628592432"}},
      {"efficientnetb2",
       {kKerasApplicationsRoot, "", "b15cce36ff4dcbd00b6dd88e7857a6ad",
        "111f8e2ac8aa800a7a99e3239f7bfb39"}},
      {"efficientnetb3",
       {kKerasApplicationsRoot, "", "ffd1fdc53d0ce67064dc6a9c7960ede0",
        "af6d107764bb5b1abb91932881670226"}},
      {"efficientnetb4",
       {kKerasApplicationsRoot, "", "18c95ad55216b8f92d7e70b3a046e2fc",
        "ebc24e6d6c33eaebbd558eafbeedf1ba"}},
      {"efficientnetb5",
       {kKerasApplicationsRoot, "", "ace28f2a6363774853a83a0b21b9421a",
        "38879255a25d3c92d5e44e04ae6cec6f"}},
      {"efficientnetb6",
       {kKerasApplicationsRoot, "", "165f6e37dce68623721b423839de8be5",
        "9ecce42647a20130c1f39a5d4cb75743"}},
      {"efficientnetb7",
       {kKerasApplicationsRoot, "", "8c03f828fec3ef71311cd463b6759d99",
        "cbcfe4450ddf6f3ad90b1b398090fe4a"}},
      // efficientnet_v2.py's BASE_WEIGHTS_PATH (efficientnet_v2/) and WEIGHTS_HASHES (md5).
      {"efficientnetv2b0",
       {kKerasApplications, "efficientnet_v2/", "21ecbf6da12460d5c40bb2f29ceb2188",
        "893217f2bb855e2983157299931e43ff"}},
      {"efficientnetv2b1",
       {kKerasApplications, "efficientnet_v2/", "069f0534ff22adf035c89e2d9547a9dc",
        "0e80663031ca32d657f9caa404b6ec37"}},
      {"efficientnetv2b2",
       {kKerasApplications, "efficientnet_v2/", "424e49f28180edbde1e94797771950a7",
        "1dfe2e7a5d45b6632553a8961ea609eb"}},
      {"efficientnetv2b3",
       {kKerasApplications, "efficientnet_v2/", "1f1fc43bd98a6e4fd8fdfd551e02c7a0",
        "f6abf7b5849ac99a89b50dd3fd532856"}},
      {"efficientnetv2s",
       {kKerasApplications, "efficientnet_v2/", "e1d88a8495beba45748fedd0cecbe016",
        "af0682fb74e8c54910f2d4393339c070"}},
      {"efficientnetv2m",
       {kKerasApplications, "efficientnet_v2/", "a3bf6aa3276309f4fc6a34aa114c95cd",
        "1b8dc055df72dde80d614482840fe342"}},
      {"efficientnetv2l",
       {kKerasApplications, "efficientnet_v2/", "27e6d408b53c7ebc868fefa357689935",
        "b0b66b5c863aef5b46e8608fe1711615"}},
  };
  return table;
}

// mobilenet_v3.py's WEIGHTS_HASHES: model_name -> (with the top, without).
const std::map<std::string, std::pair<const char*, const char*>>& mobileNetV3Hashes() {
  static const std::map<std::string, std::pair<const char*, const char*>> hashes = {
      {"large_224_0.75_float",
       {"765b44a33ad4005b3ac83185abf1d0eb", "40af19a13ebea4e2ee0c676887f69a2e"}},
      {"large_224_1.0_float",
       {"59e551e166be033d707958cf9e29a6a7", "07fb09a5933dd0c8eaafa16978110389"}},
      {"large_minimalistic_224_1.0_float",
       {"675e7b876c45c57e9e63e6d90a36599c", "ec5221f64a2f6d1ef965a614bdae7973"}},
      {"small_224_0.75_float",
       {"cb65d4e5be93758266aa0a7f2c6708b7", "ebdb5cc8e0b497cd13a7c275d475c819"}},
      {"small_224_1.0_float",
       {"8768d4c2e7dee89b9d02b2d03d65d862", "d3e8ec802a04aa4fc771ee12a9a9b836"}},
      {"small_minimalistic_224_1.0_float",
       {"99cd97fb2fcdad2bf028eb838de69e37", "cde8136e733e811080d9fcd8a252f7e4"}},
  };
  return hashes;
}

// The hash Keras gives the file: the family's, or MobileNetV3's by the model name in the file
// name ("weights_mobilenet_v3_small_224_1.0_float_no_top_v2.h5").
std::string hashFor(const FamilyFiles& files, const std::string& fileName, bool includeTop) {
  const std::string prefix = "weights_mobilenet_v3_";
  if (fileName.rfind(prefix, 0) != 0) return includeTop ? files.topHash : files.noTopHash;
  const std::string rest = fileName.substr(prefix.size());
  const auto hashes = mobileNetV3Hashes().find(rest.substr(0, rest.find("_float") + 6));
  if (hashes == mobileNetV3Hashes().end()) return "";
  return includeTop ? hashes->second.first : hashes->second.second;
}

// The file's name at Keras's address when it differs from the cache name: nasnet.py
// downloads NASNet-mobile.h5 as nasnet_mobile.h5, NASNet-large-no-top.h5 as
// nasnet_large_no_top.h5.
std::string remoteName(const std::string& fileName) {
  static const std::map<std::string, std::string> names = {
      {"nasnet_mobile.h5", "NASNet-mobile.h5"},
      {"nasnet_mobile_no_top.h5", "NASNet-mobile-no-top.h5"},
      {"nasnet_large.h5", "NASNet-large.h5"},
      {"nasnet_large_no_top.h5", "NASNet-large-no-top.h5"}};
  const auto it = names.find(fileName);
  return it == names.end() ? fileName : it->second;
}

}  // namespace

std::optional<PublishedWeights> publishedWeights(const zoo::ZooOptions& options) {
  const auto family = families().find(zoo::canonicalArchitecture(options.architecture));
  if (family == families().end()) return std::nullopt;
  // MobileNet at a size Keras has no file for loads the 224 file (as Keras does): same name.
  const std::string fileName = zoo::standardWeightsFileName(options);
  if (fileName.empty()) return std::nullopt;
  const FamilyFiles& files = family->second;
  return PublishedWeights{fileName, files.base, std::string(files.folder) + remoteName(fileName),
                          hashFor(files, fileName, options.includeTop)};
}

std::vector<zoo::ZooOptions> publishedVariants() {
  std::vector<zoo::ZooOptions> variants;
  for (const auto& architecture : zoo::architectures()) {
    for (double alpha : zoo::publishedAlphas(architecture))
      for (int64_t size : zoo::publishedSizes(architecture))
        for (bool top : {true, false})
          for (bool minimalistic : {false, true}) {
            zoo::ZooOptions o;
            o.architecture = architecture;
            o.alpha = alpha;
            if (size) o.inputSize = size;
            o.includeTop = top;
            o.minimalistic = minimalistic;
            // Only MobileNetV3 has a minimalistic variant, published at alpha 1.0.
            if (minimalistic && (zoo::familyOf(architecture) != "MobileNetV3" ||
                                 zoo::standardWeightsFileName(o).empty()))
              continue;
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
