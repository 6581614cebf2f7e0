// .graft projects: save and load keep graph, weights (bit for bit), frozen flags,
// preprocessing, labels and recipe; saves are atomic; damaged and newer files give clear errors.
#include <gtest/gtest.h>
#include <hdf5_hl.h>

#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <thread>

#include "graph/surgery/ops.h"
#include "graph/surgery_models.h"
#include "io/atomic_file.h"
#include "io/hdf5_file.h"
#include "io/keras_h5_reader.h"
#include "io/keras_h5_writer.h"
#include "io/model_source.h"
#include "io/project_file.h"
#include "io/recipe.h"
#include "io/zoo/zoo.h"
#include "support/test_support.h"

namespace graft {
namespace {

namespace fs = std::filesystem;
using test::TempDir;

Model editedMobileNet() {
  zoo::ZooOptions options;
  options.architecture = "mobilenet";
  options.alpha = 0.25;
  options.includeTop = false;
  options.inputSize = 128;
  Model m;
  m.graph = zoo::buildGraph(options);
  initializeWeights(m.graph, analyzeOrThrow(m.graph), m.weights, 9);
  m.preprocessing = Preprocessing::Tf;
  m.weightsSource = "random initialization (seed 9)";
  ops::Selection upto;
  upto.upto = "conv_pw_6_relu";
  for (const Json& op :
       {ops::fuse({"conv1", "conv1_bn"}), ops::freeze(upto),
        ops::stack(m.graph.outputs()[0],
                   {ops::layer("Dense", "head", {{"units", 3}, {"activation", "softmax"}})}),
        ops::setConfig("conv_dw_2_bn", {{"scale", false}})})
    m = applyOperation(m, op).value().model;
  m.labels = {"cat", "dog", "bird"};
  return m;
}

void expectSameModel(const Model& a, const Model& b) {
  EXPECT_EQ(a.graph, b.graph);
  EXPECT_EQ(a.preprocessing, b.preprocessing);
  EXPECT_EQ(a.labels, b.labels);
  EXPECT_EQ(a.weightsSource, b.weightsSource);
  EXPECT_EQ(a.recipe, b.recipe);
  ASSERT_EQ(a.weights.layers(), b.weights.layers());
  for (const auto& layer : a.weights.layers()) {
    const auto& wa = *a.weights.find(layer);
    const auto& wb = *b.weights.find(layer);
    ASSERT_EQ(wa.size(), wb.size()) << layer;
    for (size_t i = 0; i < wa.size(); ++i) {
      ASSERT_EQ(wa[i].shape, wb[i].shape) << layer;
      EXPECT_EQ(std::memcmp(wa[i].values(), wb[i].values(), size_t(wa[i].numel()) * 4), 0)
          << layer << " weight " << i << " differs";
    }
  }
}

TEST(ProjectFile, RoundTripKeepsEverything) {
  TempDir dir;
  const Model m = editedMobileNet();
  ASSERT_FALSE(m.graph.at("conv1").trainable);
  ASSERT_EQ(m.recipe.size(), 4u);
  saveProject(m, dir.file("m.graft"));
  const Model loaded = loadProject(dir.file("m.graft"));
  expectSameModel(m, loaded);
  EXPECT_EQ(fs::directory_iterator(dir.path())->path().filename(), "m.graft")
      << "no temporary file is left behind";
  EXPECT_EQ(std::distance(fs::directory_iterator(dir.path()), fs::directory_iterator()), 1);

  // Through loadModel, as graft-cli and the GUI open it.
  ModelSpec spec;
  spec.source = dir.file("m.graft");
  expectSameModel(m, loadModel(spec).model);
  // The stacked head is untrained (a BatchNormalization that only lost its scale is not).
  EXPECT_EQ(m.untrainedLayers, std::vector<std::string>{"head"});
  EXPECT_EQ(loaded.untrainedLayers, m.untrainedLayers);
  EXPECT_EQ(loaded.trainedInputSize, 0) << "never trained at a free size";

  // The size a free input was trained at travels with the project.
  Model trained = m;
  trained.trainedInputSize = 96;
  saveProject(trained, dir.file("t.graft"));
  EXPECT_EQ(loadProject(dir.file("t.graft")).trainedInputSize, 96);
}

// The same model saved twice is the same bytes: HDF5 stamped every group and dataset with the
// second it was written, so a CI cache or an artifact checksum saw a new model each time.
TEST(ProjectFile, TheSameModelSavedTwiceIsTheSameBytes) {
  TempDir dir;
  const Model m = editedMobileNet();
  const auto bytes = [](const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  };
  saveProject(m, dir.file("a.graft"));
  saveKerasWeights(m, dir.file("a.h5"));
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));  // the stamps count seconds
  saveProject(m, dir.file("b.graft"));
  saveKerasWeights(m, dir.file("b.h5"));
  EXPECT_EQ(bytes(dir.file("a.graft")), bytes(dir.file("b.graft")));
  EXPECT_EQ(bytes(dir.file("a.h5")), bytes(dir.file("b.h5")));
  expectSameModel(m, loadProject(dir.file("b.graft")));
}

// Untrained layers decide what the training defaults train first; a project written before
// Graft kept them counts its recipe's stacked, inserted and replacement layers, as Graft did.
TEST(ProjectFile, AnOlderProjectsUntrainedLayersAreItsRecipesNewOnes) {
  TempDir dir;
  Model m = editedMobileNet();
  m.untrainedLayers.clear();  // as if trained: saved so
  const std::string path = dir.file("old.graft");
  saveProject(m, path);
  EXPECT_TRUE(loadProject(path).untrainedLayers.empty());
  {
    // The description without "untrained_layers", as an older Graft wrote it.
    const hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
    ASSERT_GE(file, 0);
    const hid_t dataset = H5Dopen2(file, "/graft_project", H5P_DEFAULT);
    const hid_t type = H5Dget_type(dataset);
    std::string text(H5Tget_size(type), '\0');
    ASSERT_GE(H5Dread(dataset, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, text.data()), 0);
    H5Tclose(type);
    H5Dclose(dataset);
    Json description = Json::parse(text.c_str());
    ASSERT_EQ(description.erase("untrained_layers"), 1u);
    ASSERT_GE(H5Ldelete(file, "/graft_project", H5P_DEFAULT), 0);
    ASSERT_GE(H5LTmake_dataset_string(file, "/graft_project", description.dump().c_str()), 0);
    H5Fclose(file);
  }
  EXPECT_EQ(loadProject(path).untrainedLayers, std::vector<std::string>{"head"});
}

// Which layers are new decides what a training plan freezes: a project whose weights started
// random (the zoo without a weights file) must not have its random layers frozen as pretrained.
TEST(ProjectFile, LayersOfAProjectStartedFromRandomWeightsStayNew) {
  TempDir dir;
  Model m = editedMobileNet();  // "random initialization (seed 9)", then edited
  ASSERT_TRUE(startedFromRandomWeights(m));
  saveProject(m, dir.file("random.graft"));
  ModelSpec spec;
  spec.source = dir.file("random.graft");
  const LoadedModel random = loadModel(spec);
  EXPECT_EQ(random.freshLayers.size(), m.weights.layers().size());
  EXPECT_NE(std::find(random.freshLayers.begin(), random.freshLayers.end(), "conv_pw_13"),
            random.freshLayers.end());
  ASSERT_FALSE(random.notes.empty());
  EXPECT_NE(random.notes.back().find("every layer counts as new"), std::string::npos)
      << random.notes.back();

  m.weightsSource = "/data/mobilenet_2_5_128_tf_no_top.h5";
  saveProject(m, dir.file("pretrained.graft"));
  spec.source = dir.file("pretrained.graft");
  EXPECT_TRUE(loadModel(spec).freshLayers.empty());
}

// A project is an ordinary file: readable by others as the user's umask allows, not the private
// mode of the temporary name it was written under.
TEST(ProjectFile, TakesTheModeTheUmaskGivesNewFiles) {
  TempDir dir;
  const Model m = test::modelFrom(test::chainGraph());
  for (const mode_t mask : {mode_t{022}, mode_t{077}}) {
    const mode_t previous = ::umask(mask);
    const std::string path = dir.file("m" + std::to_string(mask) + ".graft");
    saveProject(m, path);
    ::umask(previous);
    EXPECT_EQ(static_cast<mode_t>(fs::status(path).permissions()), 0666 & ~mask) << path;
  }
}

// A save through a symbolic link updates the file it points to (as an editor does); it used to
// replace the link by a file and leave the target as it was. Keras-layout saves go through
// writeAtomically and do the same.
TEST(ProjectFile, ASaveThroughASymlinkUpdatesItsTarget) {
  TempDir dir;
  const Model m = editedMobileNet();
  fs::create_directories(dir.path() / "real");
  const std::string real = dir.file("real/model.graft");
  std::ofstream(real) << "old";
  const std::string link = dir.file("link.graft");
  fs::create_symlink(real, link);
  saveProject(m, link);
  EXPECT_TRUE(fs::is_symlink(link));
  expectSameModel(m, loadProject(real));

  // A link whose target is not written yet (relative, through a second link): the save goes
  // there and the links stay.
  const std::string later = dir.file("later.graft"), chain = dir.file("chain.graft");
  fs::create_symlink("real/new.graft", later);
  fs::create_symlink("later.graft", chain);
  saveProject(m, chain);
  EXPECT_TRUE(fs::is_symlink(chain));
  EXPECT_TRUE(fs::is_symlink(later));
  expectSameModel(m, loadProject(dir.file("real/new.graft")));

  const std::string text = dir.file("real/notes.txt"), textLink = dir.file("notes.txt");
  std::ofstream(text) << "old";
  fs::create_symlink(text, textLink);
  writeTextAtomically(textLink, "new", "the notes");
  EXPECT_TRUE(fs::is_symlink(textLink));
  std::ifstream in(text);
  std::string read;
  in >> read;
  EXPECT_EQ(read, "new");
  for (const auto& entry : fs::directory_iterator(dir.path() / "real"))
    EXPECT_EQ(entry.path().filename().string().find(".tmp-"), std::string::npos) << entry.path();
}

TEST(ProjectFile, WeightsUseTheKerasLayout) {
  TempDir dir;
  const Model m = editedMobileNet();
  saveProject(m, dir.file("m.graft"));
  const h5::File file = h5::File::openReadOnly(dir.file("m.graft"));
  EXPECT_EQ(file.datasetShape("/model_weights/conv_dw_1/conv_dw_1/depthwise_kernel:0"),
            (Shape{3, 3, 8, 1}));
  const KerasH5Reader reader(dir.file("m.graft"));
  EXPECT_EQ(reader.layers().size(), m.graph.size());
  const KerasH5Layer* bn = reader.find("conv_dw_2_bn");
  ASSERT_TRUE(bn);
  EXPECT_EQ(bn->weightNames,
            (std::vector<std::string>{"conv_dw_2_bn/beta:0", "conv_dw_2_bn/moving_mean:0",
                                      "conv_dw_2_bn/moving_variance:0"}));
}

TEST(ProjectFile, LargeDescriptionsBeyondTheAttributeLimit) {
  // A long model: its JSON is far beyond HDF5's 64 KiB attribute limit.
  GraphBuilder b("long");
  std::string x = b.input("input", {kUnknown, 4});
  for (int i = 0; i < 400; ++i)
    x = b.add("Dense", "a_rather_long_layer_name_number_" + std::to_string(i), {{"units", 4}}, x);
  const Model m = test::modelFrom(b.build({x}));
  TempDir dir;
  saveProject(m, dir.file("long.graft"));
  expectSameModel(m, loadProject(dir.file("long.graft")));
}

TEST(ProjectFile, AFailedSaveLeavesThePreviousFileIntact) {
  TempDir dir;
  const std::string path = dir.file("m.graft");
  const Model good = test::modelFrom(test::chainGraph());
  saveProject(good, path);

  // A tensor whose buffer is shorter than its shape: found while writing, after the temporary
  // file was created.
  Model broken = good;
  auto fc = *broken.weights.find("fc");
  fc[0] = WeightTensor{fc[0].shape, std::make_shared<const std::vector<float>>(3, 0.0f)};
  broken.weights.set("fc", fc);
  try {
    saveProject(broken, path);
    FAIL() << "saved a model with a malformed tensor";
  } catch (const Error& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find(path + ": not saved (any previous file is unchanged)"),
              std::string::npos)
        << message;
    EXPECT_NE(message.find("fc: weight 'kernel'"), std::string::npos) << message;
  }
  expectSameModel(good, loadProject(path));
  EXPECT_EQ(std::distance(fs::directory_iterator(dir.path()), fs::directory_iterator()), 1);

  // Weights that do not fit the graph are refused before anything is written.
  Model misfit = good;
  misfit.weights.set("fc", *good.weights.find("out"));
  try {
    saveProject(misfit, path);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("fc: weight 'kernel' expects shape"), std::string::npos)
        << e.what();
  }
  expectSameModel(good, loadProject(path));
}

TEST(ProjectFile, TruncatedFileGivesAClearError) {
  TempDir dir;
  const std::string path = dir.file("m.graft");
  saveProject(test::modelFrom(test::chainGraph()), path);
  fs::resize_file(path, fs::file_size(path) / 2);
  try {
    loadProject(path);
    FAIL() << "loaded a truncated file";
  } catch (const Error& e) {
    const std::string message = e.what();
    EXPECT_EQ(message.rfind(path + ": ", 0), 0u) << message;
    EXPECT_NE(message.find("truncated or damaged"), std::string::npos) << message;
  }
}

TEST(ProjectFile, NewerFormatVersionGivesAClearError) {
  TempDir dir;
  const std::string path = dir.file("future.graft");
  {
    h5::File f = h5::File::create(path);
    h5::Handle root = f.openGroup("/");
    f.writeString(root.get(), "graft_format_version", "2");
  }
  try {
    loadProject(path);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(path + ": written by a newer Graft (project format "
                                                "version 2); this build reads versions up to 1"),
              std::string::npos)
        << e.what();
  }
}

TEST(ProjectFile, OtherFilesAreNotProjects) {
  TempDir dir;
  {
    std::ofstream text(dir.file("notes.graft"));
    text << "hello";
  }
  EXPECT_THROW(
      {
        try {
          loadProject(dir.file("notes.graft"));
        } catch (const Error& e) {
          EXPECT_NE(std::string(e.what()).find("not an HDF5 file"), std::string::npos) << e.what();
          throw;
        }
      },
      Error);
  { h5::File f = h5::File::create(dir.file("plain.graft")); }
  try {
    loadProject(dir.file("plain.graft"));
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("not a Graft project"), std::string::npos) << e.what();
  }
}

// The file offset of the stored values of `dataset` (one chunk, as saveProject writes a weight).
haddr_t storedValuesOffset(const std::string& path, const std::string& dataset) {
  h5::Handle file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
  h5::Handle ds(H5Dopen2(file.get(), dataset.c_str(), H5P_DEFAULT), H5Dclose);
  h5::Handle space(H5Dget_space(ds.get()), H5Sclose);
  hsize_t chunks = 0;
  EXPECT_GE(H5Dget_num_chunks(ds.get(), space.get(), &chunks), 0);
  EXPECT_EQ(chunks, 1u) << dataset << " is stored without its checksum";
  hsize_t origin[8] = {};
  unsigned filterMask = 0;
  haddr_t address = HADDR_UNDEF;
  hsize_t size = 0;
  EXPECT_GE(H5Dget_chunk_info(ds.get(), space.get(), 0, origin, &filterMask, &address, &size), 0);
  return address;
}

TEST(ProjectFile, AChangedWeightByteIsCaughtByTheChecksum) {
  TempDir dir;
  const std::string path = dir.file("m.graft");
  const Model model = editedMobileNet();
  saveProject(model, path);
  const haddr_t offset = storedValuesOffset(path, "/model_weights/head/head/kernel:0");
  ASSERT_NE(offset, HADDR_UNDEF);
  {
    std::fstream bytes(path, std::ios::in | std::ios::out | std::ios::binary);
    bytes.seekg(static_cast<std::streamoff>(offset) + 5);
    const char original = static_cast<char>(bytes.get());
    bytes.seekp(static_cast<std::streamoff>(offset) + 5);
    bytes.put(static_cast<char>(original ^ 0x10));  // one bit of one float of the head's kernel
  }
  try {
    loadProject(path);
    FAIL() << "a changed weight loaded silently";
  } catch (const Error& e) {
    const std::string message = e.what();
    EXPECT_EQ(message.rfind(path + ": ", 0), 0u) << message;
    EXPECT_NE(message.find("head/kernel:0"), std::string::npos) << message;
    EXPECT_NE(message.find("damaged"), std::string::npos) << message;
  }
}

// Projects written before weights carried a checksum store them contiguous: they still open,
// with the same numbers.
TEST(ProjectFile, AProjectWithoutChecksumsStillOpens) {
  TempDir dir;
  const std::string path = dir.file("old.graft");
  const Model model = editedMobileNet();
  saveProject(model, path);
  const std::string dataset = "/model_weights/head/head/kernel:0";
  const WeightTensor& kernel = (*model.weights.find("head"))[0];
  {
    h5::Handle file(H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT), H5Fclose);
    ASSERT_GE(H5Ldelete(file.get(), dataset.c_str(), H5P_DEFAULT), 0);
    std::vector<hsize_t> dims(kernel.shape.begin(), kernel.shape.end());
    h5::Handle space(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr),
                     H5Sclose);
    h5::Handle ds(H5Dcreate2(file.get(), dataset.c_str(), H5T_IEEE_F32LE, space.get(), H5P_DEFAULT,
                             H5P_DEFAULT, H5P_DEFAULT),
                  H5Dclose);  // contiguous, no filter: as earlier builds wrote it
    ASSERT_GE(H5Dwrite(ds.get(), H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, kernel.values()),
              0);
    h5::Handle plist(H5Dget_create_plist(ds.get()), H5Pclose);
    ASSERT_EQ(H5Pget_layout(plist.get()), H5D_CONTIGUOUS);
  }
  expectSameModel(model, loadProject(path));
}

TEST(ProjectFile, ADescriptionOfAnotherFormatVersionIsRefused) {
  TempDir dir;
  const std::string path = dir.file("m.graft");
  saveProject(test::modelFrom(test::chainGraph()), path);
  {
    h5::Handle file(H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT), H5Fclose);
    H5T_class_t typeClass;
    size_t size = 0;
    ASSERT_GE(H5LTget_dataset_info(file.get(), "/graft_project", nullptr, &typeClass, &size), 0);
    std::string text(size, '\0');
    ASSERT_GE(H5LTread_dataset_string(file.get(), "/graft_project", text.data()), 0);
    Json project = Json::parse(text.c_str());
    project["format_version"] = 2;  // the root attribute still says 1
    ASSERT_GE(H5Ldelete(file.get(), "/graft_project", H5P_DEFAULT), 0);
    ASSERT_GE(H5LTmake_dataset_string(file.get(), "/graft_project", project.dump().c_str()), 0);
  }
  try {
    loadProject(path);
    FAIL() << "loaded a project whose description says another version";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(path + ": the project description's 'format_version' "
                                                "(2) differs from the file's "
                                                "graft_format_version (1)"),
              std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace graft
