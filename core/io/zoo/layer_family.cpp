#include "io/zoo/layer_family.h"

#include <string>
#include <vector>

namespace graft::zoo {

std::optional<LayerFamily> familyOfLayers(const Graph& graph) {
  struct Signature {
    LayerFamily family;
    std::vector<const char*> layers;  // all must be present
  };
  // Layer names each family's Keras builder uses and no other family does; preprocessing as
  // keras.applications.<family>.preprocess_input.
  // The first match wins: DenseNet and ResNetV2 share ResNet's conv2_block1_1_conv.
  static const std::vector<Signature> signatures = {
      {{"DenseNet", Preprocessing::Torch}, {"conv1_conv", "pool1", "conv2_block1_concat"}},
      {{"ResNetV2", Preprocessing::Tf}, {"conv1_conv", "conv2_block1_preact_bn", "post_bn"}},
      {{"MobileNetV2", Preprocessing::Tf}, {"Conv1", "expanded_conv_depthwise", "block_1_expand"}},
      // Without include_preprocessing's Rescaling (which decides first) it reads -1..1.
      {{"MobileNetV3", Preprocessing::Tf},
       {"conv", "expanded_conv_depthwise_bn", "expanded_conv_1_expand"}},
      {{"MobileNet", Preprocessing::Tf}, {"conv1", "conv_dw_1", "conv_pw_1"}},
      {{"VGG16/VGG19", Preprocessing::Caffe}, {"block1_conv1", "block5_conv3", "block5_pool"}},
      {{"ResNet101/ResNet152", Preprocessing::Caffe}, {"conv1_conv", "conv4_block23_1_conv"}},
      {{"ResNet50", Preprocessing::Caffe}, {"conv1_conv", "conv2_block1_1_conv"}},
      {{"ResNet50", Preprocessing::Caffe}, {"res2a_branch2a", "bn2a_branch2a"}},
      {{"InceptionV3", Preprocessing::Tf}, {"mixed0", "mixed1"}},
      {{"InceptionResNetV2", Preprocessing::Tf}, {"mixed_5b", "block35_1_conv", "mixed_6a"}},
      {{"Xception", Preprocessing::Tf}, {"block1_conv1_bn", "block14_sepconv1"}},
      {{"DenseNet", Preprocessing::Torch}, {"conv1/conv", "pool1"}},
      {{"NASNet", Preprocessing::Tf}, {"stem_conv1", "normal_conv_1_0", "reduction_concat_stem_1"}},
      // Its own Rescaling and Normalization layers read pixels 0..255.
      {{"EfficientNet", Preprocessing::None}, {"stem_conv", "block1a_dwconv", "top_conv"}},
      // EfficientNetV2 without its preprocessing layers (which decide first): S (block6o), M
      // and L (block7a) read x / 128 - 1, about 'tf'; B0 .. B3 torch's normalization.
      {{"EfficientNetV2", Preprocessing::Tf}, {"stem_conv", "block4a_dwconv2", "block7a_dwconv2"}},
      {{"EfficientNetV2", Preprocessing::Tf}, {"stem_conv", "block4a_dwconv2", "block6o_dwconv2"}},
      {{"EfficientNetV2", Preprocessing::Torch}, {"stem_conv", "block4a_dwconv2", "top_conv"}},
  };
  // ConvNeXt's layers carry the model's name (convnext_tiny_stem_conv ...); without
  // include_preprocessing's Normalization (which decides first) it reads ImageNet's 'torch'.
  for (const char* model :
       {"convnext_tiny", "convnext_small", "convnext_base", "convnext_large", "convnext_xlarge"}) {
    const std::string m = model;
    if (graph.find(m + "_stem_conv") && graph.find(m + "_stage_0_block_0_layer_scale"))
      return LayerFamily{"ConvNeXt", Preprocessing::Torch};
  }
  for (const auto& signature : signatures) {
    bool all = true;
    for (const char* layer : signature.layers) all = all && graph.find(layer) != nullptr;
    if (all) return signature.family;
  }
  return std::nullopt;
}

}  // namespace graft::zoo
