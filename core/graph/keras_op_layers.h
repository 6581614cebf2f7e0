#pragma once
// Keras layers that stand for code rather than for a layer type, read as Graft layer types
// where the code is one Graft knows:
//
// - TFOpLambda, which tf.keras 2.4-2.15 writes for TensorFlow functions called on tensors in a
//   functional model (`x + 3.0` is tf.__operators__.add, `x * (1 / 6)` tf.math.multiply: how
//   Keras's MobileNetV3 builds hard-sigmoid). Its config names the function only; the operands
//   are in its inbound node: the first argument is the node's tensor reference (or
//   ["_CONSTANT_VALUE", -1, value]) and the others are in the reference's kwargs ({"y": 3.0,
//   "name": null}, a tensor as [layer, node, index]); the node is not wrapped in a list
//   (_preserve_input_structure_in_config). Read as the TFOpLambda layer type with the config
//   {"function": canonical name, "operands": [null for each input tensor in order, or the
//   constant]}; written back in Keras's form by graphToKerasJson.
// - Lambda with two inputs and `arguments: {"scale": s}`: InceptionResNetV2's residual scaling
//   x + branch * scale (Keras <= 2.12; Keras 2.13+ and 3 write CustomScaleLayer, its own
//   class, for the same). Read as CustomScaleLayer; any other Lambda holds Python code Graft
//   cannot run.
#include <string>

#include "graph/graph.h"

namespace graft {

// - Keras 3's operations on symbolic tensors ({"module": "keras.src.ops.numpy", "class_name":
//   "Add"} with the operands in the node's "args": Keras 3's MobileNetV3 writes its `x + 3.0`
//   so), read as TFOpLambda of the same function.

// TFOpLambda, Lambda or a Keras 3 operation: an entry rewriteOpLayer reads.
bool isOpLayer(const Json& layer);

// A layer entry (Keras 1 spellings already upgraded) rewritten as the Graft layer type above;
// any other entry comes back unchanged. Throws graft::Error naming the layer for an op layer
// Graft cannot run (the same text unsupportedOpLayer gives).
Json rewriteOpLayer(const Json& layer);

// For an op layer entry (isOpLayer) Graft cannot run: what to call it in the list of unsupported
// layer types ("TFOpLambda tf.math.reduce_mean", "Lambda (Python code)"); "" when it can be read.
std::string unsupportedOpLayer(const Json& layer);

// The TFOpLambda functions Graft computes, with the Keras activation each unary one is
// ("nn.relu6" -> "relu6"; "" for the binary ones).
struct OpFunction {
  std::string name;
  int arity = 1;
  std::string activation;  // unary: the Keras activation it equals
  std::string operation;   // binary: "add", "subtract", "multiply", "divide", "maximum", "minimum"
};
const OpFunction* findOpFunction(const std::string& name);
// "tf.__operators__.add, tf.math.add, ..." and "Add, Divide, ..." (Keras 3's) for messages.
std::string opFunctionList();
std::string keras3OpList();

// The Keras 3 operation that computes a TFOpLambda function (its canonical name, as
// findOpFunction takes it), as a .keras file records it: the module ("keras.src.ops.numpy" or
// "keras.src.ops.nn") and the class ("Add", "Relu6", ...). Both empty when Keras 3 has none.
struct Keras3Operation {
  std::string module;
  std::string className;
};
Keras3Operation keras3OperationFor(const std::string& function);

// The inbound node Keras writes for a TFOpLambda node: the first operand's reference (or
// constant) with the other operands in its kwargs. `inputs` are the node's input layers.
Json tfOpLambdaInboundNodes(const Node& node);

}  // namespace graft
