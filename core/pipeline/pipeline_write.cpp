// Pipeline values to pipeline documents: the inverse of pipeline_parse.cpp, field for field, so
// that what the GUI saves is what `graft-cli run` reads.
#include <filesystem>

#include "io/atomic_file.h"
#include "io/zoo/zoo.h"
#include "pipeline/pipeline.h"
#include "pipeline/pipeline_spec.h"
#include "pipeline/pipeline_train.h"

namespace graft {

namespace {

namespace fs = std::filesystem;

Json modelJson(const ModelSpec& spec, const std::string& baseDir) {
  Json m;
  m["source"] = zoo::isArchitecture(spec.source) ? spec.source : portablePath(spec.source, baseDir);
  if (spec.alpha) m["alpha"] = *spec.alpha;
  if (spec.inputSize) m["input_size"] = *spec.inputSize;
  if (spec.includeTop) m["include_top"] = *spec.includeTop;
  if (spec.classes) m["classes"] = *spec.classes;
  if (!spec.pooling.empty()) m["pooling"] = spec.pooling;
  if (spec.minimalistic) m["minimalistic"] = *spec.minimalistic;
  if (spec.includePreprocessing) m["include_preprocessing"] = *spec.includePreprocessing;
  if (spec.dropoutRate) m["dropout_rate"] = *spec.dropoutRate;
  if (!spec.weightsFile.empty()) m["weights"] = portablePath(spec.weightsFile, baseDir);
  if (spec.preprocessing) m["preprocessing"] = *spec.preprocessing;
  if (!spec.labelsFile.empty()) m["labels"] = portablePath(spec.labelsFile, baseDir);
  if (spec.seed) m["seed"] = spec.seed;
  return m;
}

// Always the object form, with the user's wording as its name: nothing is lost on the way.
Json checkJson(const PipelineCheck& c, const std::string& baseDir) {
  Json j{{"metric", c.metric}};
  if (c.op == CheckOp::Is) {
    j["file"] = portablePath(c.file, baseDir);
    j["label"] = c.label;
  } else {
    j["op"] = checkOpSymbol(c.op);
    j["value"] = c.value;
    if (c.exportIndex) j["export"] = *c.exportIndex;
  }
  j["name"] = c.text;
  return j;
}

}  // namespace

ExportSpec exportSpecOf(const PipelineExport& e) {
  return {exportFormatName(e.format), e.output};
}

Json pipelineToJson(const Pipeline& p, const std::string& baseDir) {
  Json j{{"graft_pipeline", kPipelineFormatVersion}};
  if (!p.description.empty()) j["description"] = p.description;
  j["model"] = modelJson(p.model, baseDir);
  if (p.recipe) j["recipe"] = Json{{"graft_recipe", 1}, {"operations", *p.recipe}};
  if (p.samples) {
    j["samples"] = {{"data", portablePath(p.samples->folder, baseDir)},
                    {"count", p.samples->count}};
    if (p.samples->device != PipelineSamples{}.device) j["samples"]["device"] = p.samples->device;
  }
  if (p.train) j["train"] = trainSpecJson(*p.train, baseDir);
  if (!p.output.empty()) j["output"] = portablePath(p.output, baseDir);
  if (!p.exports.empty()) {
    Json exports = Json::array();
    for (const auto& e : p.exports)
      exports.push_back(specJson(exportSpecFields(), exportSpecOf(e), baseDir));
    j["exports"] = exports;
  }
  if (p.eval) j["eval"] = specJson(evalSpecFields(), *p.eval, baseDir);
  if (!p.checks.empty()) {
    Json checks = Json::array();
    for (const auto& c : p.checks) checks.push_back(checkJson(c, baseDir));
    j["checks"] = checks;
  }
  return j;
}

void writePipelineFile(const Pipeline& pipeline, const std::string& path) {
  const std::string folder = fs::absolute(path).parent_path().string();
  writeTextAtomically(path, pipelineToJson(pipeline, folder).dump(2) + "\n", "the pipeline");
}

}  // namespace graft
