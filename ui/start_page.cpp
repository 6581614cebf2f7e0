#include "ui/start_page.h"

#include <algorithm>

#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

#include "graph/analysis.h"
#include "io/fetch/fetch_weights.h"
#include "io/zoo/zoo.h"
#include "io/zoo/zoo_listing.h"
#include "ui/secondary_text.h"
#include "ui/weights_download_panel.h"
#include "ui/zoo_browser.h"

namespace graft::ui {
namespace {

QString homeRelative(const QString& path) {
  const QString home = QDir::homePath();
  return path.startsWith(home) ? "~" + path.mid(home.size()) : path;
}

zoo::ZooOptions optionsOf(const ModelSpec& spec) {
  zoo::ZooOptions options;
  options.architecture = spec.source;
  options.alpha = spec.alpha.value_or(1.0);
  options.inputSize = spec.inputSize;
  options.includeTop = spec.includeTop.value_or(true);
  options.classes = spec.classes.value_or(1000);
  options.pooling = spec.pooling;
  options.minimalistic = spec.minimalistic.value_or(false);
  options.includePreprocessing = spec.includePreprocessing.value_or(true);
  return options;
}

}  // namespace

QString describeZooSpec(const ModelSpec& spec) {
  QString text = QString::fromStdString(spec.source);
  if (zoo::hasAlpha(spec.source)) text += QStringLiteral(" α %1").arg(spec.alpha.value_or(1.0));
  if (spec.minimalistic.value_or(false)) text += QStringLiteral(" minimalistic");
  const int64_t size = spec.inputSize.value_or(zoo::defaultInputSize(spec.source));
  text += QStringLiteral(", %1×%1").arg(size);
  if (spec.includeTop.value_or(true)) {
    text += QStringLiteral(", top with %1 classes").arg(spec.classes.value_or(1000));
  } else {
    text += QStringLiteral(", no top");
    if (!spec.pooling.empty())
      text += QStringLiteral(" (%1 pooling)").arg(QString::fromStdString(spec.pooling));
  }
  return text;
}

StartPage::StartPage(const QString& kerasCacheDir, QWidget* parent)
    : QWidget(parent), kerasCacheDir_(kerasCacheDir) {
  auto* outer = new QVBoxLayout(this);
  outer->setContentsMargins(40, 30, 40, 30);
  auto* title = new QLabel(tr("<span style='font-size:22pt; font-weight:600'>Graft</span><br>"
                              "<span style='font-size:11pt'>Transfer learning by model surgery: "
                              "open a pretrained Keras network, cut, insert, freeze and fine-tune "
                              "it by pointing and dragging.</span>"),
                           this);
  title->setWordWrap(true);
  outer->addWidget(title);
  outer->addSpacing(16);
  auto* columns = new QHBoxLayout;
  columns->setSpacing(24);
  columns->addWidget(buildOpenColumn(), 2);
  columns->addWidget(buildZooColumn(), 3);
  outer->addLayout(columns, 1);
  status_ = new QLabel(this);
  status_->setWordWrap(true);
  status_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  outer->addWidget(status_);
  updateZooForm();
}

QWidget* StartPage::buildOpenColumn() {
  auto* box = new QGroupBox(tr("Open"), this);
  auto* layout = new QVBoxLayout(box);
  auto* open = new QPushButton(tr("Open Keras model or Graft project…"), box);
  open->setIcon(QIcon(QStringLiteral(":/icons/open.svg")));
  open->setDefault(true);
  open->setObjectName(QStringLiteral("start_open_file"));
  openFile_ = open;
  connect(open, &QPushButton::clicked, this, &StartPage::openFileRequested);
  layout->addWidget(open);
  auto* hint = new QLabel(tr("Keras .h5 (full model or weights only, the architecture is "
                             "recognised), Keras model JSON, or a .graft project. You can also "
                             "drop a file anywhere on this window."),
                          box);
  hint->setWordWrap(true);
  showAsSecondaryText(hint);
  layout->addWidget(hint);
  auto* sample = new QPushButton(tr("Create a sample image folder to train on"), box);
  sample->setIcon(QIcon(QStringLiteral(":/icons/train.svg")));
  sample->setToolTip(
      tr("Three classes of drawn shapes: MobileNet α 0.25 learns them in a couple "
         "of epochs"));
  connect(sample, &QPushButton::clicked, this, &StartPage::sampleDataRequested);
  layout->addWidget(sample);
  layout->addSpacing(10);
  auto* recentLabel = new QLabel(tr("<b>Recent</b>"), box);
  layout->addWidget(recentLabel);
  recent_ = new QListWidget(box);
  recentLabel->setBuddy(recent_);
  recent_->setAccessibleName(tr("Recent files"));
  recent_->setObjectName(QStringLiteral("start_recent"));
  // Long names lose their middle, not their suffix: a project and the .h5 it came from read the
  // same when cut at the end.
  recent_->setTextElideMode(Qt::ElideMiddle);
  connect(recent_, &QListWidget::itemActivated, this, [this](QListWidgetItem* item) {
    Q_EMIT openPathRequested(item->data(Qt::UserRole).toString());
  });
  layout->addWidget(recent_, 1);
  return box;
}

QWidget* StartPage::buildZooColumn() {
  auto* box = new QGroupBox(tr("Start from a Keras Applications architecture"), this);
  auto* column = new QVBoxLayout(box);
  zoo_ = new ZooBrowser(kerasCacheDir_, box);
  column->addWidget(zoo_, 1);
  // Right under the list, saying what it opens: below the options it was off a 768 px screen,
  // and the list's parameter count is the published model's, not the chosen width's.
  openZoo_ = new QPushButton(tr("Open architecture"), box);
  openZoo_->setObjectName(QStringLiteral("start_open_architecture"));
  column->addWidget(openZoo_);
  auto* form = new QFormLayout;
  column->addLayout(form);
  alpha_ = new QDoubleSpinBox(box);
  alpha_->setObjectName(QStringLiteral("start_alpha"));
  alpha_->setDecimals(2);
  alpha_->setSingleStep(0.05);
  alphaLabel_ = new QLabel(tr("Width α"), box);
  form->addRow(alphaLabel_, alpha_);
  // Named for what it sets: a screen reader announced the section's title for it.
  alpha_->setAccessibleName(tr("Width α"));
  inputSize_ = new QSpinBox(box);
  inputSize_->setRange(32, 1024);
  inputSize_->setSuffix(QStringLiteral(" px"));
  inputSize_->setValue(224);
  form->addRow(tr("Input size"), inputSize_);
  inputSize_->setAccessibleName(tr("Input size"));
  includeTop_ = new QCheckBox(tr("Include the classifier top"), box);
  form->addRow(QString(), includeTop_);
  classes_ = new QSpinBox(box);
  classes_->setRange(1, 100000);
  classes_->setValue(1000);
  form->addRow(tr("Classes"), classes_);
  classes_->setAccessibleName(tr("Classes"));
  pooling_ = new QComboBox(box);
  pooling_->setObjectName(QStringLiteral("start_pooling"));
  pooling_->addItem(tr("none (feature maps)"), QString());
  pooling_->addItem(tr("global average"), QStringLiteral("avg"));
  pooling_->addItem(tr("global max"), QStringLiteral("max"));
  form->addRow(tr("Pooling"), pooling_);
  // On Linux Qt reports a combo box's value as its name: the label, its buddy, is the
  // relation a screen reader reads; other platforms read this.
  pooling_->setAccessibleName(tr("Pooling"));
  mobileNetV3Options_ = new QWidget(box);
  auto* v3 = new QHBoxLayout(mobileNetV3Options_);
  v3->setContentsMargins(0, 0, 0, 0);
  minimalistic_ = new QCheckBox(tr("Minimalistic"), mobileNetV3Options_);
  minimalistic_->setToolTip(
      tr("ReLU and 3×3 kernels, no squeeze-and-excitation (Keras's "
         "minimalistic=True)"));
  dropoutRate_ = new QDoubleSpinBox(mobileNetV3Options_);
  dropoutRate_->setRange(0.0, 0.95);
  dropoutRate_->setSingleStep(0.05);
  dropoutRate_->setValue(0.2);
  dropoutRate_->setPrefix(tr("dropout "));
  dropoutRate_->setToolTip(tr("Rate of the top's Dropout while training (0: no Dropout layer)"));
  v3->addWidget(minimalistic_);
  v3->addWidget(dropoutRate_);
  v3->addStretch(1);
  form->addRow(tr("MobileNetV3"), mobileNetV3Options_);
  // Keras's include_preprocessing (MobileNetV3, EfficientNetV2, ConvNeXt): what the layers do
  // is the tooltip, set per architecture.
  includePreprocessing_ = new QCheckBox(tr("Preprocessing layers (pixels 0..255 in)"), box);
  includePreprocessing_->setObjectName(QStringLiteral("start_include_preprocessing"));
  includePreprocessing_->setChecked(true);
  form->addRow(tr("Preprocessing"), includePreprocessing_);
  weights_ = new QLabel(box);
  weights_->setWordWrap(true);
  weights_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  form->addRow(tr("Weights"), weights_);
  download_ = new WeightsDownloadPanel(box);
  form->addRow(QString(), download_);
  connect(download_, &WeightsDownloadPanel::installed, this, [this] {
    zoo_->refreshCache();
    updateZooForm();
  });
  auto open = [this] {
    const ModelSpec spec = zooSpec();
    Q_EMIT openSpecRequested(spec, describeZooSpec(spec));
  };
  connect(openZoo_, &QPushButton::clicked, this, open);
  connect(zoo_, &ZooBrowser::architectureActivated, this, open);
  connect(zoo_, &ZooBrowser::currentArchitectureChanged, this, &StartPage::architectureChanged);
  for (auto* spin : {inputSize_, classes_})
    connect(spin, qOverload<int>(&QSpinBox::valueChanged), this, &StartPage::updateZooForm);
  connect(alpha_, qOverload<double>(&QDoubleSpinBox::valueChanged), this,
          &StartPage::updateZooForm);
  for (auto* check : {includeTop_, minimalistic_, includePreprocessing_})
    connect(check, &QCheckBox::toggled, this, &StartPage::updateZooForm);
  connect(pooling_, &QComboBox::currentIndexChanged, this, &StartPage::updateZooForm);
  // MobileNet α 0.25 is the quick start: small enough to fine-tune on a laptop in minutes.
  zoo_->selectArchitecture(QStringLiteral("mobilenet"));
  alpha_->setValue(0.25);
  return box;
}

void StartPage::architectureChanged(const QString& architecture) {
  const std::string name = architecture.toStdString();
  if (name.empty()) {  // the filter hides every architecture: nothing to open
    updateZooForm();
    return;
  }
  inputSize_->setValue(static_cast<int>(zoo::defaultInputSize(name)));
  if (zoo::hasAlpha(name)) {
    // The widths Keras publishes weights for bound the box; Keras builds others too, but the
    // point of the zoo is its pretrained weights.
    const std::vector<double> alphas = zoo::publishedAlphas(name);
    const auto [low, high] = std::minmax_element(alphas.begin(), alphas.end());
    alpha_->setRange(*low, *high);
    alpha_->setValue(1.0);
  }
  updateZooForm();
}

ModelSpec StartPage::zooSpec() const {
  ModelSpec spec;
  spec.source = zoo_->currentArchitecture().toStdString();
  if (zoo::hasAlpha(spec.source)) spec.alpha = alpha_->value();
  spec.inputSize = inputSize_->value();
  spec.includeTop = includeTop_->isChecked();
  if (includeTop_->isChecked()) {
    spec.classes = classes_->value();
  } else {
    spec.pooling = pooling_->currentData().toString().toStdString();
  }
  if (zoo::familyOf(spec.source) == "MobileNetV3") {
    if (minimalistic_->isChecked()) spec.minimalistic = true;
    spec.dropoutRate = dropoutRate_->value();
  }
  if (zoo::hasPreprocessingOption(spec.source) && !includePreprocessing_->isChecked())
    spec.includePreprocessing = false;
  spec.kerasCacheDir = kerasCacheDir_.toStdString();
  return spec;
}

void StartPage::updateZooForm() {
  const std::string architecture = zoo_->currentArchitecture().toStdString();
  openZoo_->setEnabled(!architecture.empty());
  if (architecture.empty()) return;  // the filter hides every architecture
  const bool alpha = zoo::hasAlpha(architecture);
  alpha_->setVisible(alpha);
  alphaLabel_->setVisible(alpha);
  mobileNetV3Options_->setEnabled(zoo::familyOf(architecture) == "MobileNetV3");
  const std::string preprocessing = zoo::preprocessingOptionHelp(architecture);
  includePreprocessing_->setEnabled(!preprocessing.empty());
  includePreprocessing_->setToolTip(
      preprocessing.empty()
          ? tr("Keras builds this architecture without preprocessing layers")
          : tr("Keras's include_preprocessing: %1").arg(QString::fromStdString(preprocessing)));
  inputSize_->setMinimum(static_cast<int>(zoo::minimumInputSize(architecture)));
  classes_->setEnabled(includeTop_->isChecked());
  pooling_->setEnabled(!includeTop_->isChecked());
  // Tell before loading where the weights will come from: the user's Keras cache or fresh ones.
  const zoo::ZooOptions options = optionsOf(zooSpec());
  openZoo_->setText(tr("Open %1").arg(describeZooSpec(zooSpec())));
  try {
    const GraphAnalysis analysis = analyze(zoo::buildGraph(options));
    if (analysis.ok())
      // Two lines: on one, the button alone held the page wider than a 1024 px screen.
      openZoo_->setText(tr("Open %1\n%2 parameters")
                            .arg(describeZooSpec(zooSpec()),
                                 QString::fromStdString(zoo::readableCount(analysis.totalParams))));
  } catch (const std::exception&) {
    // Options the architecture refuses: opening says why.
  }
  const std::string file = zoo::standardWeightsFileName(options);
  const QString path = QDir(kerasCacheDir_).filePath(QString::fromStdString(file));
  // One click fetches what Keras would: only offered for a file Keras publishes and lacks here.
  std::optional<fetch::FetchRequest> download;
  if (!file.empty() && !QFileInfo::exists(path) && fetch::publishedWeights(options))
    download =
        fetch::zooFetchRequest(options, kerasCacheDir_.toStdString(), configuredWeightsBaseUrl());
  download_->setRequest(download);
  if (file.empty()) {
    weights_->setText(
        tr("Keras publishes no ImageNet weights for these options: the network "
           "starts with fresh random weights."));
  } else if (QFileInfo::exists(path)) {
    weights_->setText(tr("<span style='color:#2e8b57'>✔</span> ImageNet weights from the Keras "
                         "cache:<br><tt>%1</tt>")
                          .arg(homeRelative(path).toHtmlEscaped()));
  } else {
    weights_->setText(
        tr("<tt>%1</tt> is not in the Keras cache (<tt>%2</tt>): the network "
           "starts with fresh random weights. Download it from Keras below, or open the .h5 file "
           "directly if you have it elsewhere.")
            .arg(QString::fromStdString(file).toHtmlEscaped(),
                 homeRelative(kerasCacheDir_).toHtmlEscaped()));
  }
}

void StartPage::setRecentFiles(const QStringList& paths) {
  recent_->clear();
  for (const QString& path : paths) {
    auto* item = new QListWidgetItem(QFileInfo(path).fileName(), recent_);
    item->setData(Qt::UserRole, path);
    item->setToolTip(path);
    const QString folder = homeRelative(QFileInfo(path).absolutePath());
    item->setText(QStringLiteral("%1\n    %2").arg(QFileInfo(path).fileName(), folder));
    if (!QFileInfo::exists(path))
      item->setForeground(palette().color(QPalette::Disabled, QPalette::Text));
  }
  if (paths.isEmpty()) {
    auto* item = new QListWidgetItem(tr("No recent files yet."), recent_);
    item->setFlags(Qt::NoItemFlags);
  }
}

void StartPage::setStatus(const QString& text) {
  status_->setText(text);
}

}  // namespace graft::ui
