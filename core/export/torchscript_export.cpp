#include "export/torchscript_export.h"

#include <torch/script.h>

#include <fstream>
#include <set>
#include <sstream>

#include "export/torchscript_emitters.h"
#include "io/atomic_file.h"

namespace graft::exporting {

namespace {

const char* const kFormat = "TorchScript";

// Keras names may hold any character; TorchScript attributes and locals are Python identifiers.
std::string identifier(const std::string& name) {
  static const std::set<std::string> keywords = {
      "False", "None",     "True",  "and",    "as",   "assert", "async",  "await",    "break",
      "class", "continue", "def",   "del",    "elif", "else",   "except", "finally",  "for",
      "from",  "global",   "if",    "import", "in",   "is",     "lambda", "nonlocal", "not",
      "or",    "pass",     "raise", "return", "try",  "while",  "with",   "yield"};
  std::string id;
  for (char ch : name) id += (std::isalnum(static_cast<unsigned char>(ch)) || ch == '_') ? ch : '_';
  if (id.empty() || std::isdigit(static_cast<unsigned char>(id[0]))) id = "layer_" + id;
  if (keywords.count(id)) id += "_";
  return id;
}

struct Generated {
  std::string source;
  std::vector<std::pair<std::string, ts::LayerCode>> layers;  // attribute name, its code
};

Generated generate(const ExportPlan& plan) {
  // Names the module itself uses are not available to layers.
  std::set<std::string> taken = {"training", "forward",  "same_padding", "preprocessing",
                                 "labels",   "metadata", "self",         "torch"};
  std::map<std::string, std::string> locals;  // layer -> local variable in forward()
  Generated g;
  const auto& table = ts::emitters();
  bool samePadding = false;
  std::string body;
  for (const auto& layer : plan.layers) {
    std::string id = identifier(layer.name());
    for (int n = 2; taken.count(id); ++n) id = identifier(layer.name()) + "_" + std::to_string(n);
    taken.insert(id);
    std::vector<std::string> inputs;
    if (layer.className() == "InputLayer") inputs.push_back("x");
    for (const auto& producer : layer.node->inputs) inputs.push_back(locals.at(producer));
    locals[layer.name()] = "x_" + id;
    ts::LayerCode code(layer, inputs, "x_" + id, "self." + id);
    table.at(layer.className())(code);
    samePadding = samePadding || code.usesSamePadding;
    body += "    # " + layer.name() + " (" + layer.className() + ")\n";
    for (const auto& line : code.lines()) body += "    " + line + "\n";
    g.layers.emplace_back(id, std::move(code));
  }
  std::string result = locals.at(plan.outputName);
  // Keras's layout out, as `graft-cli predict` prints it: feature maps NHWC.
  if (plan.outputShape.size() == 4) result += ".permute([0, 2, 3, 1])";
  g.source = "def forward(self, x: Tensor) -> Tensor:\n" + body + "    return " + result + "\n";
  if (samePadding) g.source += ts::kSamePaddingMethod;
  return g;
}

}  // namespace

Diagnostics torchScriptRefusals(const ExportPlan& plan) {
  Diagnostics refused;
  for (const auto& layer : plan.layers)
    if (!ts::emitters().count(layer.className()))
      refused.push_back(refusal(layer, kFormat, "no TorchScript form is known for this class"));
  return refused;
}

void writeTorchScript(const Model& model, const ExportPlan& plan, const std::string& path) {
  if (Diagnostics refused = torchScriptRefusals(plan); !refused.empty()) throw Error(refused);
  Generated g = generate(plan);
  auto cu = std::make_shared<torch::jit::CompilationUnit>();
  torch::jit::Module root(c10::QualifiedName("__torch__.graft.GraftModel"), cu, true);
  // Python's Module.train()/eval() read and set `training` on every module.
  root.register_attribute("training", c10::BoolType::get(), false);
  for (auto& [id, code] : g.layers) {
    if (code.tensors().empty()) continue;
    torch::jit::Module holder(c10::QualifiedName("__torch__.graft.layers." + id), cu, true);
    holder.register_attribute("training", c10::BoolType::get(), false);
    for (const auto& t : code.tensors()) {
      torch::Tensor value = t.value.detach().contiguous();
      if (!t.buffer) value.set_requires_grad(code.layer.node->trainable);
      holder.register_parameter(t.name, value, t.buffer);
    }
    root.register_module(id, holder);
  }
  const Json metadata = exportMetadata(model, plan);
  c10::List<std::string> labels;
  for (const auto& l : model.labels) labels.push_back(l);
  root.register_attribute("preprocessing", c10::StringType::get(),
                          metadata.at("preprocessing").get<std::string>());
  root.register_attribute("labels", c10::ListType::ofStrings(), labels);
  root.register_attribute("metadata", c10::StringType::get(), metadata.dump());
  try {
    root.define(g.source);
  } catch (const c10::Error& e) {
    throw Error(std::string("the generated TorchScript does not compile (a bug in Graft): ") +
                e.what_without_backtrace());
  }
  root.eval();
  torch::jit::ExtraFilesMap extra{{"graft.json", metadata.dump(2)}};
  // Through a stream: saved to a file name, the ZIP's folder is named after the file, which
  // here is the atomic write's hidden temporary (".model.pt.tmp-..."); a stream's is "archive",
  // as torch.jit.save to a buffer writes it.
  // Streamed through writeStreamed, whose stream never fails: LibTorch's ZIP writer finishes the
  // archive in its destructor, and a stream failing on a full disk made it throw there, which
  // ended the process (exit 134, the temporary file left behind).
  // `path` is writeAtomically's temporary: its message names the file the user asked for.
  writeStreamed(
      path,
      [&](std::ostream& archive) {
        try {
          root.save(archive, extra);
        } catch (const c10::Error& e) {
          throw Error(std::string("cannot write the TorchScript file: ") +
                      e.what_without_backtrace());
        }
      },
      "", "the TorchScript file");
}

torch::Tensor runTorchScript(const std::string& path, const torch::Tensor& input) {
  try {
    torch::jit::Module module = torch::jit::load(path);
    module.eval();
    torch::NoGradGuard noGrad;
    return module.forward({input}).toTensor().contiguous();
  } catch (const c10::Error& e) {
    throw Error(path + ": torch::jit::load could not run the file: " + e.what_without_backtrace());
  }
}

}  // namespace graft::exporting
