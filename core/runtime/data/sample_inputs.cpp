#include "runtime/data/sample_inputs.h"

#include <algorithm>
#include <filesystem>

#include "graph/analysis.h"
#include "runtime/data/dataset.h"
#include "runtime/data/image_resize.h"
#include "runtime/data/preprocess.h"

namespace graft {

namespace fs = std::filesystem;

std::vector<std::string> listSampleImages(const std::string& folder, int64_t count) {
  if (count < 1)
    throw Error("sample images: the count must be at least 1, got " + std::to_string(count));
  std::error_code ec;
  if (!fs::exists(folder, ec)) throw Error(folder + ": no such folder (of sample images)");
  if (!fs::is_directory(folder, ec))
    throw Error(folder + ": not a folder (expected a folder of sample images)");
  std::vector<std::string> all;
  for (fs::recursive_directory_iterator
           it(folder, fs::directory_options::skip_permission_denied, ec),
       end;
       !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (!name.empty() && name[0] == '.') {  // .ipynb_checkpoints, .DS_Store, ...
      if (it->is_directory(ec)) it.disable_recursion_pending();
      continue;
    }
    if (it->is_regular_file(ec) && hasImageExtension(name)) all.push_back(it->path().string());
  }
  if (all.empty())
    throw Error(folder + ": no images found (looked for " + imageExtensionList() + " files)");
  std::sort(all.begin(), all.end());
  if (static_cast<int64_t>(all.size()) <= count) return all;
  std::vector<std::string> picked;
  for (int64_t i = 0; i < count; ++i)
    picked.push_back(all[static_cast<size_t>(i * static_cast<int64_t>(all.size()) / count)]);
  return picked;
}

torch::Tensor loadSampleInputs(const Model& model, const std::vector<std::string>& files,
                               int64_t freeInputSize) {
  const std::vector<std::string> inputs = model.graph.inputs();
  if (inputs.size() != 1)
    throw Error("sample images need a model with one input; '" + model.graph.name() + "' has " +
                std::to_string(inputs.size()));
  const GraphAnalysis analysis = analyzeOrThrow(model.graph);
  const Shape input = analysis.find(inputs.front())->outputShape;
  if (!isImageInput(input))
    throw Error(Diagnostic{inputs.front(),
                           "sample images need an image input (None, height, "
                           "width, 1 or 3 channels) or (None, height, width), the model's is " +
                               shapeToString(input)});
  // An unreadable file is skipped, as training and probing skip them: one damaged photo among
  // the samples should not stop a fit that the others can make.
  std::vector<cv::Mat> images;
  std::string firstProblem;
  for (const auto& file : files) {
    try {
      images.push_back(loadImageForInput(file, input, FreeInputSize{freeInputSize}));
    } catch (const Error& e) {
      if (firstProblem.empty()) firstProblem = e.what();
    }
  }
  if (images.empty())
    throw Error("none of the " + std::to_string(files.size()) +
                " sample images could be read; the first: " + firstProblem);
  return asModelInput(preprocessBatch(images, model.preprocessing), input);
}

}  // namespace graft
