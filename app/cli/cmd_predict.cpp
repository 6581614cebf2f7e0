// graft-cli predict MODEL IMAGE... [--top K] [--labels FILE] [--json]: run the model on images.
// Unreadable images are named on stderr and skipped; the rest are predicted; exit 1 at the end
// if any failed (DESIGN.md "Command line"). With --gradcam LAYER --gradcam-out DIR each image's
// Grad-CAM overlay is written as a PNG too (cli/gradcam_output.h).
#include <algorithm>
#include <iomanip>
#include <numeric>
#include <sstream>

#include "cli/cli_context.h"
#include "cli/gradcam_output.h"
#include "cli/spec_options.h"
#include "cli/text_columns.h"
#include "graph/untrained_layers.h"
#include "io/json_file.h"
#include "io/zoo_option_error.h"
#include "runtime/data/data_pipeline.h"
#include "runtime/prediction/predict.h"
#include "runtime/system/error_text.h"

namespace graft::cli {

namespace {

Json predictionJson(const ImagePrediction& p) {
  Json j{{"file", p.file}, {"shape", p.shape}, {"output", p.output}};
  if (!p.top.empty()) {  // the core lists a top only for class vectors
    Json top = Json::array();
    for (const auto& t : p.top) {
      Json entry{{"index", t.index}};
      if (!t.label.empty()) entry["label"] = t.label;
      entry["probability"] = t.probability;
      top.push_back(std::move(entry));
    }
    j["top"] = std::move(top);
  }
  return j;
}

// A class vector: one line per top entry. Anything else: its shape, and the values when few,
// a min / mean / max line when many (a feature map).
std::string predictionText(const ImagePrediction& p) {
  std::ostringstream out;
  out << p.file << "  " << shapeToString(p.shape) << "\n";
  if (!p.top.empty()) {
    size_t width = 0;
    for (const auto& t : p.top) width = std::max(width, terminalColumns(t.label));
    for (size_t i = 0; i < p.top.size(); ++i) {
      const TopEntry& t = p.top[i];
      out << "  " << std::setw(2) << i + 1 << ". ";
      if (width) out << padToColumns(t.label, width) << "  ";
      out << std::fixed << std::setprecision(6) << t.probability << "  (class " << t.index << ")\n";
    }
  } else if (p.output.size() <= 10) {
    out << "  output:";
    for (float v : p.output) out << " " << v;
    out << "\n";
  } else {
    const auto [lo, hi] = std::minmax_element(p.output.begin(), p.output.end());
    const double mean = std::accumulate(p.output.begin(), p.output.end(), 0.0) /
                        static_cast<double>(p.output.size());
    out << "  " << p.output.size() << " values: min " << *lo << ", mean " << mean << ", max " << *hi
        << "\n";
  }
  return out.str();
}

struct PrintOptions {
  int64_t top = 5;
  int64_t batchSize = 16;
  bool json = false;
  std::string device;
};

// Predicts every image and prints each as it comes (a failed one as {"file", "error"} with
// --json, and on stderr); returns how many failed.
size_t predictEach(const CLI::App& cmd, const ModelArguments& args,
                   const std::vector<std::string>& images, const PrintOptions& print,
                   const GradCamArguments& gradCam) {
  const ModelSpec spec = args.spec(cmd);
  LoadedModel loaded = loadModelReporting(spec, args.quiet);
  // Said even with --quiet: every answer below would mean nothing.
  if (auto random = randomLayersWarning(loaded.model, loaded.freshLayers, "its predictions"))
    std::cerr << "graft-cli: warning: " << args.source << ": " << *random << std::endl;
  std::unique_ptr<Predictor> predictor;
  try {
    predictor = std::make_unique<Predictor>(loaded.model, *parseDeviceChoice(print.device));
  } catch (const Error& e) {
    // Name the labels file, which the core only knows as "labels", and the model file, which
    // the core only knows as a graph ("predict needs a model with one input").
    const Diagnostics& d = e.diagnostics();
    if (!args.labels.empty() && d.size() == 1 && d.front().subject == "labels")
      throw Error(Diagnostic{args.labels, d.front().message});
    if (d.size() == 1 && d.front().subject == "--device") throw;
    throw Error(args.source + ": " + e.what());
  }
  if (predictor->autoChoseGpu() && !args.quiet)
    std::cerr << "graft-cli: computing on " << predictor->deviceName() << std::endl;
  std::unique_ptr<GradCamWriter> gradCamWriter;
  if (gradCam.requested())
    gradCamWriter = std::make_unique<GradCamWriter>(
        gradCam, loaded.model, *parseDeviceChoice(print.device), spec.inputSize);
  PredictOptions options;
  options.topK = print.top;
  options.batchSize = print.batchSize;
  // The size of a free (None x None) input; loadModel refused it where the input is fixed
  // otherwise, and a zoo architecture was built at it.
  options.freeInputSize = spec.inputSize;
  if (!spec.inputSize && !args.quiet)
    if (const std::string note = freeInputSizeNote(loaded.model); !note.empty())
      std::cerr << "graft-cli: " << note << std::endl;
  size_t failed = 0;
  predictor->run(images, options, [&](const ImagePrediction& p) {
    if (!p.ok()) {
      ++failed;
      std::cerr << "graft-cli: skipped: " << p.error << std::endl;
      if (print.json) std::cout << jsonText({{"file", p.file}, {"error", p.error}}) << std::endl;
      return;
    }
    Json j = predictionJson(p);
    std::string text = predictionText(p);
    if (gradCamWriter) {
      try {
        const GradCamWritten written = gradCamWriter->write(p.file);
        j["gradcam"] = written.json;
        text += written.text;
      } catch (const std::exception& e) {
        ++failed;
        std::cerr << "graft-cli: " << p.file << ": no Grad-CAM overlay: " << errorText(e)
                  << std::endl;
        j["gradcam"] = Json{{"error", errorText(e)}};
      }
    }
    if (print.json)
      std::cout << jsonText(j) << std::endl;
    else
      std::cout << text << std::flush;
  });
  return failed;
}

}  // namespace

void registerPredictCommand(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "predict", "run the model on images (resized to its input, preprocessed as the model says)");
  auto args = std::make_shared<ModelArguments>();
  auto images = std::make_shared<std::vector<std::string>>();
  auto top = std::make_shared<int64_t>(5);
  auto batchSize = std::make_shared<int64_t>(16);
  auto json = std::make_shared<bool>(false);
  auto device = std::make_shared<std::string>("auto");
  auto gradCam = std::make_shared<GradCamArguments>();
  args->addTo(*cmd);
  cmd->add_option("IMAGE", *images, "image files: JPEG, PNG (8/16-bit), GIF, BMP, WebP, TIFF ...")
      ->required();
  // The tables' range check: "--top: expected at least 1, found 0" (CLI::PositiveNumber spells
  // out the largest double).
  const SpecRange atLeastOne{1.0, std::nullopt, false, false};
  cmd->add_option("--top", *top, "how many of the best classes to list (default 5)")
      ->check(specRangeValidator(atLeastOne));
  cmd->add_option("--batch-size", *batchSize, "images per forward pass (default 16)")
      ->check(specRangeValidator(atLeastOne));
  cmd->add_flag("--json", *json,
                "print one JSON object per image: file, shape, output, top (class vectors), "
                "gradcam (with --gradcam); file and error for an image that failed; "
                "{\"error\": ...} when nothing could run");
  addDeviceOption(*cmd, *device);
  gradCam->addTo(*cmd);
  cmd->callback([cmd, args, images, top, batchSize, json, device, gradCam] {
    size_t failed = 0;
    try {
      failed = predictEach(*cmd, *args, *images, {*top, *batchSize, *json, *device}, *gradCam);
    } catch (const ZooOptionRefused&) {
      throw;  // a usage error: CLI's message on stderr, nothing on stdout (main.cpp)
    } catch (const std::exception& e) {
      // Failed before its images or in the middle (the model, a label file, an option): one
      // object says why, where a script reading the lines got nothing.
      if (*json) std::cout << jsonText({{"error", errorText(e)}}) << std::endl;
      throw;
    }
    if (failed)
      throw Error(std::to_string(failed) + " of " + std::to_string(images->size()) +
                  " images could not be predicted");
  });
}

}  // namespace graft::cli
