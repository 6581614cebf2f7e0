#include "ui/doc/session_pipeline.h"

#include <QFileInfo>

#include "runtime/training/train_run.h"
#include "ui/doc/training_options.h"

namespace graft::ui {

bool needsSampleImages(const Json& operations) {
  for (const auto& op : operations)
    if (op.is_object() && op.value("method", Json()) == "least_squares") return true;
  return false;
}

Pipeline sessionPipeline(const SessionPipelineInputs& in) {
  if (!in.source)
    throw Error(
        "the model was not opened from a file or the zoo, so a pipeline cannot load it: save it "
        "as a project first and open that");
  const QFileInfo file(in.pipelinePath);
  const QString stem = file.absolutePath() + QStringLiteral("/") + file.completeBaseName();
  Pipeline p;
  p.description = "Saved from the Graft workbench";
  p.model = *in.source;
  p.model.kerasCacheDir.clear();  // the machine running the pipeline has its own
  if (!in.operations.empty()) p.recipe = in.operations;
  if (needsSampleImages(in.operations) && !in.sampleFolder.isEmpty())
    p.samples = PipelineSamples{in.sampleFolder.toStdString(), PipelineSamples{}.count,
                                in.sampleDevice.toStdString()};
  if (in.training) {
    TrainSpec t = trainSpecOf(*in.training);
    planOf(t, "the plan");  // a plan with a mistake is refused here, not when CI runs it
    p.train = t;
  }
  // The trained model, or without training the edited one.
  if (in.saveModel) p.output = (stem + QStringLiteral(".graft")).toStdString();
  for (const QString& format : in.exportFormats) {
    const ExportFormat kind = exportFormatFromName(format.toStdString());
    p.exports.push_back({kind, stem.toStdString() + exportFormatSuffix(kind)});
  }
  auto check = [&](const std::string& metric, CheckOp op, double value, const std::string& text) {
    PipelineCheck c;
    c.metric = metric;
    c.op = op;
    c.value = value;
    c.text = text;
    p.checks.push_back(c);
  };
  if (in.maxTotalParams)
    check("total_params", CheckOp::LessEqual, static_cast<double>(*in.maxTotalParams),
          "total_params <= " + std::to_string(*in.maxTotalParams));
  if (in.minValidationAccuracy) {
    if (!p.train) throw Error("a validation accuracy check needs the pipeline to train");
    check("val_accuracy", CheckOp::GreaterEqual, *in.minValidationAccuracy,
          "val_accuracy >= " + QString::number(*in.minValidationAccuracy).toStdString());
  }
  if (in.maxExportDifference) {
    if (p.exports.empty()) throw Error("an export difference check needs an export");
    check("export_max_difference", CheckOp::LessEqual, *in.maxExportDifference,
          "export max difference <= " + QString::number(*in.maxExportDifference).toStdString());
  }
  return p;
}

}  // namespace graft::ui
