#include "export/onnx_export.h"

#include <onnx/checker.h>
#include <onnx/shape_inference/implementation.h>

#include <fstream>
#include <opencv2/core/version.hpp>
#include <opencv2/dnn.hpp>

#include "export/onnx_emitters.h"
#include "io/atomic_file.h"

namespace graft::exporting {

namespace {

const char* const kFormat = "ONNX";

void setShape(onnx::ValueInfoProto& value, const std::string& name, const Shape& shape) {
  value.set_name(name);
  auto* tensor = value.mutable_type()->mutable_tensor_type();
  tensor->set_elem_type(onnx::TensorProto::FLOAT);
  auto* dims = tensor->mutable_shape();
  for (size_t d = 0; d < shape.size(); ++d) {
    auto* dim = dims->add_dim();
    if (d == 0)
      dim->set_dim_param("batch");  // any batch size
    else
      dim->set_dim_value(shape[d]);
  }
}

void addMetadata(onnx::ModelProto& model, const std::string& key, const std::string& value) {
  auto* entry = model.add_metadata_props();
  entry->set_key(key);
  entry->set_value(value);
}

onnx::ModelProto buildModel(const Model& source, const ExportPlan& plan) {
  onnx::ModelProto model;
  model.set_ir_version(onnx::IR_VERSION);
  model.set_producer_name("Graft");
  model.set_producer_version(GRAFT_VERSION);
  model.set_doc_string(
      "Exported by Graft. Input: a float32 batch, already preprocessed (see metadata "
      "'preprocessing'), NCHW for images. Output: Graft's output in Keras's layout.");
  auto* opset = model.add_opset_import();
  opset->set_domain("");
  opset->set_version(kOnnxOpset);

  onnx::GraphProto& graph = *model.mutable_graph();
  graph.set_name(source.graph.name().empty() ? "graft" : source.graph.name());
  onnx_export::NameTable names;
  std::map<std::string, std::string> results;  // layer -> tensor holding its output
  const auto& table = onnx_export::emitters();
  for (const auto& layer : plan.layers) {
    std::vector<std::string> inputs;
    if (layer.className() == "InputLayer") {
      const std::string name = names.unique(layer.name());
      setShape(*graph.add_input(), name, runtimeInputShape(plan.inputShape));
      inputs.push_back(name);
    }
    for (const auto& producer : layer.node->inputs) inputs.push_back(results.at(producer));
    // The output layer's own result is renamed below when a layout change or alias follows.
    const bool isOutput = layer.name() == plan.outputName;
    const std::string out = isOutput ? layer.name() + "/result" : layer.name();
    onnx_export::LayerNodes nodes(layer, inputs, out, graph, names);
    nodes.result = out;
    table.at(layer.className()).emit(nodes);
    results[layer.name()] = nodes.result;
  }
  // Keras's layout out, as `graft-cli predict` prints it (feature maps NHWC), under the output
  // layer's name.
  onnx_export::LayerNodes tail(plan.layers.back(), {results.at(plan.outputName)}, plan.outputName,
                               graph, names);
  onnx::NodeProto& out =
      tail.node(plan.outputShape.size() == 4 ? "Transpose" : "Identity", tail.in, "");
  if (plan.outputShape.size() == 4)
    onnx_export::attribute(out, "perm", std::vector<int64_t>{0, 2, 3, 1});
  setShape(*graph.add_output(), out.output(0), plan.outputShape);

  const Json metadata = exportMetadata(source, plan);
  addMetadata(model, "preprocessing", metadata.at("preprocessing").get<std::string>());
  addMetadata(model, "labels", metadata.at("labels").dump());
  addMetadata(model, "input_layout", metadata.at("input").at("layout").get<std::string>());
  addMetadata(model, "output_layout", metadata.at("output").at("layout").get<std::string>());
  addMetadata(model, "graft", metadata.dump());
  return model;
}

// What onnx.checker.check_model(model, full_check=True) does: the structural checker, then
// shape inference with type checks and errors on.
void validate(const onnx::ModelProto& model) {
  try {
    onnx::checker::check_model(model);
    onnx::ModelProto inferred = model;
    onnx::shape_inference::InferShapes(inferred, onnx::OpSchemaRegistry::Instance(),
                                       onnx::ShapeInferenceOptions(true, 1));
  } catch (const std::exception& e) {
    throw Error(std::string("the generated ONNX model fails ONNX's checker (a bug in Graft): ") +
                e.what());
  }
}

}  // namespace

Diagnostics onnxRefusals(const ExportPlan& plan) {
  Diagnostics refused;
  const auto& table = onnx_export::emitters();
  for (const auto& layer : plan.layers) {
    auto it = table.find(layer.className());
    if (it == table.end()) {
      refused.push_back(refusal(layer, kFormat, "no ONNX form is known for this class"));
    } else if (it->second.refuse) {
      if (std::string why = it->second.refuse(layer); !why.empty())
        refused.push_back(refusal(layer, kFormat, why));
    }
  }
  return refused;
}

void writeOnnx(const Model& model, const ExportPlan& plan, const std::string& path) {
  if (Diagnostics refused = onnxRefusals(plan); !refused.empty()) throw Error(refused);
  const onnx::ModelProto proto = buildModel(model, plan);
  validate(proto);
  // path: writeAtomically's temporary, whose message names the file the user asked for.
  writeStreamed(
      path,
      [&](std::ostream& out) {
        if (!proto.SerializeToOstream(&out))
          throw Error("cannot write the ONNX file: the model could not be serialised");
      },
      "", "the ONNX file");
}

torch::Tensor runOnnxWithOpenCv(const std::string& path, const torch::Tensor& input) {
  try {
    cv::dnn::Net net = cv::dnn::readNetFromONNX(path);
    const torch::Tensor x = input.to(torch::kFloat32).contiguous();
    std::vector<int> sizes(x.sizes().begin(), x.sizes().end());
    cv::Mat blob(static_cast<int>(sizes.size()), sizes.data(), CV_32F, x.data_ptr<float>());
    net.setInput(blob);
    cv::Mat out = net.forward();
    std::vector<int64_t> shape;
    for (int d = 0; d < out.dims; ++d) shape.push_back(out.size[d]);
    return torch::from_blob(out.ptr<float>(), shape, torch::kFloat32).clone();
  } catch (const cv::Exception& e) {
    throw Error(path + ": " + openCvDnnName() + " could not run the file: " + e.what());
  }
}

std::string openCvDnnName() {
  return std::string("OpenCV DNN ") + CV_VERSION;
}

}  // namespace graft::exporting
