#pragma once
// Graphs in Keras's model_config form: {"class_name": "Functional", "config": {"name",
// "layers": [{"class_name", "name", "config", "inbound_nodes"}], "input_layers",
// "output_layers"}}. Reads Functional/Model (Keras 1, 2 and 3 inbound formats) and Sequential.
#include "graph/graph.h"
#include "graph/layer_registry.h"

namespace graft {

// Throws graft::Error naming the layer or JSON field that is wrong. Configs are normalized
// (Keras's defaults filled in) and Keras 1 layer spellings are translated.
//
// `kerasVersion` is the Keras that wrote the file, where the file says so apart from the
// config (a .keras archive's metadata.json, an HDF5 file's keras_version attribute); empty: the
// JSON's own "keras_version" (Keras 2's to_json writes one), else the config's form (Keras 3
// alone writes InputLayer's batch_shape and call arguments as objects). A graph speaks Keras
// 2's activation names; where Keras 3 gives a name another meaning, Keras 3's function gets its
// own name: a Keras 3 "hard_sigmoid" (relu6(x + 3) / 6) is read as "hard_sigmoid_keras3" (Keras
// 2's is clip(0.2 x + 0.5, 0, 1)). A writer of Keras 3 configs must map it back.
Graph graphFromKerasJson(const Json& modelConfig,
                         const LayerRegistry& registry = LayerRegistry::standard(),
                         const std::string& kerasVersion = "");
Graph graphFromKerasJsonText(const std::string& text,
                             const LayerRegistry& registry = LayerRegistry::standard(),
                             const std::string& kerasVersion = "");

// Keras's augmentation layers (RandomFlip, RandomRotation, RandomZoom, RandomTranslation,
// RandomContrast, RandomBrightness, RandomHeight, RandomWidth) return their input unchanged
// outside training: graphFromKerasJson leaves them out (their consumers read their input). The
// ones a config holds, as "RandomFlip 'random_flip'", for the loader to say so.
std::vector<std::string> augmentationLayersLeftOut(const Json& modelConfig);

// What graphFromKerasJson made of each RandomCrop whose input is not its own size, as the Keras
// of the file computes it outside training (Resizing, Cropping2D, or the image unchanged), one
// sentence each for the loader to say; none where every RandomCrop kept its input's size.
std::vector<std::string> randomCropsReadByVersion(const Json& modelConfig, const Graph& graph,
                                                  const std::string& kerasVersion);

// The nested models graphFromKerasJson leaves out (LeftOutModel): every member an augmentation
// layer, an InputLayer or such a model.
std::vector<LeftOutModel> nestedModelsLeftOut(const Json& modelConfig);

// The mixed-precision dtype policy a model was built with ("mixed_float16", "mixed_bfloat16":
// Keras computes those layers in 16 bits), or "" when none. Graft computes in float32.
std::string mixedPrecisionPolicyOf(const Json& modelConfig);

// How many layer configs say data_format "channels_first" (such a model is read as channels_last,
// graph/channels_first.h), and how many Permute layers the config itself has.
struct ChannelsFirstCount {
  size_t layers = 0, permutes = 0;
};
ChannelsFirstCount channelsFirstLayersOf(const Json& modelConfig);

// The keys of a Keras 3 Functional's named inputs and outputs (input_layers / output_layers
// written as a dict: Input(...) passed as {"image": x}, outputs {"probs": y}), "inputs: image;
// outputs: probs"; "" when they are lists. Graft keeps the layers, not the names.
std::string namedInputsAndOutputsOf(const Json& modelConfig);

// Whether a config was written by Keras 3, by the rules above.
bool isKeras3Config(const Json& modelConfig, const std::string& kerasVersion = "");

// JSON parsing for untrusted files: nesting is bounded (graft::limits), errors name `what`.
Json parseBoundedJson(const std::string& text, const std::string& what);
// The bound alone, for Json::parse(text, guard) where the caller words the syntax errors: throws
// graft::Error "WHAT is nested more than N levels deep" while parsing. Without it a document of
// a million '[' overflows the stack (a recipe or plan file crashed graft-cli so).
Json::parser_callback_t jsonDepthGuard(const std::string& what);
// The bound, and one key once per object, for files people write (recipes, pipelines, plans,
// projects, a config typed in the GUI): JSON parsers keep the last of two equal keys, so a
// pasted-over "learning_rate" silently replaced the first. Throws graft::Error "WHAT: $.path has
// the key "K" twice ...". Keras's own files keep depthGuard's leniency (Python's json does too).
Json::parser_callback_t jsonInputGuard(const std::string& what);

// Functional model_config with Keras 2 inbound_nodes, readable by Keras and by graphFromKerasJson.
Json graphToKerasJson(const Graph& graph);

// A Keras 1 layer ({"class_name": "Convolution2D", "config": {"nb_filter", ...}}) rewritten with
// today's class name and keys; other layers come back unchanged.
Json upgradeKeras1Layer(const Json& layer);

}  // namespace graft
