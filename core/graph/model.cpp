#include "graph/model.h"

namespace graft {

std::string preprocessingName(Preprocessing p) {
  switch (p) {
    case Preprocessing::None:
      return "none";
    case Preprocessing::Caffe:
      return "caffe";
    case Preprocessing::Tf:
      return "tf";
    case Preprocessing::Torch:
      return "torch";
    case Preprocessing::Unit:
      return "unit";
  }
  return "none";
}

Preprocessing preprocessingFromName(const std::string& name) {
  if (name == "none") return Preprocessing::None;
  if (name == "caffe") return Preprocessing::Caffe;
  if (name == "tf") return Preprocessing::Tf;
  if (name == "torch") return Preprocessing::Torch;
  if (name == "unit") return Preprocessing::Unit;
  throw Error("unknown preprocessing '" + name + "' (expected none, caffe, tf, torch or unit)");
}

bool changesNothing(const Model& before, const Model& after) {
  return before.graph == after.graph && before.preprocessing == after.preprocessing &&
         before.labels == after.labels && before.weightsSource == after.weightsSource &&
         before.untrainedLayers == after.untrainedLayers &&
         before.trainedInputSize == after.trainedInputSize &&
         before.weights.sharesEveryBufferWith(after.weights);
}

std::string classNamesCount(size_t n) {
  return std::to_string(n) + (n == 1 ? " class name" : " class names");
}

std::string classesCount(int64_t n) {
  return std::to_string(n) + (n == 1 ? " class" : " classes");
}

}  // namespace graft
