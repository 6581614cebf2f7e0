#include "runtime/training/trainer_checkpoint.h"

#include <filesystem>

#include "io/keras_h5_writer.h"
#include "io/project_file.h"

namespace graft {

namespace fs = std::filesystem;

namespace {

std::string extensionOf(const std::string& path) {
  return fs::path(path).extension().string();
}

}  // namespace

void checkCheckpointPath(const std::string& path) {
  const std::string ext = extensionOf(path);
  if (ext != ".graft" && ext != ".h5")
    throw Error(Diagnostic{path,
                           "name the trained model *.graft (a Graft project: graph, "
                           "weights, labels, preprocessing) or *.h5 (Keras-layout weights "
                           "only)"});
  const fs::path parent = fs::path(path).has_parent_path() ? fs::path(path).parent_path() : ".";
  std::error_code ec;
  if (!fs::is_directory(parent, ec))
    throw Error(Diagnostic{path, "the folder " + parent.string() + " does not exist"});
  if (fs::is_directory(path, ec)) throw Error(Diagnostic{path, "is a folder, not a file name"});
}

void saveTrainedModel(const Model& model, const std::string& path) {
  checkCheckpointPath(path);
  if (extensionOf(path) == ".graft")
    saveProject(model, path);
  else
    saveKerasWeights(model, path);
}

}  // namespace graft
