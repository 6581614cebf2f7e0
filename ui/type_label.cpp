#include "ui/type_label.h"

#include <QHash>

namespace graft::ui {

QString shortTypeName(const QString& className, const QString& activation) {
  if (className == QLatin1String("Activation") && !activation.isEmpty()) return activation;
  // The abbreviations papers and Netron use; types missing here are short enough already or
  // rare, and show their class name.
  static const QHash<QString, QString> kShort{
      {"InputLayer", "Input"},
      {"Conv2D", "Conv"},
      {"DepthwiseConv2D", "DW"},
      {"SeparableConv2D", "SepConv"},
      {"Conv2DTranspose", "Deconv"},
      {"BatchNormalization", "BN"},
      {"LayerNormalization", "LN"},
      {"GroupNormalization", "GN"},
      {"Normalization", "Norm"},
      {"Activation", "Act"},
      {"LeakyReLU", "LReLU"},
      {"Multiply", "Mul"},
      {"Subtract", "Sub"},
      {"Average", "Avg"},
      {"Maximum", "Max"},
      {"Minimum", "Min"},
      {"Concatenate", "Concat"},
      {"MaxPooling2D", "MaxPool"},
      {"AveragePooling2D", "AvgPool"},
      {"GlobalAveragePooling2D", "GAP"},
      {"GlobalMaxPooling2D", "GMP"},
      {"Dropout", "Drop"},
      {"SpatialDropout2D", "Drop"},
      {"GaussianDropout", "Drop"},
      {"GaussianNoise", "Noise"},
      {"StochasticDepth", "Drop"},
      {"ZeroPadding2D", "Pad"},
      {"Cropping2D", "Crop"},
      {"UpSampling2D", "Up"},
      {"Rescaling", "Scale"},
      {"CustomScaleLayer", "Scale"},
      {"LayerScale", "Scale"},
      {"Resizing", "Resize"},
      {"CenterCrop", "Crop"},
      {"RepeatVector", "Repeat"},
      {"TFOpLambda", "Op"},
  };
  return kShort.value(className, className);
}

}  // namespace graft::ui
