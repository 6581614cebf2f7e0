// graft-cli export: the command, its failures, and the contract that an exported model returns
// what `graft-cli predict` prints as `output` for the same image (checked with Python's torch
// and OpenCV, which know nothing of Graft).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "support/disk_full.h"
#include "support/test_support.h"
#include "tiny_model.h"

namespace graft::test {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

// Empty when /usr/bin/python3 has the modules, else why not.
std::string pythonMissing(const std::string& imports) {
  if (!fs::exists(GRAFT_PYTHON)) return std::string(GRAFT_PYTHON) + " not found";
  const CommandResult r = runProgram(GRAFT_PYTHON, {"-c", imports});
  return r.exitCode == 0 ? ""
                         : std::string(GRAFT_PYTHON) + " cannot run '" + imports + "': " + r.err;
}

TEST(ExportCli, HelpNamesTheFormats) {
  const CommandResult r = runCli({"export", "--help"});
  EXPECT_EQ(r.exitCode, 0) << r.err;
  for (const char* word : {"torchscript", "onnx", "keras-h5", "--output", "--format", "NCHW"})
    EXPECT_NE(r.out.find(word), std::string::npos) << word << "\n" << r.out;
}

TEST(ExportCli, UnknownFormatIsAUsageError) {
  TempDir dir;
  const CommandResult r = runCli(
      {"export", "mobilenet", "--alpha", "0.25", "--format", "tflite", "-o", dir.file("m.tflite")},
      kerasCacheIn(dir));
  EXPECT_EQ(r.exitCode, 2) << r.err;
  EXPECT_FALSE(fs::exists(dir.file("m.tflite")));
}

TEST(ExportCli, WritesEachFormatAndReportsTheCheck) {
  TempDir dir;
  for (const auto& [format, file] : std::vector<std::pair<std::string, std::string>>{
           {"torchscript", "m.pt"}, {"onnx", "m.onnx"}, {"keras-h5", "m.h5"}}) {
    const CommandResult r =
        runCli({"export", "mobilenet", "--alpha", "0.25", "--input-size", "64", "--include-top",
                "--classes", "3", "--format", format, "-o", dir.file(file)},
               kerasCacheIn(dir));
    EXPECT_EQ(r.exitCode, 0) << format << ": " << r.err;
    EXPECT_NE(r.out.find("largest difference"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find(dir.file(file)), std::string::npos) << r.out;
    EXPECT_TRUE(fs::exists(dir.file(file))) << format;
  }
  // An export is for other tools: opening the TorchScript file in Graft says what it is.
  const CommandResult reopened = runCli({"summary", dir.file("m.pt")});
  EXPECT_EQ(reopened.exitCode, 1);
  EXPECT_NE(reopened.err.find("a PyTorch file (TorchScript"), std::string::npos) << reopened.err;
  // The ZIP's folder is torch's "archive", not the atomic write's hidden temporary name.
  EXPECT_NE(reopened.err.find("a ZIP holding archive/data.pkl"), std::string::npos) << reopened.err;
  // So does the ONNX file, also under a name that does not say it.
  fs::copy_file(dir.file("m.onnx"), dir.file("m.bin"));
  for (const std::string file : {"m.onnx", "m.bin"}) {
    const CommandResult onnx = runCli({"summary", dir.file(file)});
    EXPECT_EQ(onnx.exitCode, 1);
    EXPECT_NE(onnx.err.find(dir.file(file) + ": an ONNX model, not a Keras model"),
              std::string::npos)
        << onnx.err;
    EXPECT_NE(onnx.err.find("open the model this was exported from"), std::string::npos)
        << onnx.err;
  }
}

TEST(ExportCli, MissingFolderExitsOneAndWritesNothing) {
  TempDir dir;
  const std::string out = dir.file("missing/m.onnx");
  const CommandResult r = runCli({"export", "mobilenet", "--alpha", "0.25", "--input-size", "64",
                                  "--format", "onnx", "-o", out},
                                 kerasCacheIn(dir));
  EXPECT_EQ(r.exitCode, 1);
  EXPECT_NE(r.err.find(out), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(dir.file("missing")));
}

TEST(ExportCli, OnnxRefusesAModelWithoutInputSizeNamingLayerAndFormat) {
  TempDir dir;
  const CommandResult r = runCli({"export", "mobilenet", "--alpha", "0.25", "--no-top", "--format",
                                  "onnx", "-o", dir.file("m.onnx")},
                                 kerasCacheIn(dir));
  EXPECT_EQ(r.exitCode, 1);
  EXPECT_NE(r.err.find("input_1"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("ONNX"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("--input-size"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(dir.file("m.onnx")));
}

// --input-size gives a free input (None x None) its size: ONNX, which needs one, exports, and
// every format's check runs at that size (it ran at 224 and ONNX asked for --input-size).
TEST(ExportCli, InputSizeGivesAFreeInputItsSize) {
  TempDir dir;
  const std::string model = dir.file("free.json");
  std::ofstream(model) << kFreeSizeModel;
  for (const auto& [format, file] : std::vector<std::pair<std::string, std::string>>{
           {"onnx", "m.onnx"}, {"torchscript", "m.pt"}, {"keras", "m.keras"}}) {
    SCOPED_TRACE(format);
    const CommandResult r = runCli(
        {"export", model, "--input-size", "28", "--format", format, "-o", dir.file(file), "--json"},
        kerasCacheIn(dir));
    ASSERT_EQ(r.exitCode, 0) << r.err;
    // The batch in the layout the file takes: NCHW, or NHWC for Keras.
    const Json shape = Json::parse(r.out).at("sample_shape");
    ASSERT_EQ(shape.size(), 4u) << r.out;
    const bool keras = format == "keras";
    EXPECT_EQ(shape[keras ? 3 : 1], 1) << r.out;
    EXPECT_EQ(shape[keras ? 1 : 2], 28) << r.out;
    EXPECT_EQ(shape[keras ? 2 : 3], 28) << r.out;
    EXPECT_NE(r.err.find("(None, None, None, 1) exported as (None, 28, 28, 1)"), std::string::npos)
        << r.err;
  }
}

// A model whose output does not depend on its input (a ReLU whose threshold no pixel reaches;
// a random-weight MobileNetV3 at 64 px did it unseen): the export passes and is kept, and a
// warning on stderr, also with --quiet, says the check proves nothing; --json carries it.
TEST(ExportCli, AnOutputThatIgnoresTheInputIsAWarning) {
  TempDir dir;
  const auto write = [&](const std::string& name, double threshold) {
    std::ofstream(dir.file(name)) << R"({"class_name": "Sequential", "config": {"name": "flat",
      "layers": [
  {"class_name": "InputLayer", "config": {"name": "in", "batch_input_shape": [null, 8, 8, 3]}},
  {"class_name": "ReLU", "config": {"name": "gate", "threshold": )"
                                  << threshold << R"(}},
  {"class_name": "GlobalAveragePooling2D", "config": {"name": "pool"}}]}})";
    return dir.file(name);
  };
  const std::string flat = write("flat.json", 1000.0), live = write("live.json", 0.0);
  const CommandResult r =
      runCli({"export", flat, "--format", "onnx", "-o", dir.file("flat.onnx")}, kerasCacheIn(dir));
  ASSERT_EQ(r.exitCode, 0) << r.err;
  EXPECT_TRUE(fs::exists(dir.file("flat.onnx")));
  EXPECT_NE(r.out.find("largest difference"), std::string::npos) << r.out;
  EXPECT_NE(r.err.find("graft-cli: warning: " + dir.file("flat.onnx") +
                       ": Graft's output is the same for both check inputs"),
            std::string::npos)
      << r.err;

  const CommandResult json = runCli(
      {"export", flat, "--format", "torchscript", "-o", dir.file("flat.pt"), "--json", "--quiet"},
      kerasCacheIn(dir));
  ASSERT_EQ(json.exitCode, 0) << json.err;
  EXPECT_NE(json.err.find("warning: "), std::string::npos) << json.err;
  const std::string warning = Json::parse(json.out).at("warning").get<std::string>();
  EXPECT_NE(warning.find("this check cannot show that the file uses its input"), std::string::npos)
      << warning;

  const CommandResult fine =
      runCli({"export", live, "--format", "onnx", "-o", dir.file("live.onnx"), "--json"},
             kerasCacheIn(dir));
  ASSERT_EQ(fine.exitCode, 0) << fine.err;
  EXPECT_TRUE(Json::parse(fine.out).at("warning").is_null()) << fine.out;
  EXPECT_EQ(fine.err.find("warning"), std::string::npos) << fine.err;
}

// The real fine-tuned cat/dog MobileNet: `predict --json` on an image already at the input size,
// then the TorchScript and ONNX exports run by Python (torch.jit.load, cv2.dnn) on that image
// preprocessed as the file's own metadata says: the same probabilities.
TEST(ExportCli, ExportsReturnWhatPredictPrints) {
  GRAFT_REQUIRE_FIXTURE(model, "keras/mobilenet025_catvsdog.h5");
  GRAFT_REQUIRE_FIXTURE(labels, "keras/cls_classes.txt");
  if (const std::string why = pythonMissing("import torch, onnx, cv2, numpy"); !why.empty())
    GTEST_SKIP() << why;
  TempDir dir;
  const std::string image = dir.file("image.png");
  const CommandResult made =
      runProgram(GRAFT_PYTHON,
                 {"-c",
                  "import cv2, numpy as np, sys\n"
                  "rng = np.random.RandomState(3)\n"
                  "cv2.imwrite(sys.argv[1], rng.randint(0, 256, (224, 224, 3)).astype(np.uint8))\n",
                  image});
  ASSERT_EQ(made.exitCode, 0) << made.err;

  const CommandResult predicted = runCli({"predict", model, image, "--json"}, kerasCacheIn(dir));
  ASSERT_EQ(predicted.exitCode, 0) << predicted.err;
  const Json want = Json::parse(predicted.out.substr(0, predicted.out.find('\n'))).at("output");

  for (const auto& [format, file] : std::vector<std::pair<std::string, std::string>>{
           {"torchscript", "m.pt"}, {"onnx", "m.onnx"}}) {
    const CommandResult r =
        runCli({"export", model, "--labels", labels, "--format", format, "-o", dir.file(file)},
               kerasCacheIn(dir));
    ASSERT_EQ(r.exitCode, 0) << r.err;
  }
  const char* script = R"PY(
import json, sys
import cv2, numpy as np, onnx, torch
image, pt, onnx_path = sys.argv[1:4]
extra = {"graft.json": ""}
m = torch.jit.load(pt, _extra_files=extra)
meta = json.loads(extra["graft.json"])
rgb = cv2.cvtColor(cv2.imread(image), cv2.COLOR_BGR2RGB).astype(np.float32)
assert m.preprocessing == "tf", m.preprocessing
x = (rgb / np.float32(127.5) - np.float32(1)).transpose(2, 0, 1)[None].copy()
with torch.no_grad():
    ts = m(torch.from_numpy(x)).numpy()[0]
props = {p.key: p.value for p in onnx.load(onnx_path).metadata_props}
net = cv2.dnn.readNetFromONNX(onnx_path)
net.setInput(x)
ox = net.forward().reshape(-1)
print(json.dumps({"torchscript": ts.tolist(), "onnx": ox.tolist(), "labels": list(m.labels),
                  "meta_labels": meta["labels"], "onnx_labels": json.loads(props["labels"]),
                  "onnx_preprocessing": props["preprocessing"]}))
)PY";
  const CommandResult r =
      runProgram(GRAFT_PYTHON, {"-c", script, image, dir.file("m.pt"), dir.file("m.onnx")});
  ASSERT_EQ(r.exitCode, 0) << r.err;
  const Json got = Json::parse(r.out);
  ASSERT_EQ(got.at("torchscript").size(), want.size());
  ASSERT_EQ(got.at("onnx").size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    EXPECT_NEAR(got.at("torchscript")[i].get<double>(), want[i].get<double>(), 1e-5) << i;
    EXPECT_NEAR(got.at("onnx")[i].get<double>(), want[i].get<double>(), 1e-4) << i;
  }
  const Json classes = {"cat", "dog"};
  EXPECT_EQ(got.at("labels"), classes);
  EXPECT_EQ(got.at("meta_labels"), classes);
  EXPECT_EQ(got.at("onnx_labels"), classes);
  EXPECT_EQ(got.at("onnx_preprocessing"), "tf");
}

// A disk that fills up during an export (a real ENOSPC through an LD_PRELOAD shim of write and
// pwrite): the export fails with exit status 1 naming the file and the system's reason, and
// leaves nothing behind. TorchScript aborted (exit 134: LibTorch's ZIP writer threw in its
// destructor) and left its temporary file filling the folder; ONNX said no reason. (libzip,
// behind .keras, writes through stdio, which the shim cannot reach.)
TEST(ExportCli, AFullDiskFailsCleanlyInEveryFormat) {
  TempDir dir;
  const fs::path disk = dir.path() / "disk";
  fs::create_directories(disk);
  std::vector<std::string> fullDisk = kerasCacheIn(dir);
  fullDisk.push_back("LD_PRELOAD=" + diskFullPreloadPath());
  fullDisk.push_back("GRAFT_DISK_FULL_DIR=" + disk.string());
  fullDisk.push_back("GRAFT_DISK_FULL_BUDGET=20000");
  for (const auto& [format, file] :
       std::vector<std::pair<std::string, std::string>>{{"torchscript", "m.pt"},
                                                        {"onnx", "m.onnx"},
                                                        {"keras-h5", "m.h5"},
                                                        {"keras-weights", "m.weights.h5"}}) {
    const std::string out = (disk / file).string();
    const CommandResult r =
        runCli({"export", "mobilenet", "--alpha", "0.25", "--input-size", "64", "--include-top",
                "--classes", "3", "--format", format, "-o", out},
               fullDisk);
    EXPECT_EQ(r.exitCode, 1) << format << ": " << r.err;
    EXPECT_NE(r.err.find(out), std::string::npos) << format << ": " << r.err;
    EXPECT_NE(r.err.find("No space left on device"), std::string::npos) << format << ": " << r.err;
    EXPECT_EQ(r.err.find("terminate called"), std::string::npos) << format << ": " << r.err;
    for (const auto& entry : fs::directory_iterator(disk))
      ADD_FAILURE() << format << " left " << entry.path().filename().string();
  }
}

}  // namespace
}  // namespace graft::test
