#include "io/zoo/zoo.h"

#include <cmath>

#include "io/zoo/families.h"

namespace graft::zoo {

std::vector<std::string> architectures() {
  return {"vgg16", "vgg19", "resnet50", "inception_v3", "xception", "mobilenet"};
}

bool isArchitecture(const std::string& name) {
  for (const auto& a : architectures())
    if (a == name) return true;
  return false;
}

Preprocessing preprocessingFor(const std::string& architecture) {
  if (architecture == "vgg16" || architecture == "vgg19" || architecture == "resnet50")
    return Preprocessing::Caffe;
  return Preprocessing::Tf;
}

int64_t defaultInputSize(const std::string& architecture) {
  return architecture == "inception_v3" || architecture == "xception" ? 299 : 224;
}

int64_t minimumInputSize(const std::string& architecture) {
  if (architecture == "inception_v3") return 75;
  if (architecture == "xception") return 71;
  return 32;
}

Shape inputShapeFor(const ZooOptions& options) {
  if (!options.inputSize && !options.includeTop) return {kUnknown, kUnknown, kUnknown, 3};
  const int64_t size = options.inputSize.value_or(defaultInputSize(options.architecture));
  return {kUnknown, size, size, 3};
}

std::string addPooling(GraphBuilder& builder, const ZooOptions& options, const std::string& x,
                       const std::string& avgName, const std::string& maxName) {
  if (options.pooling == "avg") return builder.add("GlobalAveragePooling2D", avgName, {}, x);
  if (options.pooling == "max") return builder.add("GlobalMaxPooling2D", maxName, {}, x);
  return x;
}

namespace {

void checkOptions(const ZooOptions& o) {
  if (!isArchitecture(o.architecture)) {
    std::string names;
    for (const auto& a : architectures()) names += (names.empty() ? "" : ", ") + a;
    throw Error("unknown architecture '" + o.architecture + "' (expected one of " + names + ")");
  }
  if (o.inputSize && *o.inputSize < minimumInputSize(o.architecture))
    throw Error(o.architecture + ": input size " + std::to_string(*o.inputSize) +
                " is below the minimum of " + std::to_string(minimumInputSize(o.architecture)));
  if (o.includeTop && !o.pooling.empty())
    throw Error(o.architecture + ": pooling applies only without the top (--no-top)");
  if (!o.pooling.empty() && o.pooling != "avg" && o.pooling != "max")
    throw Error(o.architecture + ": pooling must be avg or max, got '" + o.pooling + "'");
  if (o.classes < 1) throw Error(o.architecture + ": classes must be at least 1");
  if (o.architecture == "mobilenet" && !(o.alpha > 0))
    throw Error("mobilenet: alpha must be positive, got " + std::to_string(o.alpha));
  if (o.architecture == "resnet50" && o.resnetNaming != "keras-applications" &&
      o.resnetNaming != "tf.keras")
    throw Error("resnet50: naming must be keras-applications or tf.keras");
}

}  // namespace

Graph buildGraph(const ZooOptions& options) {
  checkOptions(options);
  const std::string& a = options.architecture;
  if (a == "vgg16") return buildVgg(options, 3);
  if (a == "vgg19") return buildVgg(options, 4);
  if (a == "resnet50") return buildResNet50(options);
  if (a == "inception_v3") return buildInceptionV3(options);
  if (a == "xception") return buildXception(options);
  return buildMobileNet(options);
}

std::string standardWeightsFileName(const ZooOptions& o) {
  const std::string suffix = o.includeTop ? "" : "_notop";
  if (o.includeTop && o.classes != 1000) return "";
  if (o.architecture == "mobilenet") {
    const char* alpha = nullptr;
    if (std::abs(o.alpha - 1.0) < 1e-9)
      alpha = "1_0";
    else if (std::abs(o.alpha - 0.75) < 1e-9)
      alpha = "7_5";
    else if (std::abs(o.alpha - 0.5) < 1e-9)
      alpha = "5_0";
    else if (std::abs(o.alpha - 0.25) < 1e-9)
      alpha = "2_5";
    if (!alpha) return "";
    int64_t size = o.inputSize.value_or(224);
    if (size != 128 && size != 160 && size != 192 && size != 224) size = 224;
    return "mobilenet_" + std::string(alpha) + "_" + std::to_string(size) + "_tf" +
           (o.includeTop ? "" : "_no_top") + ".h5";
  }
  std::string stem = o.architecture == "inception_v3" ? "inception_v3" : o.architecture;
  return stem + "_weights_tf_dim_ordering_tf_kernels" + suffix + ".h5";
}

}  // namespace graft::zoo
