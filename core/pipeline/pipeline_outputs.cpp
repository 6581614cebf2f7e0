#include "pipeline/pipeline_outputs.h"

#include <filesystem>
#include <optional>

#include "graph/diagnostic.h"
#include "io/atomic_file.h"
#include "io/labels_file.h"
#include "io/zoo/zoo.h"
#include "run/export_spec.h"
#include "runtime/data/dataset.h"
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
  if (!p.model.labelsFile.empty()) {
    inputs.push_back({p.model.labelsFile, "model.labels"});
  } else if (!zoo::isArchitecture(p.model.source)) {
    // The class names Graft finds beside a model file are read too (export -o cls_classes.txt
    // replaced them).
    if (const auto beside = findLabelsBeside(p.model.source))
      inputs.push_back({*beside, "model's labels"});
  }
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

// The image folders the run reads: an output may not replace an image in one (a log written
// over a training image); other files there (a model beside the class folders) are no data.
std::vector<NamedFile> imageFoldersOf(const Pipeline& p) {
  std::vector<NamedFile> folders;
  if (p.train && !p.train->data.empty()) folders.push_back({p.train->data, "train.data"});
  if (p.train && !p.train->validationDir.empty())
    folders.push_back({p.train->validationDir, "train.val_dir"});
  if (p.eval && !p.eval->data.empty()) folders.push_back({p.eval->data, "eval.data"});
  return folders;
}

bool isInside(const std::string& file, const std::string& folder) {
  const fs::path f(identity(file)), d(identity(folder));
  auto fi = f.begin();
  for (auto di = d.begin(); di != d.end(); ++di, ++fi)
    if (fi == f.end() || *fi != *di) return false;
  return fi != f.end();
}

std::optional<std::string> folderProblem(const std::string& path) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) return path + " is a folder, not a file name";
  // Through a link, the folder of the file it points to (a link to a missing folder was found
  // only when the first epoch saved).
  if (const std::string why = cannotWriteIn(folderSavedIn(path)); !why.empty())
    return why + ", so " + path + " cannot be written";
  if (const std::string why = nameTooLong(path); !why.empty()) return path + ": " + why;
  if (const std::string why = cannotReplace(path); !why.empty()) return why;
  return std::nullopt;
}

}  // namespace

void checkPipelineInputs(const Pipeline& p) {
  const std::string source = p.path.empty() ? "the pipeline" : p.path;
  std::error_code ec;
  // Where it was looked for, whatever folder graft-cli runs in: taken from the pipeline's
  // folder, "../data" in the file was "data" from the working folder, which names neither.
  const auto where = [](const std::string& path) {
    std::error_code noFolder;  // the working folder deleted: the path as it is
    const fs::path absolute = fs::absolute(path, noFolder);
    return noFolder ? path : absolute.lexically_normal().string();
  };
  const auto file = [&](const std::string& path, const std::string& field) {
    if (path.empty() || fs::exists(path, ec)) return;
    throw Error(source + ": " + field + ": " + where(path) + ": no such file");
  };
  const auto folder = [&](const std::string& path, const std::string& field) {
    if (path.empty() || fs::is_directory(path, ec)) return;
    throw Error(source + ": " + field + ": " + where(path) +
                (fs::exists(path, ec) ? ": not a folder (one subfolder of images per class)"
                                      : ": no such folder"));
  };
  if (!zoo::isArchitecture(p.model.source)) file(p.model.source, "model.source");
  file(p.model.weightsFile, "model.weights");
  file(p.model.labelsFile, "model.labels");
  if (p.train) {
    if (p.train->plan.is_string()) file(p.train->plan.get<std::string>(), "train.plan");
    folder(p.train->data, "train.data");
    folder(p.train->validationDir, "train.val_dir");
  }
  if (p.eval) folder(p.eval->data, "eval.data");
  for (size_t i = 0; i < p.checks.size(); ++i)
    if (!p.checks[i].file.empty()) file(p.checks[i].file, "checks[" + std::to_string(i) + "]");
}

void checkPipelineOutputs(const Pipeline& p, const std::vector<ExtraOutput>& extra,
                          OutputNamer namer) {
  const std::string source = p.path.empty() ? std::string("pipeline") : p.path;
  const auto shown = [&](const std::string& where) { return namer ? namer(where) : where; };
  auto fail = [&](const NamedFile& out, const std::string& message) {
    throw Error((namer ? std::string() : source + ": ") + shown(out.where) + ": " + message);
  };
  const std::vector<NamedFile> inputs = inputsOf(p);
  const std::vector<NamedFile> outputs = outputsOf(p, extra);
  const std::vector<NamedFile> imageFolders = imageFoldersOf(p);
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
        fail(out,
             out.path + " is " +
                 (in.where == "the pipeline file" ? in.where : "the " + shown(in.where) + " file") +
                 ": the run would write over what it reads");
    std::error_code ec;
    if (hasImageExtension(out.path) && fs::exists(out.path, ec))  // an image the run reads
      for (const auto& folder : imageFolders)
        if (isInside(out.path, folder.path))
          fail(out, out.path + " is an image in " + shown(folder.where) + " (" + folder.path +
                        "), which the run reads");
    for (size_t j = 0; j < i; ++j) {
      const bool modelAndItsCheckpoint =
          outputs[j].where == "train.output" && out.where == "output";
      if (!modelAndItsCheckpoint && identity(outputs[j].path) == id)
        fail(out,
             out.path + " is also " + shown(outputs[j].where) + "; give each output its own file");
    }
  }
}

bool namesTheSameFile(const std::string& a, const std::string& b) {
  return identity(a) == identity(b);
}

std::vector<std::string> pipelineOutputFiles(const Pipeline& p) {
  std::vector<std::string> files;
  for (const auto& output : outputsOf(p, {})) files.push_back(output.path);
  return files;
}

}  // namespace graft
