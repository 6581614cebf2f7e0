// Keras-layout weight files written by Graft read back identically, look like Keras's to h5py,
// are found in the Keras cache under Keras's file names, and are saved atomically.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "io/atomic_file.h"
#include "io/keras_h5_reader.h"
#include "io/keras_h5_writer.h"
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
      "print('ok')\n";
  const std::string scriptPath = dir.file("check.py");
  std::ofstream(scriptPath) << script;
  auto r = test::runProgram(GRAFT_PYTHON, {scriptPath, path});
  if (r.exitCode != 0 && r.err.find("No module named") != std::string::npos)
    GTEST_SKIP() << "python3-h5py is not installed: " << r.err;
  EXPECT_EQ(r.exitCode, 0) << r.err;
  EXPECT_EQ(r.out, "ok\n");
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
