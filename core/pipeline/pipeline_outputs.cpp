#include "pipeline/pipeline_outputs.h"

#include <filesystem>
#include <optional>

#include "graph/diagnostic.h"
#include "io/zoo/zoo.h"
#include "run/export_spec.h"
#include "runtime/training/trainer_checkpoint.h"

namespace graft {
namespace {

namespace fs = std::filesystem;

struct NamedFile {
  std::string path;
  std::string where;         // "exports[1].output", "model.weights", "--junit"
  std::string exportFormat;  // an export's format name, else ""
};

// The same file whether named relatively, absolutely or through a link to it.
std::string identity(const std::string& path) {
  std::error_code ec;
  const fs::path canonical = fs::weakly_canonical(fs::absolute(path), ec);
  return ec ? fs::absolute(path).lexically_normal().string() : canonical.string();
}

std::vector<NamedFile> inputsOf(const Pipeline& p) {
  std::vector<NamedFile> inputs;
  if (!p.path.empty()) inputs.push_back({p.path, "the pipeline file"});
  if (!zoo::isArchitecture(p.model.source)) inputs.push_back({p.model.source, "model.source"});
  if (!p.model.weightsFile.empty()) inputs.push_back({p.model.weightsFile, "model.weights"});
  if (!p.model.labelsFile.empty()) inputs.push_back({p.model.labelsFile, "model.labels"});
  if (p.train && p.train->plan.is_string())
    inputs.push_back({p.train->plan.get<std::string>(), "train.plan"});
  return inputs;
}

std::vector<NamedFile> outputsOf(const Pipeline& p, const std::vector<ExtraOutput>& extra) {
  std::vector<NamedFile> outputs;
  if (p.train && !p.train->output.empty()) outputs.push_back({p.train->output, "train.output"});
  if (p.train && !p.train->log.empty()) outputs.push_back({p.train->log, "train.log"});
  if (!p.output.empty()) outputs.push_back({p.output, "output"});
  for (size_t i = 0; i < p.exports.size(); ++i)
    outputs.push_back({p.exports[i].output, "exports[" + std::to_string(i) + "].output",
                       exportFormatName(p.exports[i].format)});
  for (const auto& e : extra) outputs.push_back({e.path, e.what});
  return outputs;
}

std::optional<std::string> folderProblem(const std::string& path) {
  const fs::path file(path);
  const fs::path parent = file.has_parent_path() ? file.parent_path() : fs::path(".");
  std::error_code ec;
  if (fs::is_directory(file, ec)) return path + " is a folder, not a file name";
  if (!fs::is_directory(parent, ec)) return "the folder " + parent.string() + " does not exist";
  return std::nullopt;
}

}  // namespace

void checkPipelineOutputs(const Pipeline& p, const std::vector<ExtraOutput>& extra) {
  const std::string source = p.path.empty() ? std::string("pipeline") : p.path;
  auto fail = [&](const NamedFile& out, const std::string& message) {
    throw Error(source + ": " + out.where + ": " + message);
  };
  const std::vector<NamedFile> inputs = inputsOf(p);
  const std::vector<NamedFile> outputs = outputsOf(p, extra);
  for (size_t i = 0; i < outputs.size(); ++i) {
    const NamedFile& out = outputs[i];
    if (auto problem = folderProblem(out.path)) fail(out, *problem);
    if (out.where == "output") {
      try {
        checkCheckpointPath(out.path);
      } catch (const Error& e) {
        fail(out, e.what());
      }
    }
    if (!out.exportFormat.empty()) {
      const std::string name = exportFileNameProblem(out.exportFormat, out.path);
      if (!name.empty()) fail(out, name);
    }
    const std::string id = identity(out.path);
    for (const auto& in : inputs)
      if (identity(in.path) == id)
        fail(out, out.path + " is " +
                      (in.where == "the pipeline file" ? in.where : "the " + in.where + " file") +
                      ": the run would write over what it reads");
    for (size_t j = 0; j < i; ++j) {
      const bool modelAndItsCheckpoint =
          outputs[j].where == "train.output" && out.where == "output";
      if (!modelAndItsCheckpoint && identity(outputs[j].path) == id)
        fail(out, out.path + " is also " + outputs[j].where + "; give each output its own file");
    }
  }
}

}  // namespace graft
