#include "io/graft_metadata.h"

#include "graph/diagnostic.h"
#include "io/hdf5_file.h"

namespace graft {

Json graftMetadata(const Model& model) {
  Json graft = {{"preprocessing", preprocessingName(model.preprocessing)}};
  if (!model.labels.empty()) graft["labels"] = model.labels;
  // A free-size model's size it was trained at: reopened, it predicts at that size again (the
  // export of a model trained at 64 predicted at 224).
  if (model.trainedInputSize > 0) graft["trained_input_size"] = model.trainedInputSize;
  return graft;
}

Json readGraftH5Metadata(const std::string& path) {
  const h5::File file = h5::File::openReadOnly(path);
  if (!file.exists(kGraftMetadataDataset)) return nullptr;
  // Damaged, it is noted as a value Graft cannot use: no reason to refuse the weights.
  try {
    return Json::parse(file.text(kGraftMetadataDataset, "what Graft recorded of the model"),
                       nullptr, /*allow_exceptions=*/false);
  } catch (const Error&) {
    return Json(Json::value_t::discarded);
  }
}

}  // namespace graft
