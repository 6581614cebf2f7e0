// Keras-layout weight files written by Graft read back identically, look like Keras's to h5py,
// are found in the Keras cache under Keras's file names, and are saved atomically.
#include <gtest/gtest.h>
#include <pwd.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "graph/surgery/ops.h"
#include "graph/surgery/surgery.h"
#include "io/atomic_file.h"
#include "io/keras_archive_writer.h"
#include "io/keras_h5_reader.h"
#include "io/keras_h5_writer.h"
#include "io/keras_weights_import.h"
#include "io/model_source.h"
#include "io/zoo/zoo.h"
#include "support/test_support.h"

namespace graft {
namespace {

Model zooModel(const std::string& arch, bool top, std::optional<int64_t> size, uint64_t seed) {
  ModelSpec spec;
  spec.source = arch;
  spec.includeTop = top;
  if (size) spec.inputSize = *size;
  spec.seed = seed;
  return loadModel(spec).model;  // no cache dir: random weights
}

bool sameWeights(const WeightStore& a, const WeightStore& b) {
  if (a.layers() != b.layers()) return false;
  for (const auto& name : a.layers()) {
    const auto &x = *a.find(name), &y = *b.find(name);
    if (x.size() != y.size()) return false;
    for (size_t i = 0; i < x.size(); ++i)
      if (x[i].shape != y[i].shape || *x[i].data != *y[i].data) return false;
  }
  return true;
}

TEST(KerasH5Writer, RoundTripsThroughTheImporter) {
  test::TempDir dir;
  const Model model = zooModel("vgg16", false, 32, 7);
  const std::string path = dir.file("vgg16_notop.h5");
  saveKerasWeights(model, path);
  ModelSpec spec;
  spec.source = "vgg16";
  spec.includeTop = false;
  spec.inputSize = 32;
  spec.weightsFile = path;
  const LoadedModel back = loadModel(spec);
  EXPECT_TRUE(sameWeights(back.model.weights, model.weights));
  EXPECT_EQ(back.model.weightsSource, path);
}

TEST(KerasH5Writer, H5pySeesTheKerasStructure) {
  test::TempDir dir;
  const std::string path = dir.file("w.h5");
  saveKerasWeights(zooModel("vgg16", false, 32, 1), path);
  const std::string script =
      "import h5py, sys\n"
      "f = h5py.File(sys.argv[1], 'r')\n"
      "names = [n.decode() for n in f.attrs['layer_names']]\n"
      "assert names[1] == 'block1_conv1', names[:3]\n"
      "wn = [n.decode() for n in f['block1_conv1'].attrs['weight_names']]\n"
      "assert wn == ['block1_conv1/kernel:0', 'block1_conv1/bias:0'], wn\n"
      "assert f['block1_conv1/block1_conv1/kernel:0'].shape == (3, 3, 3, 64)\n"
      "assert len(f['block1_pool'].attrs['weight_names']) == 0\n"
      "assert 'model_config' not in f.attrs  # a weights file to Keras, not a model\n"
      "assert f['graft_model_config'][()].decode().startswith('{')\n"
      "print('ok')\n";
  const std::string scriptPath = dir.file("check.py");
  std::ofstream(scriptPath) << script;
  auto r = test::runProgram(GRAFT_PYTHON, {scriptPath, path});
  if (r.exitCode != 0 && r.err.find("No module named") != std::string::npos)
    GTEST_SKIP() << "python3-h5py is not installed: " << r.err;
  EXPECT_EQ(r.exitCode, 0) << r.err;
  EXPECT_EQ(r.out, "ok\n");
}

// A weights-only file of an edited model (another input size, a layer without weights inserted)
// opened on its own is that model, weights and all: its layer names alone made it the plain
// architecture at its default size, whose predictions differ (an export's check said nothing).
TEST(KerasH5Writer, AnEditedModelsWeightsFileOpensAsThatModel) {
  test::TempDir dir;
  const Model base = zooModel("mobilenet", true, std::nullopt, 3);
  auto edited = applyOperation(base, ops::setInputShape({96, 96, 3}));
  ASSERT_TRUE(edited.ok()) << joinDiagnostics(edited.diagnostics());
  auto inserted = applyOperation(
      edited.value().model,
      ops::insertAfter("conv_pw_1_relu", ops::layer("Dropout", "extra_dropout", {{"rate", 0.1}})));
  ASSERT_TRUE(inserted.ok()) << joinDiagnostics(inserted.diagnostics());
  const Model& model = inserted.value().model;
  const std::string path = dir.file("edited.h5");
  saveKerasWeights(model, path);
  ModelSpec spec;
  spec.source = path;
  const LoadedModel back = loadModel(spec);
  EXPECT_EQ(back.model.graph, model.graph);
  EXPECT_TRUE(sameWeights(back.model.weights, model.weights));
  // Keras's reader sees its own layout only: the record is a dataset beside the layers.
  const KerasH5Reader reader(path);
  EXPECT_FALSE(reader.modelConfig());
  ASSERT_TRUE(reader.graftModelConfig());
}

TEST(KerasCache, ZooNameFindsTheStandardFileInKerasHome) {
  test::TempDir home;
  std::filesystem::create_directories(home.path() / "models");
  zoo::ZooOptions options;
  options.architecture = "vgg16";
  options.includeTop = false;
  const std::string standard = zoo::standardWeightsFileName(options);
  EXPECT_EQ(standard, "vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5");
  const Model saved = zooModel("vgg16", false, std::nullopt, 3);
  saveKerasWeights(saved, (home.path() / "models" / standard).string());

  ModelSpec spec;
  spec.source = "vgg16";
  spec.includeTop = false;
  spec.kerasCacheDir = kerasCacheDir(home.path().c_str(), "/nonexistent");
  const LoadedModel found = loadModel(spec);
  EXPECT_TRUE(sameWeights(found.model.weights, saved.weights));
  EXPECT_NE(found.model.weightsSource.find(standard), std::string::npos);

  spec.inputSize = 48;  // a no-top model takes the same weights at any size
  EXPECT_TRUE(sameWeights(loadModel(spec).model.weights, saved.weights));
}

TEST(KerasCache, MissingFileMeansRandomWeightsAndANote) {
  test::TempDir home;
  ModelSpec spec;
  spec.source = "vgg16";
  spec.includeTop = false;
  spec.kerasCacheDir = kerasCacheDir(home.path().c_str(), nullptr);
  const LoadedModel loaded = loadModel(spec);
  ASSERT_FALSE(loaded.notes.empty());
  EXPECT_NE(loaded.notes[0].find("random weights"), std::string::npos) << loaded.notes[0];
  EXPECT_NE(loaded.model.weightsSource.find("random"), std::string::npos);
  EXPECT_EQ(kerasCacheDir(nullptr, "/home/u"), "/home/u/.keras/models");
  EXPECT_EQ(kerasCacheDir("/k", "/home/u"), "/k/models");
  // No HOME (a CI container): the user's home as the password database has it, as Python's
  // expanduser finds it, not a .keras folder in whatever folder the job runs in.
  if (const passwd* user = ::getpwuid(::getuid()); user && user->pw_dir && *user->pw_dir) {
    EXPECT_EQ(kerasCacheDir(nullptr, nullptr),
              (std::filesystem::path(user->pw_dir) / ".keras" / "models").string());
  }
  EXPECT_EQ(kerasCacheDir(nullptr, ""), kerasCacheDir(nullptr, nullptr));
}

TEST(KerasCache, ExtraTopLayersAreFreshlyInitialisedAndListed) {
  test::TempDir dir;
  const std::string path = dir.file("notop.h5");
  const Model noTop = zooModel("vgg16", false, std::nullopt, 5);
  saveKerasWeights(noTop, path);
  ModelSpec spec;
  spec.source = "vgg16";
  spec.classes = 5;
  spec.includeTop = true;
  spec.weightsFile = path;
  const LoadedModel loaded = loadModel(spec);
  std::string notes;
  for (const auto& n : loaded.notes) notes += n + "\n";
  EXPECT_NE(notes.find("fc1, fc2, predictions"), std::string::npos) << notes;
  EXPECT_EQ(*loaded.model.weights.find("block5_conv3")->at(0).data,
            *noTop.weights.find("block5_conv3")->at(0).data);
  EXPECT_EQ(loaded.model.weights.find("predictions")->at(0).shape, (Shape{4096, 5}));
}

Model mobilenet(bool top, uint64_t seed) {
  ModelSpec spec;
  spec.source = "mobilenet";
  spec.alpha = 0.25;
  spec.includeTop = top;
  if (top) spec.classes = 5;
  if (!top) spec.inputSize = 128;
  spec.seed = seed;
  return loadModel(spec).model;  // no cache dir: random weights
}

std::string allNotes(const LoadedModel& loaded) {
  std::string notes;
  for (const auto& n : loaded.notes) notes += n + "\n";
  return notes;
}

// --weights on a weights-only file Graft recognises: the file gives the architecture, --weights
// the weights, and the layers --weights lacks keep the file's (Keras's load_weights(by_name=True)).
// --weights was ignored: the file's own weights came back, under its name.
TEST(WeightsOverAModelFile, ARecognisedWeightsFileTakesTheWeightsAndKeepsWhatTheyLack) {
  test::TempDir dir;
  const Model own = mobilenet(true, 1);
  const std::string modelFile = dir.file("mobilenet_5.h5");
  saveKerasWeights(own, modelFile);
  const Model base = mobilenet(false, 2);  // no top: lacks conv_preds
  const std::string weightsFile = dir.file("base.h5");
  saveKerasWeights(base, weightsFile);

  ModelSpec spec;
  spec.source = modelFile;
  spec.weightsFile = weightsFile;
  const LoadedModel loaded = loadModel(spec);
  const std::string notes = allNotes(loaded);
  EXPECT_EQ(*loaded.model.weights.find("conv1")->at(0).data,
            *base.weights.find("conv1")->at(0).data)
      << notes;
  EXPECT_EQ(*loaded.model.weights.find("conv_preds")->at(0).data,
            *own.weights.find("conv_preds")->at(0).data)
      << notes;
  EXPECT_NE(notes.find("kept from " + modelFile + " (not in " + weightsFile + "): conv_preds"),
            std::string::npos)
      << notes;
  EXPECT_EQ(notes.find("freshly initialised"), std::string::npos) << notes;
  EXPECT_TRUE(loaded.freshLayers.empty());
  EXPECT_NE(loaded.model.weightsSource.find(weightsFile), std::string::npos);

  // A --weights file that is not there is an error, as for every other model.
  spec.weightsFile = dir.file("missing.h5");
  EXPECT_THROW(loadModel(spec), Error);
}

// The layers another file lacks are read alone from the model file: the rest of it is never
// read (twice the memory for a large model, and a failure in a layer already given).
TEST(WeightsOverAModelFile, OnlyTheLayersAskedForAreRead) {
  test::TempDir dir;
  const Model own = mobilenet(true, 1);
  const std::string path = dir.file("mobilenet_5.h5");
  saveKerasWeights(own, path);
  const KerasH5Reader reader(path);
  WeightStore store;
  const WeightLoadReport report = loadKerasWeights(reader, own.graph, analyzeOrThrow(own.graph),
                                                   store, {true, {}, {"conv_preds", "conv1"}});
  EXPECT_EQ(store.layers(), (std::vector<std::string>{"conv1", "conv_preds"}));
  EXPECT_EQ(report.loaded, (std::vector<std::string>{"conv1", "conv_preds"}));
  EXPECT_EQ(*store.find("conv_preds")->at(0).data, *own.weights.find("conv_preds")->at(0).data);
}

// A full model with weights of its own (Keras's .h5 with model_config, a .keras archive): a
// partial --weights replaces the layers it has and leaves the model's trained layers as they
// were (they were freshly initialised: a trained classifier became a random one, exit 0).
TEST(WeightsOverAModelFile, AFullModelKeepsItsOwnWeightsWhereTheFileHasNone) {
  GRAFT_REQUIRE_FIXTURE(h5, "keras3/k3legacyh5_mnist_cnn_dropout__keras3.1.1.h5");
  test::TempDir dir;
  ModelSpec plain;
  plain.source = h5;
  const Model own = loadModel(plain).model;
  const std::string archive = dir.file("mnist.keras");
  saveKerasArchive(own, archive);
  // Other weights for the convolutions only: the model cut before its classifier, retrained.
  Model convs = applyOperation(own, ops::cut("flatten")).value().model;
  initializeWeights(convs.graph, analyzeOrThrow(convs.graph), convs.weights, 9);
  const std::string weightsFile = dir.file("convs.h5");
  saveKerasWeights(convs, weightsFile);

  for (const std::string& model : {h5, archive}) {
    SCOPED_TRACE(model);
    ModelSpec spec;
    spec.source = model;
    spec.weightsFile = weightsFile;
    const LoadedModel loaded = loadModel(spec);
    const std::string notes = allNotes(loaded);
    EXPECT_EQ(*loaded.model.weights.find("conv2d")->at(0).data,
              *convs.weights.find("conv2d")->at(0).data)
        << notes;
    EXPECT_EQ(*loaded.model.weights.find("dense")->at(0).data,
              *own.weights.find("dense")->at(0).data)
        << notes;
    EXPECT_NE(notes.find("kept from " + model + " (not in " + weightsFile + "): dense"),
              std::string::npos)
        << notes;
    EXPECT_TRUE(loaded.freshLayers.empty()) << notes;
  }
}

// The GUI's File > Load Weights: a weights-only export of an edited model goes back onto the
// open model by layer name; the layers the file lacks keep the model's own, and a file of
// another architecture is refused naming it.
TEST(LoadWeightsOntoTheOpenModel, TheFilesLayersReplaceAndTheRestStay) {
  test::TempDir dir;
  const Model base = zooModel("vgg16", false, 32, 7);
  // The open model: the base cut before its last block, with other weights.
  Model open = applyOperation(base, ops::cut("block4_pool")).value().model;
  initializeWeights(open.graph, analyzeOrThrow(open.graph), open.weights, 11);
  open.weightsSource = "retrained.h5";
  // A file with weights for the first blocks only (as a checkpoint of a shorter cut).
  const Model shorter = applyOperation(base, ops::cut("block2_pool")).value().model;
  const std::string file = dir.file("shorter.h5");
  saveKerasWeights(shorter, file);

  std::vector<std::string> notes;
  const Model loaded = withWeightsFrom(open, file, notes);
  EXPECT_EQ(*loaded.weights.find("block1_conv1")->at(0).data,
            *base.weights.find("block1_conv1")->at(0).data);
  EXPECT_EQ(*loaded.weights.find("block3_conv1")->at(0).data,
            *open.weights.find("block3_conv1")->at(0).data);
  std::string said;
  for (const auto& note : notes) said += note + "\n";
  EXPECT_NE(said.find("kept from retrained.h5 (not in " + file + "): block3_conv1"),
            std::string::npos)
      << said;
  EXPECT_EQ(loaded.graph, open.graph);

  // Another architecture's file: nothing fits, nothing is half-loaded.
  const std::string other = dir.file("mobilenet.h5");
  saveKerasWeights(zooModel("mobilenet", false, 32, 3), other);
  try {
    withWeightsFrom(open, other, notes);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(other + ": none of its layers fits the model"),
              std::string::npos)
        << e.what();
  }
}

TEST(AtomicSave, FailedWriteKeepsThePreviousFile) {
  test::TempDir dir;
  const std::string path = dir.file("model.h5");
  std::ofstream(path) << "previous";
  EXPECT_THROW(writeAtomically(path,
                               [](const std::string& temp) {
                                 std::ofstream(temp) << "partial";
                                 throw Error("simulated failure");
                               }),
               Error);
  std::ifstream in(path);
  std::string content;
  in >> content;
  EXPECT_EQ(content, "previous");
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.path()),
                          std::filesystem::directory_iterator()),
            1);
}

}  // namespace
}  // namespace graft
