// Pipeline values to pipeline documents: the inverse of pipeline_parse.cpp, field for field, so
// that what the GUI saves is what `graft-cli run` reads.
#include <filesystem>

#include "io/atomic_file.h"
#include "io/zoo/zoo.h"
#include "pipeline/pipeline.h"

namespace graft {

namespace {

namespace fs = std::filesystem;

// Inside `baseDir`: relative to it (the pipeline moves with its folder). Elsewhere: absolute.
std::string portablePath(const std::string& path, const std::string& baseDir) {
  if (path.empty()) return path;
  const fs::path absolute = fs::absolute(path).lexically_normal();
  const fs::path base = fs::absolute(baseDir.empty() ? "." : baseDir).lexically_normal();
  const fs::path relative = absolute.lexically_relative(base);
  if (relative.empty() || *relative.begin() == "..") return absolute.string();
  return relative.string();
}

Json modelJson(const ModelSpec& spec, const std::string& baseDir) {
  Json m;
  m["source"] = zoo::isArchitecture(spec.source) ? spec.source : portablePath(spec.source, baseDir);
  if (spec.alpha) m["alpha"] = *spec.alpha;
  if (spec.inputSize) m["input_size"] = *spec.inputSize;
  if (spec.includeTop) m["include_top"] = *spec.includeTop;
  if (spec.classes) m["classes"] = *spec.classes;
  if (!spec.pooling.empty()) m["pooling"] = spec.pooling;
  if (!spec.weightsFile.empty()) m["weights"] = portablePath(spec.weightsFile, baseDir);
  if (spec.preprocessing) m["preprocessing"] = *spec.preprocessing;
  if (!spec.labelsFile.empty()) m["labels"] = portablePath(spec.labelsFile, baseDir);
  if (spec.seed) m["seed"] = spec.seed;
  return m;
}

Json trainJson(const PipelineTrain& t, const std::string& baseDir) {
  const TrainOptions defaults;
  const TrainOptions& o = t.options;
  Json j;
  j["data"] = portablePath(t.data, baseDir);
  if (!t.validationDir.empty()) j["val_dir"] = portablePath(t.validationDir, baseDir);
  if (t.validationSplit != PipelineTrain{}.validationSplit) j["val_split"] = t.validationSplit;
  // Without a choice of how to train, the defaults (the advisor's plan) choose when it runs.
  if (t.chosen) {
    j["epochs"] = o.epochs;
    j["optimizer"] = optimizerName(o.optimizer.kind);
    if (o.optimizer.learningRate) j["lr"] = *o.optimizer.learningRate;
    if (o.optimizer.momentum) j["momentum"] = *o.optimizer.momentum;
    if (o.optimizer.nesterov) j["nesterov"] = true;
    if (o.optimizer.weightDecay) j["weight_decay"] = *o.optimizer.weightDecay;
  }
  j["batch_size"] = o.batchSize;
  if (o.labelSmoothing != 0) j["label_smoothing"] = o.labelSmoothing;
  if (o.schedule.kind != defaults.schedule.kind) j["schedule"] = scheduleName(o.schedule.kind);
  if (o.schedule.stepEpochs != defaults.schedule.stepEpochs)
    j["step_epochs"] = o.schedule.stepEpochs;
  if (o.schedule.factor != defaults.schedule.factor) j["lr_factor"] = o.schedule.factor;
  if (o.schedule.patience != defaults.schedule.patience) j["lr_patience"] = o.schedule.patience;
  if (o.schedule.minLearningRate != 0) j["min_lr"] = o.schedule.minLearningRate;
  if (o.earlyStopping.patience) j["early_stopping"] = o.earlyStopping.patience;
  if (o.earlyStopping.restoreBest) j["restore_best"] = true;
  j["seed"] = o.seed;
  if (o.augment.any()) j["augment"] = o.augment.describe();
  if (o.classWeights) j["class_weights"] = true;
  if (t.chosen && !o.freezeUpto.empty()) j["freeze_upto"] = o.freezeUpto;
  if (t.trainBatchNorm) j["train_batch_norm"] = true;
  if (o.cacheFrozen) j["cache_frozen"] = true;
  if (o.freeInputSize) j["free_input_size"] = o.freeInputSize;
  if (o.workers) j["workers"] = o.workers;
  if (o.checkpointMode == CheckpointMode::Best) j["checkpoint"] = "best";
  if (!o.checkpointPath.empty()) j["output"] = portablePath(o.checkpointPath, baseDir);
  if (!t.log.empty()) j["log"] = portablePath(t.log, baseDir);
  if (t.plan) j["plan"] = planToJson(*t.plan);
  return j;
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

Json pipelineToJson(const Pipeline& p, const std::string& baseDir) {
  Json j{{"graft_pipeline", kPipelineFormatVersion}};
  if (!p.description.empty()) j["description"] = p.description;
  j["model"] = modelJson(p.model, baseDir);
  if (p.recipe) j["recipe"] = Json{{"graft_recipe", 1}, {"operations", *p.recipe}};
  if (p.samples)
    j["samples"] = {{"data", portablePath(p.samples->folder, baseDir)},
                    {"count", p.samples->count}};
  if (p.train) j["train"] = trainJson(*p.train, baseDir);
  if (!p.output.empty()) j["output"] = portablePath(p.output, baseDir);
  if (!p.exports.empty()) {
    Json exports = Json::array();
    for (const auto& e : p.exports)
      exports.push_back(
          {{"format", exportFormatName(e.format)}, {"output", portablePath(e.output, baseDir)}});
    j["exports"] = exports;
  }
  if (p.eval) {
    j["eval"] = {{"data", portablePath(p.eval->data, baseDir)}};
    if (p.eval->batchSize != PipelineEval{}.batchSize) j["eval"]["batch_size"] = p.eval->batchSize;
  }
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
