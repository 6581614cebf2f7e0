#include "ui/training_panel.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollArea>
#include <QScrollBar>
#include <QSettings>
#include <QSpinBox>
#include <QSplitter>
#include <QStandardPaths>
#include <QTabBar>
#include <QTabWidget>
#include <QTime>
#include <QToolButton>
#include <QVBoxLayout>
#include <memory>
#include <utility>

#include "graph/image_resize.h"
#include "graph/keras_json.h"
#include "runtime/data/free_input_size.h"
#include "runtime/data/sample_data.h"
#include "runtime/system/device_names.h"
#include "runtime/training/training_plan.h"
#include "ui/confusion_matrix_view.h"
#include "ui/doc/doctor_fixes.h"
#include "ui/doc/document.h"
#include "ui/doc/training_advice.h"
#include "ui/doctor_banner.h"
#include "ui/error_dialog.h"
#include "ui/event_loop_monitor.h"
#include "ui/gui_wording.h"
#include "ui/number_validator.h"
#include "ui/scroll_area.h"
#include "ui/secondary_text.h"
#include "ui/train_spec_form.h"
#include "ui/training_chart.h"

namespace graft::ui {
namespace {

// The first field of a form row made of several: the row's label becomes its buddy (the
// relation a screen reader reads on Linux) and names it.
void nameTrainingRowField(QFormLayout* form, QLayout* row, QWidget* field, const QString& id,
                          const QString& name) {
  field->setObjectName(id);
  field->setAccessibleName(name);
  if (auto* label = qobject_cast<QLabel*>(form->labelForField(row))) label->setBuddy(field);
}

QString duration(double seconds) {
  if (!(seconds >= 0)) return QStringLiteral("–");
  const int s = static_cast<int>(seconds + 0.5);
  return s >= 3600 ? QStringLiteral("%1:%2:%3")
                         .arg(s / 3600)
                         .arg(s / 60 % 60, 2, 10, QLatin1Char('0'))
                         .arg(s % 60, 2, 10, QLatin1Char('0'))
                   : QStringLiteral("%1:%2").arg(s / 60).arg(s % 60, 2, 10, QLatin1Char('0'));
}

const char* const kAugmentations[] = {"flip", "crop", "rotate", "shift", "brightness", "contrast"};

}  // namespace

TrainingPanel::TrainingPanel(Document* document, QWidget* parent)
    : QWidget(parent),
      document_(document),
      session_(new TrainingSession(this)),
      latency_(new EventLoopMonitor(this)) {
  auto* layout = new QHBoxLayout(this);
  layout->setContentsMargins(4, 4, 4, 4);
  auto* splitter = new QSplitter(Qt::Horizontal, this);
  splitter->addWidget(buildSettings());
  splitter->addWidget(buildProgress());
  splitter->setStretchFactor(1, 1);
  // Scrolled below what the settings and the charts need: their minimum, with the docks beside
  // the graph, made the window taller than a 540 px screen (1080 px at 200 %), its status bar
  // below the screen's edge.
  layout->addWidget(scrolledContent(splitter, QStringLiteral("training_panel_scroll"), this));

  connect(session_, &TrainingSession::started, this, &TrainingPanel::onStarted);
  connect(session_, &TrainingSession::batchDone, this, &TrainingPanel::onBatch);
  connect(session_, &TrainingSession::epochDone, this, &TrainingPanel::onEpoch);
  connect(session_, &TrainingSession::note, this, &TrainingPanel::appendLog);
  connect(session_, &TrainingSession::finished, this, &TrainingPanel::onFinished);
  connect(session_, &TrainingSession::diagnosis, this, &TrainingPanel::onDiagnosis);
  connect(session_, &TrainingSession::warning, this, &TrainingPanel::onWarning);
  connect(document_, &Document::changed, this, &TrainingPanel::refreshLayers);
  connect(document_, &Document::opened, this, &TrainingPanel::forgetLastRun);
  setRunning(false);
  refreshLayers();
  const QString last = QSettings().value("training/dataDir").toString();
  if (!last.isEmpty() && QFileInfo(last).isDir()) setDataDir(last);
}

QWidget* TrainingPanel::buildSettings() {
  // The form scrolls (Advise's plan and reasons make it tall); Start, Pause and Stop are pinned
  // below it so they stay on screen at any window size.
  auto* outer = new QGroupBox(tr("Fine-tuning"), this);
  auto* outerColumn = new QVBoxLayout(outer);
  outerColumn->setContentsMargins(4, 4, 4, 4);
  auto* scroll = new QScrollArea(outer);
  scroll->setObjectName(QStringLiteral("training_form_scroll"));
  scroll->setWidgetResizable(true);
  scroll->setFrameShape(QFrame::NoFrame);
  scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
  // Not a tab stop: focus left on it (after Stop) was on a control with no name.
  scroll->setFocusPolicy(Qt::NoFocus);
  auto* box = new QWidget(scroll);
  auto* form = new QFormLayout(box);
  form->setContentsMargins(0, 0, 4, 0);
  scroll->setWidget(box);
  outerColumn->addWidget(scroll, 1);
  inputSize_ = new QLabel(box);
  inputSize_->setObjectName(QStringLiteral("training_input_size"));
  inputSize_->setTextFormat(Qt::RichText);
  inputSize_->setToolTip(
      tr("Images are resized to the model's input; change it on the input "
         "layer in the Properties panel"));
  // What `auto` computes on until a run starts; then what the run computes on, and how.
  device_ = new QLabel(QString::fromStdString(deviceDescription("auto")), box);
  device_->setObjectName(QStringLiteral("training_device"));
  device_->setToolTip(tr("Where the training runs (the Device setting below chooses)\n%1")
                          .arg(QString::fromStdString(computeBackendSummary())));
  form->addRow(tr("Input"), inputSize_);
  form->addRow(tr("Computes on"), device_);
  auto* dataRow = new QHBoxLayout;
  dataDir_ = new QLineEdit(box);
  dataDir_->setPlaceholderText(tr("image folder: one subfolder per class"));
  auto* browse = browse_ = new QPushButton(tr("Browse…"), box);
  auto* sample = sampleData_ = new QPushButton(tr("Sample data"), box);
  sample->setToolTip(tr("Write a small three-class image folder to try training at once"));
  dataRow->addWidget(dataDir_, 1);
  dataRow->addWidget(browse);
  dataRow->addWidget(sample);
  form->addRow(tr("Data"), dataRow);
  // Rows holding several fields name each one: a label's buddy is one widget, and a screen reader
  // announced the others as nothing.
  nameTrainingRowField(form, dataRow, dataDir_, QStringLiteral("train_data"),
                       tr("Training data folder"));
  classes_ = new QLabel(box);
  classes_->setWordWrap(true);
  classes_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  form->addRow(QString(), classes_);
  connect(browse, &QPushButton::clicked, this, [this] {
    const QString dir =
        QFileDialog::getExistingDirectory(this, tr("Training images"), dataDir_->text());
    if (!dir.isEmpty()) setDataDir(dir);
  });
  connect(sample, &QPushButton::clicked, this, &TrainingPanel::createSampleData);
  connect(dataDir_, &QLineEdit::editingFinished, this, &TrainingPanel::refreshFolder);

  split_ = new QDoubleSpinBox(box);
  split_->setRange(0.0, 0.9);
  split_->setSingleStep(0.05);
  split_->setValue(0.2);
  form->addRow(tr("Validation split"), split_);
  split_->setAccessibleName(tr("Validation split"));
  auto* counts = new QHBoxLayout;
  epochs_ = new QSpinBox(box);
  // 0: left to Graft, like the optimizer and the learning rate below (the advisor's plan for a
  // model with pretrained layers; 5 epochs otherwise).
  epochs_->setRange(0, 10000);
  epochs_->setSpecialValueText(tr("default"));
  epochs_->setValue(0);
  epochs_->setToolTip(
      tr("Left at default (with the optimizer, learning rate and freezing), a model with "
         "pretrained layers trains by the advisor's plan: its new layers first, then a gentle "
         "fine-tuning of the top pretrained ones"));
  batch_ = new QSpinBox(box);
  batch_->setRange(1, 4096);
  batch_->setValue(16);
  counts->addWidget(epochs_);
  auto* batchLabel = new QLabel(tr("batch size"), box);
  batchLabel->setBuddy(batch_);
  counts->addWidget(batchLabel);
  counts->addWidget(batch_);
  form->addRow(tr("Epochs"), counts);
  nameTrainingRowField(form, counts, epochs_, QStringLiteral("train_epochs"), tr("Epochs"));
  batch_->setObjectName(QStringLiteral("train_batch_size"));
  batch_->setAccessibleName(tr("Batch size"));
  auto* opt = new QHBoxLayout;
  optimizer_ = new QComboBox(box);
  // "default": the advisor's plan's per stage with pretrained layers, Adam otherwise.
  optimizer_->addItem(tr("default"), QString());
  optimizer_->addItem(QStringLiteral("Adam"), QStringLiteral("adam"));
  optimizer_->addItem(QStringLiteral("RMSprop"), QStringLiteral("rmsprop"));
  optimizer_->addItem(QStringLiteral("SGD (momentum 0.9)"), QStringLiteral("sgd"));
  learningRate_ = new QLineEdit(box);
  learningRate_->setPlaceholderText(tr("Keras default"));
  learningRate_->setValidator(plainNumberValidator(learningRate_, 0.0, 10.0));
  opt->addWidget(optimizer_, 1);
  auto* lrLabel = new QLabel(tr("lr"), box);
  lrLabel->setBuddy(learningRate_);
  opt->addWidget(lrLabel);
  opt->addWidget(learningRate_, 1);
  form->addRow(tr("Optimizer"), opt);
  nameTrainingRowField(form, opt, optimizer_, QStringLiteral("train_optimizer"), tr("Optimizer"));
  learningRate_->setObjectName(QStringLiteral("train_learning_rate"));
  learningRate_->setAccessibleName(tr("Learning rate"));
  // Changing only Epochs turned the advisor's plan off (Adam at 1e-3 over every layer) while the
  // form still read "default": what the choices mean is said where they are made.
  choiceNote_ = new QLabel(box);
  choiceNote_->setObjectName(QStringLiteral("training_choice_note"));
  choiceNote_->setWordWrap(true);
  showAsSecondaryText(choiceNote_);
  choiceNote_->hide();
  form->addRow(QString(), choiceNote_);
  auto* aug = new QGridLayout;
  int i = 0;
  for (const char* name : kAugmentations) {
    auto* check = new QCheckBox(QString::fromLatin1(name), box);
    check->setObjectName(QStringLiteral("augment_") + name);
    augment_ << check;
    aug->addWidget(check, i / 3, i % 3);
    ++i;
  }
  form->addRow(tr("Augmentation"), aug);
  freeze_ = new QComboBox(box);
  freeze_->setToolTip(
      tr("Freeze every layer up to this one for the run (or keep the model's own "
         "frozen layers, as drawn in the graph)"));
  form->addRow(tr("Freeze up to"), freeze_);
  freeze_->setAccessibleName(tr("Freeze up to"));
  cache_ = new QCheckBox(tr("Cache frozen features (faster, no augmentation)"), box);
  form->addRow(QString(), cache_);
  trainBatchNorm_ = new QCheckBox(tr("Train BatchNormalization (pretrained statistics)"), box);
  trainBatchNorm_->setObjectName(QStringLiteral("train_batch_norm"));
  trainBatchNorm_->setToolTip(
      tr("Off (recommended): BatchNormalization layers with pretrained statistics stay frozen in "
         "inference mode, as Keras's fine-tuning guide advises; small batches would replace "
         "their statistics with noisy ones"));
  form->addRow(QString(), trainBatchNorm_);
  buildPlanRows(box, form);
  connect(epochs_, qOverload<int>(&QSpinBox::valueChanged), this, &TrainingPanel::updateChoiceNote);
  connect(optimizer_, qOverload<int>(&QComboBox::currentIndexChanged), this,
          &TrainingPanel::updateChoiceNote);
  connect(learningRate_, &QLineEdit::textChanged, this, &TrainingPanel::updateChoiceNote);
  connect(freeze_, qOverload<int>(&QComboBox::currentIndexChanged), this,
          &TrainingPanel::updateChoiceNote);
  connect(usePlan_, &QCheckBox::toggled, this, &TrainingPanel::updateChoiceNote);
  connect(plan_, &QPlainTextEdit::textChanged, this, &TrainingPanel::updateChoiceNote);
  moreToggle_ = new QToolButton(box);
  moreToggle_->setObjectName(QStringLiteral("train_more_options"));
  moreToggle_->setText(tr("More options"));
  moreToggle_->setCheckable(true);
  moreToggle_->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
  moreToggle_->setArrowType(Qt::RightArrow);
  moreToggle_->setAutoRaise(true);
  moreToggle_->setToolTip(
      tr("Schedules, momentum, weight decay, early stopping, checkpoints and the rest of "
         "graft-cli train's options"));
  form->addRow(moreToggle_);
  more_ = new TrainSpecForm(fieldsShownByThePanel(), box);
  form->addRow(more_);
  // The whole row folded away (a hidden widget alone would leave its row's spacing behind).
  form->setRowVisible(more_, false);
  connect(moreToggle_, &QToolButton::toggled, this, [this, form](bool open) {
    moreToggle_->setArrowType(open ? Qt::DownArrow : Qt::RightArrow);
    form->setRowVisible(more_, open);
  });

  auto* buttons = new QHBoxLayout;
  start_ = new QPushButton(QIcon(QStringLiteral(":/icons/play.svg")), tr("Start"), outer);
  start_->setObjectName(QStringLiteral("train_start"));
  pause_ = new QPushButton(QIcon(QStringLiteral(":/icons/pause.svg")), tr("Pause"), outer);
  pause_->setCheckable(true);
  stop_ = new QPushButton(QIcon(QStringLiteral(":/icons/stop.svg")), tr("Stop"), outer);
  buttons->addWidget(start_);
  buttons->addWidget(pause_);
  buttons->addWidget(stop_);
  outerColumn->addLayout(buttons);
  connect(start_, &QPushButton::clicked, this, &TrainingPanel::startTraining);
  connect(pause_, &QPushButton::toggled, this, [this](bool paused) {
    session_->setPaused(paused);
    pause_->setText(paused ? tr("Resume") : tr("Pause"));
    pause_->setIcon(
        QIcon(paused ? QStringLiteral(":/icons/play.svg") : QStringLiteral(":/icons/pause.svg")));
    // The running ETA went on showing while nothing ran; the next batch puts one back.
    if (paused) speed_->setText(tr("paused"));
    appendLog(paused ? tr("paused") : tr("resumed"));
  });
  connect(stop_, &QPushButton::clicked, this, [this] {
    session_->stop();
    appendLog(tr("stopping after the current batch…"));
  });
  // The form never scrolls sideways: the scroll area is as wide as the form needs.
  scroll->setMinimumWidth(box->minimumSizeHint().width() +
                          scroll->verticalScrollBar()->sizeHint().width() + 4);
  return outer;
}

void TrainingPanel::buildPlanRows(QWidget* box, QFormLayout* form) {
  auto* row = new QHBoxLayout;
  advise_ = new QPushButton(tr("Advise"), box);
  advise_->setToolTip(
      tr("Propose a staged fine-tuning plan for this model and image folder, with reasons"));
  usePlan_ = new QCheckBox(tr("Train in stages with this plan"), box);
  usePlan_->setToolTip(
      tr("Epochs, optimizer, learning rate and freezing then come from the "
         "plan, stage by stage"));
  row->addWidget(advise_);
  row->addWidget(usePlan_, 1);
  form->addRow(tr("Plan"), row);
  advice_ = new QLabel(box);
  advice_->setWordWrap(true);
  advice_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  form->addRow(QString(), advice_);
  plan_ = new QPlainTextEdit(box);
  plan_->setObjectName(QStringLiteral("train_plan"));
  plan_->setPlaceholderText(tr("{\"graft_plan\": 1, \"stages\": [...]}  (Advise fills this)"));
  plan_->setMaximumHeight(140);
  plan_->setAccessibleName(tr("Training plan"));
  plan_->setTabChangesFocus(true);  // JSON needs no tab characters; Tab left it no other way
  form->addRow(QString(), plan_);
  connect(advise_, &QPushButton::clicked, this, &TrainingPanel::advise);
}

bool TrainingPanel::advise() {
  const QString dir = dataDir_->text().trimmed();
  if (!document_->hasModel() || dir.isEmpty()) {
    advice_->setText(tr("Open a model and choose an image folder first."));
    return false;
  }
  try {
    const TrainingAdvice advice =
        adviseTraining(document_->model(), dir, cutReport_ ? cutReport_() : nullptr);
    plan_->setPlainText(advice.planJson);
    advice_->setText(inWindowTerms(advice.explanation.join('\n')));
    usePlan_->setChecked(true);
    appendLog(tr("advice: %1 stage(s), %2 warning(s)").arg(advice.stages).arg(advice.warnings));
    return true;
  } catch (const std::exception& e) {
    advice_->setText(QString::fromStdString(e.what()));
    return false;
  }
}

namespace {
// What a chart needs for its title, axis titles and tick labels (TrainingChart's own hint).
constexpr int kReadableChartHeight = 180;
}  // namespace

QWidget* TrainingPanel::buildProgress() {
  auto* area = new QWidget(this);
  auto* column = new QVBoxLayout(area);
  column->setContentsMargins(0, 0, 0, 0);
  auto* status = new QHBoxLayout;
  progress_ = new QProgressBar(area);
  progress_->setTextVisible(true);
  speed_ = new QLabel(area);
  status->addWidget(progress_, 1);
  status->addWidget(speed_);
  column->addLayout(status);
  doctor_ = new DoctorBanner(area);
  connect(doctor_, &DoctorBanner::fixRequested, this, &TrainingPanel::applyDoctorFix);
  column->addWidget(doctor_);
  auto* charts = new QSplitter(Qt::Horizontal, area);
  // The two curves under one line saying what their lines are (the charts have no legend of
  // their own: room for the plot), beside the confusion matrix and the log.
  auto* curvesArea = new QWidget(charts);
  auto* curvesColumn = new QVBoxLayout(curvesArea);
  curvesColumn->setContentsMargins(0, 0, 0, 0);
  curvesColumn->setSpacing(2);
  auto* legend = new QLabel(TrainingChart::legendText(), curvesArea);
  legend->setObjectName(QStringLiteral("training_chart_legend"));
  legend->setTextFormat(Qt::RichText);
  legend->setWordWrap(true);
  curvesColumn->addWidget(legend);
  auto* curves = new QSplitter(Qt::Horizontal, curvesArea);
  curvesColumn->addWidget(curves, 1);
  loss_ = new TrainingChart(tr("Loss"), false, curves);
  accuracy_ = new TrainingChart(tr("Accuracy"), true, curves);
  // The confusion matrix and the log take turns in the column's whole height: stacked, on a
  // 768 px laptop each had ~80 px (a matrix of scroll bars, a log of three words a line).
  auto* right = new QTabWidget(charts);
  right->setObjectName(QStringLiteral("training_matrix_and_log"));
  right->setDocumentMode(true);
  confusion_ = new ConfusionMatrixView(right);
  right->addTab(confusion_, tr("Confusion"));
  right->setTabToolTip(0, confusion_->toolTip());
  log_ = new QPlainTextEdit(right);
  log_->setReadOnly(true);
  log_->setMaximumBlockCount(2000);
  log_->setPlaceholderText(tr("Training log"));
  log_->setAccessibleName(tr("Training log"));
  log_->setTabChangesFocus(true);
  right->addTab(log_, tr("Log"));
  right->setTabToolTip(1, tr("What the run did and found, line by line"));
  right->setMinimumWidth(right->tabBar()->sizeHint().width());  // both tabs' names whole
  matrixAndLog_ = right;
  curves->addWidget(loss_);
  curves->addWidget(accuracy_);
  charts->addWidget(curvesArea);
  charts->addWidget(right);
  // The curves take the spare width; the confusion matrix and the log need less.
  charts->setStretchFactor(0, 2);
  charts->setStretchFactor(1, 1);
  // Neither the doctor's findings nor the charts are squeezed unreadable in a low dock (at 120
  // px every axis label became "…"): below what both need, the column scrolls. The charts'
  // own height: the legend above them, on two lines in a narrow column, took 30 px of it and
  // every value label read "…" again at 1024 x 600.
  loss_->setMinimumHeight(kReadableChartHeight);
  accuracy_->setMinimumHeight(kReadableChartHeight);
  column->addWidget(charts, 1);
  auto* scroll = new QScrollArea(this);
  scroll->setObjectName(QStringLiteral("training_progress_scroll"));
  scroll->setWidget(area);
  scroll->setWidgetResizable(true);
  scroll->setFrameShape(QFrame::NoFrame);
  // Sideways too when the charts need more than the dock has (large text on a small screen):
  // cut off at the right edge, the confusion matrix and the log could not be reached at all.
  scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAsNeeded);
  return scroll;
}

void TrainingPanel::showLog() {
  matrixAndLog_->setCurrentWidget(log_);
}

bool TrainingPanel::isLogShown() const {
  return matrixAndLog_->currentWidget() == log_;
}

QString TrainingPanel::dataDir() const {
  return dataDir_->text().trimmed();
}

void TrainingPanel::setDataDir(const QString& dir) {
  dataDir_->setText(dir);
  refreshFolder();
}

void TrainingPanel::refreshFolder() {
  const QString dir = dataDir_->text().trimmed();
  if (dir.isEmpty()) {
    classes_->setText(tr("<i>Choose a folder with one subfolder of images per class.</i>"));
    return;
  }
  try {
    const FolderSummary summary = summarizeImageFolder(dir);
    QStringList parts;
    qint64 total = 0;
    for (int i = 0; i < summary.classes.size(); ++i) {
      parts << QStringLiteral("%1 (%2)")
                   .arg(summary.classes[i].toHtmlEscaped())
                   .arg(summary.counts[i]);
      total += summary.counts[i];
    }
    QString text = (summary.classes.size() == 1
                        ? tr("<b>1 class</b>, %1 images: ")
                        : tr("<b>%1 classes</b>, %2 images: ").arg(summary.classes.size()))
                       .arg(total) +
                   parts.join(QStringLiteral(", "));
    if (summary.ignored > 0)
      text += tr("<br><i>%1 non-image files ignored (not jpg, png, gif, bmp, tif, webp …)</i>")
                  .arg(summary.ignored);
    classes_->setText(text);
    QSettings().setValue("training/dataDir", dir);
  } catch (const std::exception& e) {
    classes_->setText(QStringLiteral("<span style='color:#d62d20'>%1</span>")
                          .arg(QString::fromStdString(e.what()).toHtmlEscaped()));
  }
}

void TrainingPanel::refreshLayers() {
  QString input = tr("no model");
  if (document_->hasModel() && !document_->graph().inputs().empty()) {
    const Node* node = document_->graph().find(document_->graph().inputs().front());
    const NodeInfo* info = node ? document_->analysis().find(node->name) : nullptr;
    const int64_t trainedAt = document_->model().trainedInputSize;
    if (info && info->outputShape.size() == 4) {
      // A free side takes the size predict and eval take too (runtime/data/free_input_size.h:
      // the size it was trained at, its architecture's, else 224). It read "-1 × -1 × 3" once,
      // and later asked for a size before Start.
      const int64_t fallback = defaultFreeInputSide(document_->model());
      const auto side = [&](int64_t d) { return QString::number(d >= 0 ? d : fallback); };
      const bool free = info->outputShape[1] < 0 || info->outputShape[2] < 0;
      const auto own = layers::leadingImageResize(document_->graph());
      if (own)
        // Images go in at their own size, the model's first Resizing sizes them (as in Keras).
        input = tr("any size, sized by the model to %1 × %2 × %3")
                    .arg(own->height)
                    .arg(own->width)
                    .arg(info->outputShape[3]);
      else
        input = tr("%1 × %2 × %3")
                    .arg(side(info->outputShape[1]), side(info->outputShape[2]))
                    .arg(info->outputShape[3]) +
                // Short: the form's column is narrow (the tooltip says where to change it).
                (!free           ? QString()
                 : trainedAt > 0 ? tr(" (any size; the size it was trained at)")
                                 : tr(" (any size; the default)"));
    }
  }
  inputSize_->setText(input);
  const QString current = freeze_->currentData().toString();
  freeze_->clear();
  freeze_->addItem(tr("(the model's frozen layers)"), QString());
  if (document_->hasModel())
    for (const Node& node : document_->graph().nodes())
      freeze_->addItem(QString::fromStdString(node.name), QString::fromStdString(node.name));
  const int index = freeze_->findData(current);
  freeze_->setCurrentIndex(index < 0 ? 0 : index);
}

TrainingSettings TrainingPanel::settings() const {
  TrainingSettings s;
  s.dataDir = dataDir_->text().trimmed();
  s.validationSplit = split_->value();
  s.epochs = epochs_->value() > 0 ? epochs_->value() : 5;
  s.batchSize = batch_->value();
  s.optimizer = optimizer_->currentData().toString();
  if (s.optimizer.isEmpty()) s.optimizer = QStringLiteral("adam");
  s.learningRate = learningRate_->text().toDouble();
  QStringList augment;
  for (QCheckBox* check : augment_)
    if (check->isChecked()) augment << check->text();
  s.augment = augment.join(',');
  s.freezeUpto = freeze_->currentData().toString();
  s.cacheFrozen = cache_->isChecked();
  s.trainBatchNorm = trainBatchNorm_->isChecked();
  s.chosen = epochs_->value() > 0 || !optimizer_->currentData().toString().isEmpty() ||
             s.learningRate > 0 || !s.freezeUpto.isEmpty();
  if (usePlan_->isChecked()) s.plan = plan_->toPlainText();
  s.moreOptions = more_->values();
  return s;
}

void TrainingPanel::updateChoiceNote() {
  const bool chosen = epochs_->value() > 0 || !optimizer_->currentData().toString().isEmpty() ||
                      learningRate_->text().toDouble() > 0 ||
                      !freeze_->currentData().toString().isEmpty();
  // A ticked plan decides, unless it is empty (then the form's choices run, as settings() has it).
  const bool planDecides = usePlan_->isChecked() && !plan_->toPlainText().trimmed().isEmpty();
  const bool show = chosen && !planDecides;
  if (show) {
    const TrainingSettings s = settings();
    const QString rate =
        s.learningRate > 0 ? QString::number(s.learningRate) : tr("Keras's default rate");
    choiceNote_->setText(
        tr("Your choice: one run of %1, %2 at %3, over the layers the model and Freeze "
           "up to let train; not the advisor's plan. Leave Epochs, Optimizer, lr and Freeze at "
           "default for the plan.")
            .arg(s.epochs == 1 ? tr("1 epoch") : tr("%1 epochs").arg(s.epochs))
            .arg(optimizer_->currentData().toString().isEmpty() ? QStringLiteral("Adam")
                                                                : optimizer_->currentText())
            .arg(rate));
  }
  choiceNote_->setVisible(show);
}

const std::set<std::string>& TrainingPanel::fieldsShownByThePanel() {
  // Each has its own widget above (settings() reads them); TrainSpecForm shows the rest.
  static const std::set<std::string> keys = {
      "data",    "val_split",   "epochs",       "batch_size",       "optimizer", "lr",
      "augment", "freeze_upto", "cache_frozen", "train_batch_norm", "plan"};
  return keys;
}

QString TrainingPanel::speedText() const {
  return speed_->text();
}

QString TrainingPanel::progressText() const {
  return progress_->text();
}

QString TrainingPanel::log() const {
  return log_->toPlainText();
}

void TrainingPanel::appendLog(const QString& line) {
  log_->appendPlainText(QStringLiteral("[%1] %2").arg(
      QTime::currentTime().toString(QStringLiteral("HH:mm:ss")), line));
}

void TrainingPanel::focusFirstField() {
  (dataDir_->isEnabled() ? static_cast<QWidget*>(dataDir_) : stop_)->setFocus(Qt::OtherFocusReason);
}

void TrainingPanel::setRunning(bool running) {
  // Focus on a button about to be disabled went to whatever came next (a scroll area with no
  // name, after Stop): it goes to the button that now applies.
  const QWidget* focused = window()->focusWidget();
  const bool focusHere = focused && isAncestorOf(focused);
  start_->setEnabled(!running);
  pause_->setEnabled(running);
  stop_->setEnabled(running);
  if (focusHere) (running ? stop_ : start_)->setFocus(Qt::OtherFocusReason);
  Q_EMIT runningChanged(running);
  if (!running) {
    pause_->setChecked(false);  // when checked, its toggled handler puts back the icon
    pause_->setText(tr("Pause"));
  }
  // The folder stays the run's: Browse and Sample data would show another one while it trains
  // (and a doctor's restart would take that one).
  for (QWidget* w : std::initializer_list<QWidget*>{
           dataDir_, browse_, sampleData_, split_, epochs_, batch_, optimizer_, learningRate_,
           freeze_, cache_, trainBatchNorm_, advise_, usePlan_, plan_, more_})
    w->setEnabled(!running);
  for (QCheckBox* check : augment_) check->setEnabled(!running);
}

bool TrainingPanel::startTraining() {
  if (!document_->hasModel()) {
    showError(this, tr("Nothing to train"), tr("Open a model first."));
    return false;
  }
  return startRun(document_->model(), document_->revision());
}

bool TrainingPanel::startRun(const Model& from, uint64_t baseRevision) {
  const TrainingSettings s = settings();
  if (s.dataDir.isEmpty()) {
    showError(this, tr("No training data"),
              tr("Choose an image folder (one subfolder per class), or create the sample data."));
    return false;
  }
  if (const QString problem = more_->problem(); !problem.isEmpty()) {
    moreToggle_->setChecked(true);
    showError(this, tr("A training option is not valid"), problem);
    return false;
  }
  int epochs = s.epochs;
  if (!s.plan.isEmpty()) {
    // A plan with a mistake is refused here, naming the JSON path, before anything starts.
    try {
      epochs = 0;
      const Json plan = Json::parse(s.plan.toStdString(), jsonInputGuard("the plan"));
      for (const auto& stage : planFromJson(plan, "plan").stages) epochs += stage.epochs;
    } catch (const std::exception& e) {
      showError(this, tr("The plan cannot be used"), QString::fromStdString(e.what()));
      return false;
    }
  }
  loss_->clear();
  accuracy_->clear();
  loss_->setEpochs(epochs);
  accuracy_->setEpochs(epochs);
  runEpochs_ = epochs;
  runData_ = s.dataDir;
  progress_->setValue(0);
  speed_->clear();
  doctor_->clear();
  warningCodes_.clear();
  runStart_.reset();
  latency_->start();
  if (!session_->start(from, s)) return false;
  runRevision_ = baseRevision;
  committedRevision_.reset();
  // The trainer works on a copy; an edit now would be overwritten by the result (or undo it).
  document_->lockEdits(
      tr("Training is running: stop it, or wait until it ends, to edit the model."));
  setRunning(true);
  // The last run's end ("stopped before the first epoch ended") stayed while this one read its
  // images and set up.
  progress_->setValue(0);
  progress_->setFormat(tr("preparing the run…"));
  speed_->clear();
  epochSpeed_.clear();
  appendLog(tr("training on %1").arg(s.dataDir));
  return true;
}

void TrainingPanel::onStarted(const TrainingStart& start) {
  runStart_ = start;
  epochsThisRun_ = 0;
  epochSpeed_.clear();
  batchesPerEpoch_ = std::max<qint64>(start.batchesPerEpoch, 1);
  runEpochs_ = start.epochs;
  progress_->setRange(0, static_cast<int>(batchesPerEpoch_ * start.epochs));
  loss_->setEpochs(start.epochs);  // a default plan's epochs are known once it starts
  accuracy_->setEpochs(start.epochs);
  confusion_->setClasses(start.classes);
  appendLog(tr("%1 training / %2 validation images, %3 classes; %4 trainable and %5 frozen "
               "parameters; %6")
                .arg(start.trainImages)
                .arg(start.validationImages)
                .arg(start.classes.size())
                .arg(start.trainableParams)
                .arg(start.frozenParams)
                .arg(start.optimizer));
  appendLog(tr("computing on %1").arg(start.computes));
  device_->setText(start.computes);
}

void TrainingPanel::onBatch(const TrainingBatch& batch) {
  const double x =
      (batch.epoch - 1) + static_cast<double>(batch.batch) / std::max<qint64>(batch.batches, 1);
  loss_->addTrainingPoint(x, batch.loss);
  accuracy_->addTrainingPoint(x, batch.accuracy);
  progress_->setValue(static_cast<int>((batch.epoch - 1) * batchesPerEpoch_ + batch.batch));
  progress_->setFormat(tr("epoch %1/%2 · batch %3/%4 · loss %5")
                           .arg(batch.epoch)
                           .arg(runEpochs_)
                           .arg(batch.batch)
                           .arg(batch.batches)
                           .arg(batch.loss, 0, 'f', 4));
  speed_->setText(tr("ETA %1").arg(duration(batch.etaSeconds)));
}

void TrainingPanel::onEpoch(const TrainingEpoch& epoch) {
  loss_->flush();
  accuracy_->flush();
  if (epoch.hasValidation) {
    lastValAccuracy_ = epoch.valAccuracy;
    loss_->addValidationPoint(epoch.epoch, epoch.valLoss);
    accuracy_->addValidationPoint(epoch.epoch, epoch.valAccuracy);
    confusion_->setMatrix(epoch.confusion);
  }
  epochsThisRun_ = epoch.epoch;
  epochSpeed_ = tr("%1 img/s").arg(epoch.imagesPerSecond, 0, 'f', 1);
  speed_->setText(epochSpeed_);
  QString line = tr("epoch %1/%2: loss %3, accuracy %4")
                     .arg(epoch.epoch)
                     .arg(epoch.epochs)
                     .arg(epoch.loss, 0, 'f', 4)
                     .arg(epoch.accuracy, 0, 'f', 3);
  if (epoch.hasValidation)
    line += tr(", val_loss %1, val_accuracy %2")
                .arg(epoch.valLoss, 0, 'f', 4)
                .arg(epoch.valAccuracy, 0, 'f', 3);
  line += tr(" — %1 img/s, %2 s; GUI latency max %3 ms")
              .arg(epoch.imagesPerSecond, 0, 'f', 1)
              .arg(epoch.seconds, 0, 'f', 1)
              .arg(latency_->maxLatencyMs(), 0, 'f', 0);
  appendLog(line);
}

void TrainingPanel::onFinished(TrainingOutcome outcome, const QString& message, int epochs) {
  latency_->stop();
  loss_->flush();
  accuracy_->flush();
  document_->lockEdits({});
  setRunning(false);
  speed_->setText(epochSpeed_);  // the last epoch's speed, not an ETA that stays forever
  const QString latency = tr("GUI event-loop latency during the run: max %1 ms, mean %2 ms")
                              .arg(latency_->maxLatencyMs(), 0, 'f', 1)
                              .arg(latency_->meanLatencyMs(), 0, 'f', 1);
  switch (outcome) {
    case TrainingOutcome::Completed:
      appendLog(epochs == 1 ? tr("finished 1 epoch") : tr("finished %1 epochs").arg(epochs));
      break;
    case TrainingOutcome::Cancelled:
      appendLog(tr("stopped: %1").arg(message));
      // The bar still read the last batch ("epoch 15/60 · batch 6/6"), while what is kept is the
      // last whole epoch (14), if anything: said once the result is (or is not) taken.
      progress_->setFormat(tr("stopped"));
      break;
    case TrainingOutcome::Failed:
      appendLog(tr("failed: %1").arg(message));
      // The bar kept "preparing the run…" beside an enabled Start once the dialog was closed.
      progress_->setFormat(epochs > 0 ? tr("failed after epoch %1: the log says why").arg(epochs)
                                      : tr("failed: the log says why"));
      showLog();
      showError(this, tr("Training failed"), message);
      break;
  }
  appendLog(latency);
  const QString fix = std::exchange(pendingFix_, QString());
  if (fix.isEmpty())
    commitResult(epochs);
  else if (epochs > 0)
    appendLog(tr("the stopped run's weights are not kept: the run starts again with the fix"));
  Q_EMIT trainingFinished(outcome);
  if (auto next = std::exchange(afterStop_, {})) {
    next();
    return;
  }
  if (!fix.isEmpty()) restartWithFix(fix);
}

void TrainingPanel::commitResult(int epochs) {
  if (epochs <= 0 && progress_->format() == tr("stopped"))
    progress_->setFormat(tr("stopped before the first epoch ended: the model is unchanged"));
  if (epochs <= 0 || !session_->result()) return;
  // The trained weights become the document's model as one undoable step ("undo training"),
  // only over the model they were trained from: edits are locked during a run, but another
  // model may have been opened meanwhile, and the result would replace it without a word.
  const QString text = tr("fine-tune %1 on %2")
                           .arg(epochs == 1 ? tr("1 epoch") : tr("%1 epochs").arg(epochs),
                                QFileInfo(runData_).fileName());
  if (!document_->commitResultOf(runRevision_, *session_->result(), text)) {
    askAboutChangedModel(*session_->result(), text);
    return;
  }
  committedRevision_ = document_->revision();
  if (progress_->format() == tr("stopped"))
    progress_->setFormat(tr("stopped: the model keeps the weights after epoch %1").arg(epochs));
}

void TrainingPanel::askAboutChangedModel(const Model& trained, const QString& text) {
  QMessageBox box(QMessageBox::Question, tr("The model changed during training"),
                  tr("The model changed while it trained, so the trained weights (%1) were not "
                     "applied to it.")
                      .arg(text),
                  QMessageBox::NoButton, this);
  box.setInformativeText(
      tr("Keep the current model and save the trained one as a new project, use the trained "
         "model instead of the current one (undo brings the current one back), or discard "
         "the training."));
  QPushButton* save = box.addButton(tr("Save Trained Model As…"), QMessageBox::AcceptRole);
  save->setObjectName(QStringLiteral("trained_save_as"));
  QPushButton* use = box.addButton(tr("Use Trained Model"), QMessageBox::DestructiveRole);
  use->setObjectName(QStringLiteral("trained_use"));
  QPushButton* discard = box.addButton(tr("Discard Training"), QMessageBox::RejectRole);
  discard->setObjectName(QStringLiteral("trained_discard"));
  box.setDefaultButton(save);
  box.exec();
  QString outcome;
  if (box.clickedButton() == save) {
    outcome = tr("The model changed during the run: the trained model is saved as a new project.");
    Q_EMIT saveTrainedModelRequested(trained,
                                     QString::fromStdString(trained.graph.name()) + "_trained");
  } else if (box.clickedButton() == use && document_->commitModel(trained, text)) {
    outcome =
        tr("The model changed during the run: the trained model replaced it (undo brings "
           "it back).");
    committedRevision_ = document_->revision();
  } else {
    outcome =
        tr("The model changed during the run, so the trained weights were discarded; "
           "train again to fine-tune the model as it is now.");
  }
  appendLog(outcome);
  Q_EMIT statusMessage(outcome);
}

void TrainingPanel::forgetLastRun() {
  // Another model: the last run's curves, progress and findings were about the model before
  // (a fresh model showed "epoch 105/300" and a doctor's finding about a run it never had).
  if (session_->isRunning()) return;
  loss_->clear();
  accuracy_->clear();
  loss_->setEpochs(1);
  accuracy_->setEpochs(1);
  confusion_->setClasses({});
  // The log keeps why a run stopped, with a line after it: what follows is about this model
  // (it went on with the model before's "finished 10 epochs"). "Computes on" said how that
  // run computed (fp32, channels-last).
  if (!log_->toPlainText().isEmpty())
    appendLog(tr("another model opened: the lines above are about the model before"));
  device_->setText(QString::fromStdString(deviceDescription("auto")));
  progress_->setValue(0);
  progress_->setFormat(QString());
  speed_->clear();
  doctor_->clear();
  warningCodes_.clear();
  runStart_.reset();
  lastValAccuracy_.reset();
  pendingFix_.clear();
}

void TrainingPanel::stopThen(const QString& why, std::function<void()> next) {
  if (!session_->isRunning()) {
    next();
    return;
  }
  afterStop_ = std::move(next);
  pendingFix_.clear();  // the run ends for good: no restart with a fix
  appendLog(why);
  session_->stop();
  // Stopping to quit or to open another model: Pause and Stop did nothing more meanwhile.
  pause_->setEnabled(false);
  stop_->setEnabled(false);
}

void TrainingPanel::onDiagnosis(const QString& code, const QString& message, const QString& fix) {
  const std::optional<DoctorFixEntry> entry = doctorFixFor(code);
  const QString label = entry && fixApplies(code) ? QString::fromUtf8(entry->label) : QString();
  if (!doctor_->addFinding(code, message, fix, label)) return;
  if (entry && !label.isEmpty()) {
    // pretrained_rate_too_high confirms high_learning_rate: one row, one button.
    for (const QString& warned : QStringList(warningCodes_)) {
      const std::optional<DoctorFixEntry> predicted = doctorFixFor(warned);
      if (predicted && predicted->fix == entry->fix) {
        doctor_->removeFinding(warned);
        warningCodes_.removeAll(warned);
      }
    }
  }
  doctor_->setFixesEnabled(pendingFix_.isEmpty());
  appendLog(tr("doctor: %1 (fix: %2)").arg(message, fix));
}

void TrainingPanel::onWarning(const QString& code, const QString& message) {
  const std::optional<DoctorFixEntry> entry = doctorFixFor(code);
  const QString label = entry && fixApplies(code) ? QString::fromUtf8(entry->label) : QString();
  if (!doctor_->addFinding(code, message, QString(), label)) return;
  warningCodes_ << code;
  doctor_->setFixesEnabled(pendingFix_.isEmpty());
  appendLog(tr("warning: %1").arg(message));
}

bool TrainingPanel::fixApplies(const QString& code) const {
  const std::optional<DoctorFixEntry> entry = doctorFixFor(code);
  if (!entry) return false;
  // Training the head first needs a head on pretrained layers, and a run that did not already
  // train it first.
  if (entry->fix == DoctorFix::TrainHeadFirst)
    return runStart_ && runStart_->newLayersOnPretrained && !runStart_->newLayersFirst;
  return true;
}

bool TrainingPanel::applyDoctorFix(const QString& code) {
  if (!fixApplies(code)) return false;
  if (session_->isRunning()) {
    if (!pendingFix_.isEmpty()) return false;  // already stopping for one
    // The run ends after its current batch; onFinished goes on with the fix.
    pendingFix_ = code;
    doctor_->setFixesEnabled(false);
    doctor_->setStatus(tr("Stopping the run to apply the fix…"));
    session_->stop();
    appendLog(tr("stopping the run to apply the doctor's fix…"));
    return true;
  }
  return restartWithFix(code);
}

bool TrainingPanel::changeSettingsFor(const QString& code, QString* change) {
  const std::optional<DoctorFixEntry> entry = doctorFixFor(code);
  if (!entry) return false;
  const bool planInUse = usePlan_->isChecked() && !plan_->toPlainText().trimmed().isEmpty();
  try {
    switch (entry->fix) {
      case DoctorFix::FreezeBatchNorm:
        trainBatchNorm_->setChecked(false);
        if (planInUse) plan_->setPlainText(planWithBatchNormFrozen(plan_->toPlainText()));
        *change = tr("BatchNormalization frozen");
        return true;
      case DoctorFix::LowerRate: {
        if (planInUse) {
          plan_->setPlainText(planWithLowerRates(plan_->toPlainText(), code));
          *change = tr("the plan's learning rates lowered");
          return true;
        }
        // A run left to the defaults trained by the advisor's plan: a rate in the form would
        // make it one run of every layer, so the plan comes into the editor with lower rates.
        if (runStart_ && runStart_->advisorPlan) {
          if (!advise()) return false;
          plan_->setPlainText(planWithLowerRates(plan_->toPlainText(), code));
          *change = tr("the advisor's plan with lower learning rates");
          return true;
        }
        const TrainingSettings now = settings();
        const double current =
            now.learningRate > 0 ? now.learningRate : defaultLearningRate(now.optimizer);
        const double lowered = loweredLearningRate(code, now.optimizer, current);
        learningRate_->setText(QString::number(lowered, 'g', 6));
        *change = tr("learning rate lowered from %1 to %2")
                      .arg(QString::number(current, 'g', 6), QString::number(lowered, 'g', 6));
        return true;
      }
      case DoctorFix::TrainHeadFirst:
        if (!advise()) return false;
        *change = tr("training by the advisor's plan, the new layers first");
        return true;
    }
  } catch (const std::exception& e) {
    *change = QString::fromStdString(e.what());
  }
  return false;
}

bool TrainingPanel::restartWithFix(const QString& code) {
  const std::optional<DoctorFixEntry> entry = doctorFixFor(code);
  if (!entry || !document_->hasModel()) return false;
  QString change;
  if (!changeSettingsFor(code, &change)) {
    const QString text = change.isEmpty()
                             ? tr("The fix could not be applied: %1").arg(advice_->text())
                             : tr("The fix could not be applied: %1").arg(change);
    doctor_->setStatus(text);
    doctor_->setFixesEnabled(true);
    appendLog(text);
    Q_EMIT statusMessage(text);
    return false;
  }
  // Where to start again: the run's last good checkpoint (or the model before the run) while
  // the document still holds the run's model (or its result); after an edit, the edited model.
  const uint64_t revision = document_->revision();
  const bool untouched = revision == runRevision_ || committedRevision_ == revision;
  std::shared_ptr<const Model> from;
  QString origin;
  if (!untouched || !session_->runModel()) {
    from = std::make_shared<const Model>(document_->model());
    origin = session_->runModel() ? tr("the model as it is now (it changed after the run started)")
                                  : tr("the document's model");
  } else if (entry->fromLastGood && session_->lastGoodCheckpoint()) {
    from = session_->lastGoodCheckpoint();
    origin = tr("the checkpoint of epoch %1, the last one the doctor found nothing wrong with")
                 .arg(session_->lastGoodEpoch());
  } else {
    from = session_->runModel();
    origin = tr("the model as it was before the run");
  }
  if (!startRun(*from, revision)) return false;
  const QString text = tr("Doctor's fix: %1; restarted from %2.").arg(change, origin);
  appendLog(text);
  Q_EMIT statusMessage(text);
  return true;
}

void TrainingPanel::createSampleData() {
  if (isTraining()) return;  // the folder stays the run's until it ends (Model menu too)
  const QString base = QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation);
  QString dir = QDir(base).filePath(QStringLiteral("sample-data"));
  if (!QFileInfo::exists(dir)) {
    QDir().mkpath(base);
    try {
      writeSampleData(dir.toStdString());
    } catch (const std::exception& e) {
      showError(this, tr("Cannot write the sample data"), QString::fromStdString(e.what()));
      return;
    }
    appendLog(tr("sample data written to %1").arg(dir));
  }
  setDataDir(dir);
}

}  // namespace graft::ui
