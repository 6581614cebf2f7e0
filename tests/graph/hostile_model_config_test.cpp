// model_config JSON whose fields have the wrong types (found by tests/fuzz/fuzz_model_config):
// each must be refused with a graft::Error naming the layer entry or field, never with
// nlohmann's own exception (which graft-cli would report without naming anything).
#include <gtest/gtest.h>

#include <string>

#include "graph/diagnostic.h"
#include "graph/keras_json.h"

namespace graft {
namespace {

std::string refusal(const std::string& text) {
  try {
    graphFromKerasJsonText(text);
  } catch (const Error& e) {
    return e.what();
  }
  ADD_FAILURE() << "accepted " << text;
  return {};
}

const std::string kInput =
    R"({"class_name": "InputLayer", "config": {"name": "in", "batch_input_shape": [null, 4]}})";

// The fuzzer's first crash: a Sequential layer whose "config" key was mangled, so the next layer
// read as {"class_name": ..., "config": null} and Json::value() threw type_error.306.
TEST(HostileModelConfig, NullLayerConfigNamesTheEntry) {
  const std::string message = refusal(R"({"class_name": "Sequential", "config": {"layers": [)" +
                                      kInput + R"(, {"class_name": "Dense", "config": null}]}})");
  EXPECT_NE(message.find("config.layers[1]: a field has the wrong type"), std::string::npos)
      << message;
}

TEST(HostileModelConfig, WrongTypesInAFunctionalLayerNameTheEntry) {
  for (const std::string layer :
       {R"({"class_name": 7, "config": {"name": "d"}, "inbound_nodes": []})",
        R"({"class_name": "Dense", "name": 3, "config": {}, "inbound_nodes": []})",
        R"({"class_name": "Dense", "config": {"name": "d", "trainable": "yes"}})"}) {
    const std::string message =
        refusal(R"({"class_name": "Functional", "config": {"layers": [)" + kInput + ", " + layer +
                R"(], "output_layers": [["d", 0, 0]]}})");
    EXPECT_NE(message.find("config.layers[1]"), std::string::npos) << layer << ": " << message;
  }
}

TEST(HostileModelConfig, WrongTypesOutsideTheLayersAreRefused) {
  for (const std::string text :
       {R"({"class_name": "Sequential", "config": {"layers": {}}})",
        R"({"class_name": "Sequential", "config": 5})", R"({"class_name": 5, "config": {}})",
        R"({"class_name": "Functional", "config": {"layers": [], "name": 1}})"}) {
    const std::string message = refusal(text);
    EXPECT_FALSE(message.empty()) << text;
  }
}

}  // namespace
}  // namespace graft
