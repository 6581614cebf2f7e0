#include "cli/gradcam_output.h"

#include <filesystem>
#include <fstream>
#include <sstream>

namespace graft::cli {

namespace fs = std::filesystem;

void GradCamArguments::addTo(CLI::App& command) {
  auto* gradCam =
      command.add_option("--gradcam", layer,
                         "write a Grad-CAM overlay of each image for this layer "
                         "(auto: the last layer with a spatial map) into --gradcam-out");
  auto* out = command.add_option("--gradcam-out", outDir, "folder for the Grad-CAM overlay PNGs");
  // One without the other is a usage error (exit 2), as any missing option is.
  gradCam->needs(out);
  out->needs(gradCam);
  command
      .add_option("--gradcam-class", classChoice,
                  "the class Grad-CAM explains, by number or label (default: the predicted one)")
      ->needs(gradCam);
  command.add_option("--gradcam-opacity", opacity, "opacity of the heat map (default 0.5)")
      ->check(CLI::Range(0.0, 1.0))
      ->needs(gradCam);
}

namespace {

// The folder exists (created if not) and takes a file: a probe is written and removed.
void checkWritableFolder(const std::string& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec || !fs::is_directory(dir))
    throw Error(Diagnostic{dir, "cannot hold the Grad-CAM overlays: " +
                                    (ec ? ec.message() : std::string("not a folder"))});
  const fs::path probe = fs::path(dir) / ".graft-write-test";
  if (!std::ofstream(probe))
    throw Error(Diagnostic{dir, "cannot hold the Grad-CAM overlays: the folder is not writable"});
  fs::remove(probe, ec);
}

}  // namespace

GradCamWriter::GradCamWriter(const GradCamArguments& arguments, const Model& model,
                             const DeviceChoice& device, std::optional<int64_t> freeInputSize)
    : arguments_(arguments), maps_(model, device, freeInputSize) {
  if (arguments.layer.empty() || arguments.outDir.empty())
    throw Error("--gradcam LAYER and --gradcam-out DIR go together");
  // Refused before any image, as a bad layer is: the prediction used to be printed, then the
  // image counted as failed.
  if (maps_.classes() == 0)
    throw Error(Diagnostic{"--gradcam",
                           "Grad-CAM needs a model whose output is a vector of "
                           "class scores (None, classes); '" +
                               model.graph.name() + "' has none (a base without its classifier?)"});
  layer_ = maps_.gradCamLayer(arguments.layer);
  if (!arguments.classChoice.empty()) classIndex_ = maps_.classIndexOf(arguments.classChoice);
  checkWritableFolder(arguments.outDir);
}

GradCamWritten GradCamWriter::write(const std::string& imageFile) {
  const GradCamMap cam = maps_.gradCam(imageFile, layer_, classIndex_);
  const RgbImage image = loadRgbImage(imageFile);
  const std::string stem = fs::path(imageFile).stem().string();
  std::string name = stem + ".gradcam.png";
  for (int n = 2; written_.count(name); ++n) name = stem + "-" + std::to_string(n) + ".gradcam.png";
  written_.insert(name);
  const std::string path = (fs::path(arguments_.outDir) / name).string();
  writePng(overlayHeatmap(image, cam.map, cam.width, cam.height, arguments_.opacity), path);

  GradCamWritten out;
  out.json = Json{{"file", path}, {"layer", cam.layer}, {"class", cam.classIndex}};
  if (!cam.label.empty()) out.json["label"] = cam.label;
  out.json["no_evidence"] = cam.noEvidence;
  std::ostringstream text;
  text << "  Grad-CAM (" << cam.layer << ", class " << cam.classIndex;
  if (!cam.label.empty()) text << " " << cam.label;
  text << "): " << path;
  if (cam.noEvidence)
    text << " (empty: no position of " << cam.layer
         << " raises the class's score; an earlier layer may show where it looks)";
  text << "\n";
  out.text = text.str();
  return out;
}

}  // namespace graft::cli
