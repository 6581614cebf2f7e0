// A recipe file, as `graft-cli edit MODEL --recipe FILE` reads and applies it, on a small
// MobileNet (alpha 0.25, 32 x 32, no top) whose layer names the seed recipes use. Refusals are
// graft::Errors or failed Expected results; anything else is a finding.
#include <new>

#include "fuzz_input_file.h"
#include "graph/diagnostic.h"
#include "io/model_source.h"
#include "io/recipe.h"

namespace {

const graft::Model& baseModel() {
  static const graft::Model model = [] {
    graft::ModelSpec spec;
    spec.source = "mobilenet";
    spec.alpha = 0.25;
    spec.inputSize = 32;
    spec.includeTop = false;
    return graft::loadModel(spec).model;
  }();
  return model;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const graft::Model& model = baseModel();
  try {
    const graft::Json operations =
        graft::readRecipeFile(graft::fuzz::writeInputFile(data, size, ".recipe.json"));
    graft::applyRecipe(model, operations);
  } catch (const graft::Error&) {
  } catch (const std::bad_alloc&) {
    // Within graft::limits (8 GiB per tensor) but beyond this process's allocation cap
    // (max_allocation_size_mb in run_fuzzers.sh): a legitimate refusal here.
  }
  return 0;
}
