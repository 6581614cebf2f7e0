#pragma once
// The GUI session as a pipeline (docs/pipelines.md): where the model came from, the edits made
// since it was opened, the training panel's settings, what to save and export, and checks that
// hold the results of this session to account when CI reruns it. Qt Core only.
#include <QString>
#include <QStringList>
#include <optional>

#include "io/model_source.h"
#include "pipeline/pipeline.h"
#include "ui/doc/training_session.h"

namespace graft::ui {

struct SessionPipelineInputs {
  std::optional<ModelSpec> source;  // how the model was opened; required
  Json operations = Json::array();  // the recipe since it was opened
  QString sampleFolder;             // for the operations' least-squares fusions, if any
  QString sampleDevice = QStringLiteral("auto");  // where those fits computed
  std::optional<TrainingSettings> training;       // absent: the pipeline does not train
  QString pipelinePath;       // the file to write; outputs are named after it, beside it
  bool saveModel = true;      // NAME.graft: the trained model, or the edited one untrained
  QStringList exportFormats;  // "torchscript", "onnx", "keras-h5"
  std::optional<double> minValidationAccuracy;  // check val_accuracy >= this
  std::optional<int64_t> maxTotalParams;        // check total_params <= this
  std::optional<double> maxExportDifference;    // check export max difference <= this
};

// Throws graft::Error when the session cannot be described (no source, a training plan that
// does not parse, a check that needs a step the pipeline lacks).
Pipeline sessionPipeline(const SessionPipelineInputs& inputs);

// The operations hold a least-squares fusion (its replay needs sample images).
bool needsSampleImages(const Json& operations);

}  // namespace graft::ui
