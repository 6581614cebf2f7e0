// A Keras model_config JSON as `graft-cli summary MODEL.json` reads it: parsed, turned into a
// graph, shapes inferred and parameters counted (loadModel would then draw random weights, which
// only measures memory). Refusals are graft::Errors or diagnostics; anything else is a finding.
#include <new>
#include <string>

#include "graph/analysis.h"
#include "graph/diagnostic.h"
#include "graph/keras_json.h"
#include "graph/summary.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    const graft::Graph graph = graft::graphFromKerasJsonText(text);
    const graft::GraphAnalysis analysis = graft::analyze(graph);
    if (analysis.ok()) graft::graphToKerasJson(graph);
  } catch (const graft::Error&) {
  } catch (const std::bad_alloc&) {
    // Within graft::limits (8 GiB per tensor) but beyond this process's allocation cap
    // (max_allocation_size_mb in run_fuzzers.sh): a legitimate refusal here.
  }
  return 0;
}
