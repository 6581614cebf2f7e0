// Keras files as users have them: Keras 3 .keras archives and .weights.h5, Teachable Machine's
// nested models, formats told by content not by name, and models Graft cannot run refused with
// every unsupported layer type named. Expected totals were counted from the files' datasets with
// h5py (Keras's model.summary() counts every variable, moving statistics included).
#include <gtest/gtest.h>
#include <hdf5.h>
#include <sys/stat.h>
#include <zip.h>
#include <zlib.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <tuple>
#include <vector>

#include "graph/graph_builder.h"
#include "graph/keras_json.h"
#include "graph/limits.h"
#include "graph/summary.h"
#include "graph/surgery/surgery.h"
#include "io/file_format.h"
#include "io/json_file.h"
#include "io/keras3_config_writer.h"
#include "io/keras3_weights_writer.h"
#include "io/keras_archive.h"
#include "io/keras_file_writer.h"
#include "io/keras_h5_reader.h"
#include "io/keras_h5_writer.h"
#include "io/model_source.h"
#include "io/project_file.h"
#include "support/test_support.h"

namespace graft::test {
namespace {

using test::errorOf;

namespace fs = std::filesystem;

constexpr const char* kMnistKeras = "keras3/k3_mnist_cnn_dropout__keras3.1.1.keras";
constexpr const char* kMnistLegacyH5 = "keras3/k3legacyh5_mnist_cnn_dropout__keras3.1.1.h5";
constexpr const char* kTeachable = "keras3/k2_teachable_mobilenetv2_035_transfer__keras2.4.0.h5";
constexpr const char* kSequenceModel = "keras3/k3_functional_conv1d_bilstm_mha__keras3.13.2.keras";

LoadedModel load(const std::string& source, const std::string& weights = "") {
  ModelSpec spec;
  spec.source = source;
  spec.weightsFile = weights;
  return loadModel(spec);
}

std::vector<float> values(const WeightTensor& t) {
  return *t.data;
}

// Reads a dataset straight from the HDF5 file by its full path, not through the importer.
std::vector<float> datasetValues(const h5::File& file, const std::string& path) {
  const Shape shape = file.datasetShape(path);
  std::vector<float> out(static_cast<size_t>(elementCount(shape)));
  file.readFloats(path, out.data(), out.size());
  return out;
}

std::string fileBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

uint32_t littleEndian(const std::string& bytes, size_t at, int size) {
  uint32_t v = 0;
  for (int i = size - 1; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(bytes[at + i]);
  return v;
}

// Where a stored member of a ZIP archive lies in its bytes (APPNOTE 4.3.7, 4.3.12): its data, and
// the CRC-32 fields of its local and central headers.
struct StoredMember {
  size_t data = 0;
  size_t size = 0;
  size_t localCrc = 0;
  size_t centralCrc = 0;
};

StoredMember storedMember(const std::string& bytes, const std::string& name) {
  StoredMember m;
  for (size_t at = bytes.find(name); at != std::string::npos; at = bytes.find(name, at + 1)) {
    if (at >= 30 && bytes.compare(at - 30, 4, "PK\x03\x04") == 0 &&
        littleEndian(bytes, at - 30 + 26, 2) == name.size()) {
      m.localCrc = at - 30 + 14;
      m.size = littleEndian(bytes, at - 30 + 22, 4);
      m.data = at + name.size() + littleEndian(bytes, at - 30 + 28, 2);
    }
    if (at >= 46 && bytes.compare(at - 46, 4, "PK\x01\x02") == 0 &&
        littleEndian(bytes, at - 46 + 28, 2) == name.size())
      m.centralCrc = at - 46 + 16;
  }
  return m;
}

// The member's CRC-32 in both headers made to match its (changed) bytes again.
void rewriteCrc(std::string& bytes, const StoredMember& m) {
  const uLong crc =
      crc32(0L, reinterpret_cast<const Bytef*>(bytes.data() + m.data), static_cast<uInt>(m.size));
  for (size_t at : {m.localCrc, m.centralCrc})
    for (int i = 0; i < 4; ++i) bytes[at + i] = static_cast<char>((crc >> (8 * i)) & 0xFF);
}

TEST(KerasSnakeCase, MatchesKerasNaming) {
  EXPECT_EQ(kerasSnakeCase("Conv2D"), "conv2d");
  EXPECT_EQ(kerasSnakeCase("BatchNormalization"), "batch_normalization");
  EXPECT_EQ(kerasSnakeCase("DepthwiseConv2D"), "depthwise_conv2d");
  EXPECT_EQ(kerasSnakeCase("GlobalAveragePooling2D"), "global_average_pooling2d");
  EXPECT_EQ(kerasSnakeCase("ReLU"), "re_lu");
  EXPECT_EQ(kerasSnakeCase("PReLU"), "p_re_lu");
  EXPECT_EQ(kerasSnakeCase("Conv2DTranspose"), "conv2d_transpose");
  EXPECT_EQ(kerasSnakeCase("InputLayer"), "input_layer");
  EXPECT_EQ(kerasSnakeCase("Functional"), "functional");
  EXPECT_EQ(kerasSnakeCase("UpSampling2D"), "up_sampling2d");
}

TEST(Keras3Layout, NamesLayersPerContainerAsKerasSavingLibDoes) {
  const Graph graph = graphFromKerasJsonText(R"({"class_name": "Sequential", "config": {
    "name": "s", "layers": [
      {"class_name": "InputLayer", "config": {"batch_shape": [null, 4, 4, 1], "name": "in"}},
      {"class_name": "Conv2D", "config": {"name": "a", "filters": 2, "kernel_size": 1}},
      {"class_name": "Activation", "config": {"name": "r", "activation": "relu"}},
      {"class_name": "Conv2D", "config": {"name": "b", "filters": 2, "kernel_size": 1}},
      {"class_name": "Flatten", "config": {"name": "f"}},
      {"class_name": "Dense", "config": {"name": "d", "units": 2}}]}})");
  const auto weighted = [](const Node& n) {
    return n.className == "Conv2D" || n.className == "Dense";
  };
  std::map<std::string, std::string> paths;
  for (const auto& e : keras3Layout(graph, weighted)) paths[e.node->name] = e.path;
  EXPECT_EQ(paths.at("a"), "layers/conv2d");
  EXPECT_EQ(paths.at("b"), "layers/conv2d_1");
  EXPECT_EQ(paths.at("r"), "layers/activation");
  EXPECT_EQ(paths.at("d"), "layers/dense");
  // tf.keras 2.12 / 2.13: a layer with weights took two names.
  Keras3Naming old;
  old.container = "_layer_checkpoint_dependencies";
  old.twoNamesPerWeightedLayer = true;
  paths.clear();
  for (const auto& e : keras3Layout(graph, weighted, old)) paths[e.node->name] = e.path;
  EXPECT_EQ(paths.at("a"), "_layer_checkpoint_dependencies/conv2d");
  EXPECT_EQ(paths.at("b"), "_layer_checkpoint_dependencies/conv2d_2");
  EXPECT_EQ(paths.at("f"), "_layer_checkpoint_dependencies/flatten");
}

TEST(FileFormat, IsToldByContentNotByName) {
  GRAFT_REQUIRE_FIXTURE(archive, kMnistKeras);
  GRAFT_REQUIRE_FIXTURE(legacy, kMnistLegacyH5);
  TempDir dir;
  const auto archiveNamedH5 = dir.path() / "model.h5";
  const auto hdf5NamedKeras = dir.path() / "model.keras";
  fs::copy_file(archive, archiveNamedH5);
  fs::copy_file(legacy, hdf5NamedKeras);
  EXPECT_EQ(detectFileFormat(archiveNamedH5.string()), FileFormat::Zip);
  EXPECT_EQ(detectFileFormat(hdf5NamedKeras.string()), FileFormat::Hdf5);
  EXPECT_EQ(load(archiveNamedH5.string()).model.graph.size(), load(archive).model.graph.size());
  EXPECT_EQ(load(hdf5NamedKeras.string()).model.graph.size(), load(legacy).model.graph.size());

  const auto text = dir.path() / "notes.keras";
  std::ofstream(text) << "hello";
  const std::string message = errorOf([&] { load(text.string()); });
  EXPECT_NE(message.find(text.string()), std::string::npos) << message;
  EXPECT_NE(message.find("not a model file Graft reads"), std::string::npos) << message;
  EXPECT_NE(message.find("the file is none of these"), std::string::npos) << message;

  const auto empty = dir.path() / "empty.keras";
  std::ofstream(empty).flush();
  const std::string emptyMessage = errorOf([&] { load(empty.string()); });
  EXPECT_NE(emptyMessage.find("the file is empty: 0 bytes"), std::string::npos) << emptyMessage;

  const std::string folderMessage = errorOf([&] { load(dir.path().string()); });
  EXPECT_NE(
      folderMessage.find("is a folder; expected a Keras .h5 or .weights.h5, a Keras 3 .keras"),
      std::string::npos)
      << folderMessage;
}

// A pipe or a device given as the model is refused at once: a FIFO with no writer blocked open()
// for ever, and /dev/zero would be read until memory ran out.
TEST(FileFormat, APipeOrADeviceIsRefusedNotRead) {
  TempDir dir;
  const std::string fifo = (dir.path() / "model.h5").string();
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  const std::string message = errorOf([&] { load(fifo); });
  EXPECT_NE(message.find(fifo + ": a pipe, not a file"), std::string::npos) << message;
  const std::string device = errorOf([&] { load("/dev/zero"); });
  EXPECT_NE(device.find("/dev/zero: a device, not a file"), std::string::npos) << device;
  EXPECT_NO_THROW(refuseSpecialFile(dir.path().string()));  // folders have their own message
  EXPECT_NO_THROW(refuseSpecialFile((dir.path() / "missing").string()));
}

TEST(Keras3Archive, MnistModelOpensWithKerasTotalsAndItsOwnWeights) {
  GRAFT_REQUIRE_FIXTURE(path, kMnistKeras);
  const LoadedModel loaded = load(path);
  const Graph& graph = loaded.model.graph;
  const GraphAnalysis analysis = analyzeOrThrow(graph);
  EXPECT_EQ(analysis.totalParams, 34826);
  EXPECT_EQ(analysis.trainableParams, 34826);
  EXPECT_EQ(graph.inputs().size(), 1u);
  EXPECT_EQ(analysis.find(graph.outputs().front())->outputShape, (Shape{kUnknown, 10}));
  // The second Conv2D is conv2d_1 in the file: compare with that dataset, read directly.
  const KerasArchive archive = readKerasArchive(path);
  const h5::File file = h5::File::openImage(archive.weights, "weights");
  EXPECT_EQ(values(loaded.model.weights.find("conv2d_1")->at(0)),
            datasetValues(file, "/layers/conv2d_1/vars/0"));
  EXPECT_EQ(values(loaded.model.weights.find("dense")->at(1)),
            datasetValues(file, "/layers/dense/vars/1"));
  EXPECT_EQ(archive.kerasVersion, "3.1.1");
  bool versionNoted = false;
  for (const auto& note : loaded.notes)
    versionNoted |= note.find("Keras 3.1.1") != std::string::npos;
  EXPECT_TRUE(versionNoted);
}

// Keras stores members uncompressed and Graft uses the weights in place; an archive re-zipped
// with compression (as a user's zip tool may) is inflated instead, to the same weights.
TEST(Keras3Archive, CompressedArchiveOpensToTheSameWeights) {
  GRAFT_REQUIRE_FIXTURE(path, kMnistKeras);
  TempDir dir;
  const auto deflated = dir.path() / "deflated.keras";
  const std::string script =
      "import sys, zipfile\n"
      "src = zipfile.ZipFile(sys.argv[1])\n"
      "dst = zipfile.ZipFile(sys.argv[2], 'w', zipfile.ZIP_DEFLATED)\n"
      "for m in src.namelist(): dst.writestr(m, src.read(m))\n"
      "dst.close()\n"
      "print([i.compress_type for i in zipfile.ZipFile(sys.argv[2]).infolist()])\n";
  const auto r = runProgram(GRAFT_PYTHON, {"-c", script, path, deflated.string()});
  ASSERT_EQ(r.exitCode, 0) << r.err;
  EXPECT_EQ(r.out.find("0"), std::string::npos) << "every member deflated: " << r.out;
  const LoadedModel stored = load(path);
  const LoadedModel inflated = load(deflated.string());
  for (const auto& layer : {"conv2d", "conv2d_1", "dense"})
    for (size_t i = 0; i < 2; ++i)
      EXPECT_EQ(values(inflated.model.weights.find(layer)->at(i)),
                values(stored.model.weights.find(layer)->at(i)))
          << layer << " " << i;
}

// Keras stores the weights member uncompressed and Graft reads it in place: damage to the HDF5
// structure inside (under a CRC-32 that matches it, so that the check of the archive lets it
// through) must still be refused with the member named, never crash or load.
TEST(Keras3Archive, DamagedWeightsMemberIsRefusedNamingIt) {
  GRAFT_REQUIRE_FIXTURE(path, kMnistKeras);
  std::string bytes = fileBytes(path);
  const size_t hdf5 = bytes.find("\x89HDF\r\n\x1a\n");
  ASSERT_NE(hdf5, std::string::npos) << "the fixture's weights member is stored, not deflated";
  const StoredMember member = storedMember(bytes, "model.weights.h5");
  ASSERT_EQ(member.data, hdf5);
  ASSERT_NE(member.centralCrc, 0u);
  TempDir dir;
  const auto damaged = dir.path() / "damaged.keras";
  // Past the signature: the superblock's version bytes and the root group's address.
  for (size_t i = hdf5 + 8; i < hdf5 + 96; ++i) bytes[i] = static_cast<char>(0xA5);
  rewriteCrc(bytes, member);
  std::ofstream(damaged, std::ios::binary) << bytes;
  const std::string message = errorOf([&] { load(damaged.string()); });
  EXPECT_NE(message.find("damaged.keras/model.weights.h5"), std::string::npos) << message;
  EXPECT_NE(message.find("damaged"), std::string::npos) << message;
}

// One bit flipped in a member's bytes: Python's zipfile (so Keras) refuses the archive with "Bad
// CRC-32"; Graft did not check and loaded a wrong weight without a word. The stored weights are
// checked in place, config.json (small) as it is read into memory.
TEST(Keras3Archive, MemberWhoseCrcDoesNotMatchIsRefusedNamingIt) {
  GRAFT_REQUIRE_FIXTURE(path, kMnistKeras);
  const std::string bytes = fileBytes(path);
  TempDir dir;
  for (const std::string member : {"model.weights.h5", "config.json"}) {
    SCOPED_TRACE(member);
    const StoredMember m = storedMember(bytes, member);
    ASSERT_NE(m.data, 0u);
    ASSERT_GT(m.size, 1000u);
    // A byte near the end of the weights (in place), in the middle of config.json (read).
    std::string damaged = bytes;
    const size_t at = m.data + (member == "config.json" ? m.size / 2 : m.size - 700);
    damaged[at] = static_cast<char>(damaged[at] ^ 0x01);
    const std::string file = dir.file("flipped_" + member + ".keras");
    std::ofstream(file, std::ios::binary) << damaged;
    EXPECT_EQ(errorOf([&] { load(file); }),
              file + ": member '" + member + "' is damaged (CRC mismatch)");
  }
}

// A compressed model.weights.h5 that would inflate to far more than the model's weights can need
// (a 7 MB archive once declared 6.7 GB) is refused from its declared size before anything is
// inflated, naming the member and the size.
TEST(Keras3Archive, WeightsMemberLargerThanTheModelCanNeedIsRefusedBeforeInflating) {
  GRAFT_REQUIRE_FIXTURE(path, kMnistKeras);
  const KerasArchive real = readKerasArchive(path);
  std::vector<char> weights(real.weights.data, real.weights.data + real.weights.size);
  weights.resize(size_t{96} << 20, '\0');  // zeros after the file: deflated to ~100 kB
  const std::string metadata = R"({"keras_version": "3.1.1"})";
  TempDir dir;
  const std::string bomb = dir.file("bomb.keras");
  int error = 0;
  zip_t* archive = zip_open(bomb.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &error);
  ASSERT_NE(archive, nullptr);
  for (const auto& [name, data, size] : {std::tuple<const char*, const char*, size_t>{
                                             "metadata.json", metadata.data(), metadata.size()},
                                         {"config.json", real.config.data(), real.config.size()},
                                         {"model.weights.h5", weights.data(), weights.size()}}) {
    zip_source_t* source = zip_source_buffer(archive, data, size, 0);
    ASSERT_NE(source, nullptr);
    const zip_int64_t index = zip_file_add(archive, name, source, ZIP_FL_OVERWRITE);
    ASSERT_GE(index, 0);
    ASSERT_EQ(
        zip_set_file_compression(archive, static_cast<zip_uint64_t>(index), ZIP_CM_DEFLATE, 1), 0);
  }
  ASSERT_EQ(zip_close(archive), 0);
  ASSERT_LT(fs::file_size(bomb), size_t{4} << 20);
  const std::string message = errorOf([&] { load(bomb); });
  EXPECT_NE(message.find(bomb + ": member 'model.weights.h5' declares 100663296 bytes"),
            std::string::npos)
      << message;
  EXPECT_NE(message.find("the model's 34826 parameters"), std::string::npos) << message;
  // With the model's own weights it opens, compressed as it is.
  weights.resize(real.weights.size);
  EXPECT_GT(weightsMemberBytesFor(34826, 9), weights.size());
  EXPECT_LE(weightsMemberBytesFor(limits::kMaxModelParams, limits::kMaxLayers),
            maxWeightsMemberBytes());
}

// Keras's load_model refuses a .keras without model.weights.h5; Graft gave random weights under
// the file's name with only a note. A model without weights needs none, and --weights gives them.
TEST(Keras3Archive, ArchiveWithoutWeightsIsRefusedUnlessTheModelHasNone) {
  GRAFT_REQUIRE_FIXTURE(path, kMnistKeras);
  const KerasArchive real = readKerasArchive(path);
  TempDir dir;
  const std::string bare = dir.file("bare.keras");
  writeKerasArchive(bare, real.config, "3.1.1");
  const std::string message = errorOf([&] { load(bare); });
  EXPECT_NE(message.find(bare + ": the archive has no model.weights.h5"), std::string::npos)
      << message;
  EXPECT_NE(message.find("34826 parameters"), std::string::npos) << message;
  EXPECT_NE(message.find("--weights"), std::string::npos) << message;
  EXPECT_TRUE(load(bare, path).freshLayers.empty());

  const std::string weightless = dir.file("weightless.keras");
  writeKerasArchive(weightless, R"({"class_name": "Sequential", "config": {"name": "s", "layers": [
    {"class_name": "InputLayer", "config": {"name": "in", "batch_input_shape": [null, 4, 4, 1]}},
    {"class_name": "Flatten", "config": {"name": "flat"}}]}})",
                    "3.1.1");
  EXPECT_EQ(load(weightless).model.graph.size(), 2u);
}

// A model with no layers opened with exit 0 and an empty summary, whatever the file.
TEST(EmptyModels, AreRefusedNamingTheFile) {
  TempDir dir;
  const std::vector<std::string> configs = {
      "[]", R"({"class_name": "Sequential", "config": {"name": "sequential", "layers": []}})",
      R"({"module": "keras.src.models.functional", "class_name": "Functional", "config":
          {"name": "f", "layers": [], "input_layers": [], "output_layers": []},
          "registered_name": "Functional"})"};
  std::vector<std::string> files;
  for (size_t i = 0; i < configs.size(); ++i) {
    files.push_back(dir.file("empty_" + std::to_string(i) + ".keras"));
    writeKerasArchive(files.back(), configs[i], "3.1.1");
  }
  files.push_back(dir.file("empty.json"));
  std::ofstream(files.back()) << "[]";
  files.push_back(dir.file("empty_legacy.h5"));
  KerasFileOptions options;
  options.modelConfig = "[]";
  writeKerasWeights(files.back(), {}, options);
  for (const auto& file : files)
    EXPECT_EQ(errorOf([&] { load(file); }), file + ": the model has no layers");
}

// Eight bytes of HDF5 metadata changed in a Keras .h5 (an exploratory tester's file): HDF5 fails
// inside H5Aread, and its error stack ("HDF5-DIAG: Error detected ...", ~40 lines) reached stderr
// before Graft's own message.
TEST(HostileHdf5, DamagedAttributeHeapPrintsOnlyGraftsMessage) {
  GRAFT_REQUIRE_FIXTURE(path, kMnistLegacyH5);
  std::string bytes = fileBytes(path);
  const std::map<size_t, int> changes = {{2680, 123},  {6510, 25},  {7401, 135},  {11869, 1},
                                         {156376, 32}, {160888, 1}, {162563, 32}, {318806, 128}};
  ASSERT_GT(bytes.size(), 318806u);
  for (const auto& [at, value] : changes) bytes[at] = static_cast<char>(value);
  TempDir dir;
  const std::string damaged = dir.file("damaged.h5");
  std::ofstream(damaged, std::ios::binary) << bytes;
  testing::internal::CaptureStderr();
  const std::string message = errorOf([&] { load(damaged); });
  const std::string err = testing::internal::GetCapturedStderr();
  EXPECT_EQ(err.find("HDF5-DIAG"), std::string::npos) << err;
  // The damage is met where HDF5 used to print its stack: reading the layer list.
  EXPECT_NE(message.find(damaged + ": cannot read attribute 'layer_names'"), std::string::npos)
      << message;
}

// A layer whose stored weight count differs from the model's: the message names the file.
TEST(WeightCounts, MismatchNamesTheFile) {
  TempDir dir;
  const std::string h5 = dir.file("model.h5");
  KerasFileOptions options;
  options.modelConfig = R"({"class_name": "Sequential", "config": {"name": "s", "layers": [
    {"class_name": "InputLayer", "config": {"name": "in", "batch_input_shape": [null, 4]}},
    {"class_name": "Dense", "config": {"name": "d", "units": 3}}]}})";
  writeKerasWeights(h5, {{"in", {}}, {"d", {{"kernel", ramp({4, 3}, 0)}}}}, options);
  EXPECT_EQ(errorOf([&] { load(h5); }), "d: layer 'd' in " + h5 +
                                            " has 1 weight arrays, the model expects 2 "
                                            "(kernel, bias)");
}

// A free input (None x None) takes --input-size as its size; a size below 1 is refused.
TEST(InputSize, OfAFreeInputMustBePositive) {
  TempDir dir;
  const std::string model = dir.file("free.json");
  std::ofstream(model) << R"({"class_name": "Sequential", "config": {"name": "free", "layers": [
    {"class_name": "InputLayer", "config": {"name": "in", "batch_input_shape": [null, null, null, 1]}},
    {"class_name": "Conv2D", "config": {"name": "conv", "filters": 1, "kernel_size": [1, 1]}}]}})";
  ModelSpec spec;
  spec.source = model;
  spec.inputSize = 28;
  EXPECT_EQ(loadModel(spec).model.graph.size(), 2u);
  for (int64_t size : {0, -5}) {
    spec.inputSize = size;
    const std::string message = errorOf([&] { loadModel(spec); });
    EXPECT_NE(message.find("--input-size: " + std::to_string(size) +
                           ": expected a positive number of pixels"),
              std::string::npos)
        << message;
    EXPECT_NE(message.find(model), std::string::npos) << message;
  }
}

TEST(Keras3Archive, WeightsFileAloneIsRefusedAndLoadsOntoItsModel) {
  GRAFT_REQUIRE_FIXTURE(path, kMnistKeras);
  TempDir dir;
  const auto weights = dir.path() / "mnist.weights.h5";
  const KerasArchive archive = readKerasArchive(path);
  std::ofstream(weights, std::ios::binary)
      .write(archive.weights.data, static_cast<std::streamsize>(archive.weights.size));
  const std::string message = errorOf([&] { load(weights.string()); });
  EXPECT_NE(message.find("holds no architecture"), std::string::npos) << message;
  EXPECT_NE(message.find("--weights"), std::string::npos) << message;

  // The same weights given with --weights onto the .keras, and onto its topology alone.
  const LoadedModel whole = load(path);
  const LoadedModel withWeights = load(path, weights.string());
  const auto config = dir.path() / "model.json";
  std::ofstream(config) << archive.config;
  const LoadedModel fromJson = load(config.string(), weights.string());
  for (const auto& layer : whole.model.weights.layers()) {
    for (size_t i = 0; i < whole.model.weights.find(layer)->size(); ++i) {
      EXPECT_EQ(values(withWeights.model.weights.find(layer)->at(i)),
                values(whole.model.weights.find(layer)->at(i)))
          << layer;
      EXPECT_EQ(values(fromJson.model.weights.find(layer)->at(i)),
                values(whole.model.weights.find(layer)->at(i)))
          << layer;
    }
  }
  EXPECT_TRUE(fromJson.freshLayers.empty());
}

TEST(Keras3Archive, LegacyH5OfTheSameNetworkHasTheSameStructure) {
  GRAFT_REQUIRE_FIXTURE(legacy, kMnistLegacyH5);
  const LoadedModel loaded = load(legacy);
  EXPECT_EQ(analyzeOrThrow(loaded.model.graph).totalParams, 34826);
  EXPECT_TRUE(loaded.freshLayers.empty());
}

TEST(NestedModels, TeachableMachineExportKeepsItsGroups) {
  GRAFT_REQUIRE_FIXTURE(path, kTeachable);
  const LoadedModel loaded = load(path);
  const Graph& graph = loaded.model.graph;
  const GraphAnalysis analysis = analyzeOrThrow(graph);
  EXPECT_EQ(analysis.totalParams, 538708);
  ASSERT_EQ(graph.groups().size(), 3u);
  EXPECT_EQ(graph.groups()[0].path, "sequential_1");
  EXPECT_EQ(graph.groups()[0].className, "Sequential");
  EXPECT_EQ(graph.groups()[1].path, "sequential_1/model1");
  EXPECT_EQ(graph.groups()[1].className, "Functional");
  EXPECT_EQ(graph.groups()[2].path, "sequential_3");
  EXPECT_EQ(graph.at("Conv1").group, "sequential_1/model1");
  EXPECT_EQ(graph.at("dense_Dense2").group, "sequential_3");
  // The inner InputLayers are gone: the MobileNetV2 reads the model's own input.
  ASSERT_EQ(graph.inputs().size(), 1u);
  EXPECT_EQ(graph.at("Conv1_pad").inputs, std::vector<std::string>{graph.inputs()[0]});
  EXPECT_EQ(graph.at("dense_Dense1").inputs,
            std::vector<std::string>{"global_average_pooling2d_GlobalAveragePooling2D1"});
  EXPECT_EQ(summarizeGroup(graph, analysis, "sequential_1").params, 410208);
  EXPECT_EQ(summarizeGroup(graph, analysis, "sequential_3").params, 128500);
  // Weights come from the nested model's group, whatever order Keras stored them in.
  const h5::File file = h5::File::openReadOnly(path);
  EXPECT_EQ(values(loaded.model.weights.find("Conv1")->at(0)),
            datasetValues(file, "/model_weights/sequential_1/Conv1/kernel:0"));
  EXPECT_EQ(values(loaded.model.weights.find("Conv_1_bn")->at(2)),
            datasetValues(file, "/model_weights/sequential_1/Conv_1_bn/moving_mean:0"));
  EXPECT_TRUE(loaded.freshLayers.empty());
  // MobileNetV2 inside: its preprocessing, said.
  EXPECT_EQ(loaded.model.preprocessing, Preprocessing::Tf);
}

TEST(NestedModels, SummaryShowsANestedModelAsOneRowOrExpanded) {
  GRAFT_REQUIRE_FIXTURE(path, kTeachable);
  const LoadedModel loaded = load(path);
  const GraphAnalysis analysis = analyzeOrThrow(loaded.model.graph);
  const std::string table = formatSummary(loaded.model.graph, analysis);
  EXPECT_NE(table.find("sequential_1 (Sequential)"), std::string::npos) << table;
  EXPECT_NE(table.find("410208"), std::string::npos) << table;
  EXPECT_NE(table.find("sequential_3 (Sequential)"), std::string::npos) << table;
  EXPECT_EQ(table.find("Conv1 (Conv2D)"), std::string::npos) << table;
  // Collapsed, as Keras: the model nested in sequential_1 has no row of its own.
  EXPECT_EQ(table.find("model1 (Functional)"), std::string::npos) << table;
  EXPECT_NE(table.find("Total params: 538,708"), std::string::npos) << table;
  const std::string expanded = formatSummary(loaded.model.graph, analysis, SummaryOptions{true});
  EXPECT_NE(expanded.find("model1 (Functional)"), std::string::npos) << expanded;
  EXPECT_NE(expanded.find("\u2502 \u2502 Conv1 (Conv2D)"), std::string::npos) << expanded;
  const Json json = summaryJson(loaded.model.graph, analysis);
  EXPECT_EQ(json.at("groups").size(), 3u);
  EXPECT_EQ(json.at("groups")[0].at("params"), 410208);
  // Its BatchNormalization moving statistics are parameters, not trainable ones (Keras counts
  // 14,080 of them in the MobileNetV2 base), in the group as in the model.
  EXPECT_EQ(json.at("groups")[0].at("trainable_params"), 410208 - 14080);
  EXPECT_EQ(json.at("non_trainable_params"), 14080);
}

TEST(NestedModels, ProjectFilesKeepTheGroups) {
  GRAFT_REQUIRE_FIXTURE(path, kTeachable);
  const LoadedModel loaded = load(path);
  TempDir dir;
  const std::string project = (dir.path() / "tm.graft").string();
  saveProject(loaded.model, project);
  const Model back = loadProject(project);
  EXPECT_EQ(back.graph.groups(), loaded.model.graph.groups());
  EXPECT_EQ(back.graph.at("Conv1").group, "sequential_1/model1");
}

TEST(NestedModels, SurgeryPlacesNewLayersInTheGroupAroundThem) {
  GRAFT_REQUIRE_FIXTURE(path, kTeachable);
  const Model model = load(path).model;
  // Inserted between two layers of the MobileNetV2: it joins that nested model.
  auto inserted =
      applyOperation(model, Json::parse(R"({"op": "insert", "between": ["Conv1", "bn_Conv1"],
                             "layer": {"class_name": "Dropout", "config": {"name": "drop",
                                                                          "rate": 0.1}}})"));
  ASSERT_TRUE(inserted) << joinDiagnostics(inserted.diagnostics());
  EXPECT_EQ(inserted.value().model.graph.at("drop").group, "sequential_1/model1");
  // A new head after a cut inside the base stays at the top level; the group loses the rest.
  auto cut = applyOperation(model, Json::parse(R"({"op": "cut", "at": "block_16_project_BN"})"));
  ASSERT_TRUE(cut) << joinDiagnostics(cut.diagnostics());
  auto stacked = applyOperation(
      cut.value().model, Json::parse(R"({"op": "stack", "after": "block_16_project_BN", "layers": [
        {"class_name": "GlobalAveragePooling2D", "config": {"name": "pool"}},
        {"class_name": "Dense", "config": {"name": "head", "units": 3}}]})"));
  ASSERT_TRUE(stacked) << joinDiagnostics(stacked.diagnostics());
  const Graph& graph = stacked.value().model.graph;
  EXPECT_EQ(graph.at("head").group, "");
  EXPECT_EQ(graph.at("pool").group, "");
  ASSERT_EQ(graph.groups().size(), 2u);  // sequential_3 went with the cut
  EXPECT_EQ(graph.groups()[1].path, "sequential_1/model1");
}

TEST(UnsupportedLayers, EveryTypeIsNamedWithItsFirstLayer) {
  GRAFT_REQUIRE_FIXTURE(path, kSequenceModel);
  const std::string message = errorOf([&] { load(path); });
  EXPECT_NE(message.find(path), std::string::npos) << message;
  EXPECT_NE(message.find("Conv1D (first used by layer '"), std::string::npos) << message;
  EXPECT_NE(message.find("MultiHeadAttention"), std::string::npos) << message;
  EXPECT_NE(message.find("Bidirectional"), std::string::npos) << message;
}

// Keras 3's .weights.h5 for a Sequential holding a Functional, written as Keras's saving_lib
// names it: per container, snake_case class names with counters; nested models under
// <name>/layers. Also as Windows builds wrote it (backslashes inside group names) and as
// tf.keras 2.14 did (_layer_checkpoint_dependencies).
const char* kNestedKeras3Config = R"({
  "module": "keras", "class_name": "Sequential", "config": {"name": "outer", "layers": [
    {"module": "keras.layers", "class_name": "InputLayer",
     "config": {"batch_shape": [null, 8, 8, 3], "dtype": "float32", "name": "image"}},
    {"module": "keras.src.models.functional", "class_name": "Functional",
     "registered_name": "Functional",
     "config": {"name": "base", "trainable": true, "layers": [
       {"module": "keras.layers", "class_name": "InputLayer", "name": "base_in",
        "config": {"batch_shape": [null, 8, 8, 3], "dtype": "float32", "name": "base_in"},
        "inbound_nodes": []},
       {"module": "keras.layers", "class_name": "Conv2D", "name": "c1",
        "config": {"name": "c1", "filters": 4, "kernel_size": [3, 3], "padding": "same",
                   "dtype": {"module": "keras", "class_name": "DTypePolicy",
                             "config": {"name": "float32"}, "registered_name": null}},
        "inbound_nodes": [{"args": [{"class_name": "__keras_tensor__", "config": {
          "shape": [null, 8, 8, 3], "dtype": "float32", "keras_history": ["base_in", 0, 0]}}],
          "kwargs": {}}]},
       {"module": "keras.layers", "class_name": "BatchNormalization", "name": "bn",
        "config": {"name": "bn", "axis": -1},
        "inbound_nodes": [{"args": [{"class_name": "__keras_tensor__", "config": {
          "shape": [null, 8, 8, 4], "dtype": "float32", "keras_history": ["c1", 0, 0]}}],
          "kwargs": {}}]},
       {"module": "keras.layers", "class_name": "Conv2D", "name": "c2",
        "config": {"name": "c2", "filters": 2, "kernel_size": [1, 1]},
        "inbound_nodes": [{"args": [{"class_name": "__keras_tensor__", "config": {
          "shape": [null, 8, 8, 4], "dtype": "float32", "keras_history": ["bn", 0, 0]}}],
          "kwargs": {}}]}],
     "input_layers": [["base_in", 0, 0]], "output_layers": [["c2", 0, 0]]}},
    {"module": "keras.layers", "class_name": "GlobalAveragePooling2D", "config": {"name": "gap"}},
    {"module": "keras.layers", "class_name": "Dense", "config": {"name": "head", "units": 3}}
  ]}})";

void writeNestedKeras3Weights(const std::string& path, const std::string& container,
                              const std::string& separator,
                              const std::function<void(h5::File&)>& more = {}) {
  h5::File file = h5::File::createInMemory(path);
  auto write = [&](const std::string& group, const std::vector<Shape>& shapes, float offset) {
    for (size_t i = 0; i < shapes.size(); ++i) {
      const WeightTensor t = ramp(shapes[i], offset + static_cast<float>(i));
      file.writeFloats("/" + group + "/vars/" + std::to_string(i), shapes[i], t.values());
    }
  };
  const std::string base = container + separator + "functional" + separator + container;
  write(base + separator + "conv2d", {{3, 3, 3, 4}, {4}}, 10);
  write(base + separator + "batch_normalization", {{4}, {4}, {4}, {4}}, 20);
  write(base + separator + "conv2d_1", {{1, 1, 4, 2}, {2}}, 30);
  write(container + separator + "dense", {{2, 3}, {3}}, 40);
  file.writeFloats("/optimizer/vars/0", {1}, ramp({1}, 0).values());  // not weights
  if (more) more(file);
  file.close();
}

// A Keras 3 model with RandomCrop at its input's size, AutoContrast and a LayerNormalization
// over [1, 2, 3], with its .weights.h5 as saving_lib names the groups (snake_case class names):
// gamma and beta land with the normalized axes' shape (8, 8, 3), the weightless layers take
// none.
TEST(Keras3Weights, LayerNormalizationOverSeveralAxesReadsItsGammaAndBeta) {
  const auto call = [](const std::string& from, const std::string& shape) {
    return R"([{"args": [{"class_name": "__keras_tensor__", "config": {"shape": )" + shape +
           R"(, "dtype": "float32", "keras_history": [")" + from + R"(", 0, 0]}}], "kwargs": {}}])";
  };
  const std::string image = "[null, 8, 8, 3]";
  const std::string text =
      R"({"module": "keras", "class_name": "Functional", "config": {"name": "m", "layers": [
    {"module": "keras.layers", "class_name": "InputLayer", "name": "in", "inbound_nodes": [],
     "config": {"batch_shape": [null, 8, 8, 3], "dtype": "float32", "name": "in"}},
    {"module": "keras.layers", "class_name": "RandomCrop", "name": "crop", "inbound_nodes": )" +
      call("in", image) + R"(,
     "config": {"name": "crop", "height": 8, "width": 8, "seed": 1, "data_format": "channels_last"}},
    {"module": "keras.layers", "class_name": "AutoContrast", "name": "contrast", "inbound_nodes": )" +
      call("crop", image) + R"(,
     "config": {"name": "contrast", "value_range": [0, 255]}},
    {"module": "keras.layers", "class_name": "LayerNormalization", "name": "norm", "inbound_nodes": )" +
      call("contrast", image) + R"(,
     "config": {"name": "norm", "axis": [1, 2, 3], "epsilon": 0.001}},
    {"module": "keras.layers", "class_name": "GlobalAveragePooling2D", "name": "gap", "inbound_nodes": )" +
      call("norm", image) + R"(, "config": {"name": "gap"}},
    {"module": "keras.layers", "class_name": "Dense", "name": "head", "inbound_nodes": )" +
      call("gap", "[null, 3]") + R"(, "config": {"name": "head", "units": 2}}],
    "input_layers": [["in", 0, 0]], "output_layers": [["head", 0, 0]]}})";
  TempDir dir;
  const auto config = dir.path() / "model.json";
  std::ofstream(config) << text;
  const auto weights = dir.path() / "model.weights.h5";
  {
    h5::File file = h5::File::createInMemory(weights.string());
    const auto write = [&](const std::string& group, const std::vector<Shape>& shapes,
                           float offset) {
      for (size_t i = 0; i < shapes.size(); ++i)
        file.writeFloats("/layers/" + group + "/vars/" + std::to_string(i), shapes[i],
                         ramp(shapes[i], offset + static_cast<float>(i)).values());
    };
    write("layer_normalization", {{8, 8, 3}, {8, 8, 3}}, 10);
    write("dense", {{3, 2}, {2}}, 40);
    file.close();
  }
  const LoadedModel loaded = load(config.string(), weights.string());
  EXPECT_TRUE(loaded.freshLayers.empty());
  const WeightStore& w = loaded.model.weights;
  ASSERT_TRUE(w.find("norm"));
  ASSERT_EQ(w.find("norm")->size(), 2u);
  EXPECT_EQ(w.find("norm")->at(0).shape, (Shape{8, 8, 3}));
  EXPECT_EQ(values(w.find("norm")->at(0)), values(ramp({8, 8, 3}, 10)));
  EXPECT_EQ(values(w.find("norm")->at(1)), values(ramp({8, 8, 3}, 11)));
  EXPECT_EQ(values(w.find("head")->at(1)), values(ramp({2}, 41)));
  EXPECT_EQ(loaded.model.graph.at("crop").className, "RandomCrop");
  EXPECT_EQ(loaded.model.graph.at("contrast").className, "AutoContrast");
  const GraphAnalysis a = analyzeOrThrow(loaded.model.graph);
  EXPECT_EQ(a.totalParams, 2 * 8 * 8 * 3 + 3 * 2 + 2);
}

class NestedKeras3Weights : public ::testing::TestWithParam<std::pair<std::string, std::string>> {};

TEST_P(NestedKeras3Weights, LandOnTheLayersKerasSavedThemFrom) {
  TempDir dir;
  const auto config = dir.path() / "model.json";
  std::ofstream(config) << kNestedKeras3Config;
  const auto weights = dir.path() / "model.weights.h5";
  writeNestedKeras3Weights(weights.string(), GetParam().first, GetParam().second);
  const LoadedModel loaded = load(config.string(), weights.string());
  EXPECT_TRUE(loaded.freshLayers.empty());
  const WeightStore& w = loaded.model.weights;
  EXPECT_EQ(values(w.find("c1")->at(0)), values(ramp({3, 3, 3, 4}, 10)));
  EXPECT_EQ(values(w.find("bn")->at(2)), values(ramp({4}, 22)));  // moving_mean is vars/2
  EXPECT_EQ(values(w.find("c2")->at(1)), values(ramp({2}, 31)));
  EXPECT_EQ(values(w.find("head")->at(0)), values(ramp({2, 3}, 40)));
  EXPECT_EQ(loaded.model.graph.at("c1").group, "base");
  EXPECT_EQ(loaded.model.graph.at("c1").inputs, std::vector<std::string>{"image"});
  EXPECT_EQ(loaded.model.graph.at("gap").inputs, std::vector<std::string>{"c2"});
}

INSTANTIATE_TEST_SUITE_P(
    Layouts, NestedKeras3Weights,
    ::testing::Values(std::make_pair(std::string("layers"), std::string("/")),
                      std::make_pair(std::string("layers"), std::string("\\")),
                      std::make_pair(std::string("_layer_checkpoint_dependencies"),
                                     std::string("/"))));

TEST(NestedKeras3Weights, AModelOtherThanTheOneSavedIsRefusedNamingTheLayers) {
  TempDir dir;
  const auto config = dir.path() / "model.json";
  std::string other = kNestedKeras3Config;
  other.replace(other.find("\"units\": 3"), 10, "\"units\": 5");
  std::ofstream(config) << other;
  const auto weights = dir.path() / "model.weights.h5";
  writeNestedKeras3Weights(weights.string(), "layers", "/");
  const std::string message = errorOf([&] { load(config.string(), weights.string()); });
  EXPECT_NE(message.find("head"), std::string::npos) << message;
  EXPECT_NE(message.find("has shape (2, 3), the model expects (2, 5)"), std::string::npos)
      << message;
}

// A file saved from another model whose groups overlap this one's (the same base, another head):
// Keras's load_weights raises at the first layer without its group; Graft loaded the overlap,
// gave the rest fresh or old weights and ignored the file's own head.
TEST(NestedKeras3Weights, AFileLackingALayersGroupIsRefusedNamingItAndTheUnusedGroups) {
  TempDir dir;
  const auto config = dir.path() / "model.json";
  std::string twoHeads = kNestedKeras3Config;
  const std::string head =
      R"({"module": "keras.layers", "class_name": "Dense", "config": {"name": "head", "units": 3}})";
  twoHeads.replace(twoHeads.find(head), head.size(),
                   head + R"(, {"class_name": "Dense", "config": {"name": "out", "units": 2}})");
  std::ofstream(config) << twoHeads;
  const auto weights = dir.path() / "model.weights.h5";
  writeNestedKeras3Weights(weights.string(), "layers", "/", [](h5::File& file) {
    file.writeFloats("/layers/conv2d/vars/0", {3, 5}, ramp({3, 5}, 1).values());
    file.writeFloats("/layers/conv2d/vars/1", {5}, ramp({5}, 2).values());
  });
  const std::string message = errorOf([&] { load(config.string(), weights.string()); });
  EXPECT_NE(message.find(weights.string() + ": no weights for layer 'out' (group "
                                            "layers/dense_1/vars, where the model expects kernel "
                                            "(3, 2), bias (2,))"),
            std::string::npos)
      << message;
  EXPECT_NE(message.find("the file's layers/conv2d belongs to no layer of this model"),
            std::string::npos)
      << message;
  // The same model's file from before the head 'out' was added: nothing in it belongs to
  // another model, so it loads and 'out' keeps what it had.
  const auto before = dir.path() / "before.weights.h5";
  writeNestedKeras3Weights(before.string(), "layers", "/");
  const LoadedModel loaded = load(config.string(), before.string());
  EXPECT_EQ(values(loaded.model.weights.find("head")->at(0)), values(ramp({2, 3}, 40)));
  ASSERT_NE(loaded.model.weights.find("out"), nullptr);
}

// The Keras transfer-learning guide's model with its augmentation in a Sequential of its own:
// Graft leaves that Sequential out (it computes nothing at inference), but Keras 3's saving_lib
// still numbers it among the outer model's members (_save_container_state counts every entry of
// `layers` by snake_case class name), so the head's Sequential is sequential_1.
const char* kAugmentedKeras3Config = R"({
  "module": "keras", "class_name": "Sequential", "config": {"name": "outer", "layers": [
    {"class_name": "InputLayer", "config": {"batch_shape": [null, 8, 8, 3], "name": "image"}},
    {"class_name": "Sequential", "config": {"name": "augment", "layers": [
      {"class_name": "InputLayer", "config": {"batch_shape": [null, 8, 8, 3], "name": "aug_in"}},
      {"class_name": "RandomFlip", "config": {"name": "flip", "mode": "horizontal"}},
      {"class_name": "RandomGrayscale", "config": {"name": "gray", "factor": 0.5}}]}},
    {"class_name": "GlobalAveragePooling2D", "config": {"name": "gap"}},
    {"class_name": "Sequential", "config": {"name": "head", "layers": [
      {"class_name": "InputLayer", "config": {"batch_shape": [null, 3], "name": "head_in"}},
      {"class_name": "Identity", "config": {"name": "same"}},
      {"class_name": "Dense", "config": {"name": "dense", "units": 2}}]}}
  ]}})";

TEST(NestedKeras3Weights, ANestedModelLeftOutStillTakesItsNumber) {
  TempDir dir;
  const auto config = dir.path() / "model.json";
  std::ofstream(config) << kAugmentedKeras3Config;
  const auto weights = dir.path() / "model.weights.h5";
  {
    h5::File file = h5::File::createInMemory(weights.string());
    file.writeFloats("/layers/sequential_1/layers/dense/vars/0", {3, 2}, ramp({3, 2}, 5).values());
    file.writeFloats("/layers/sequential_1/layers/dense/vars/1", {2}, ramp({2}, 6).values());
    file.close();
  }
  const LoadedModel loaded = load(config.string(), weights.string());
  EXPECT_EQ(loaded.model.graph.size(), 3u);  // image, gap, dense
  EXPECT_EQ(values(loaded.model.weights.find("dense")->at(0)), values(ramp({3, 2}, 5)));
  // Weights written for the user's own model land where its Keras loads them, also from a
  // project saved in between.
  const std::string project = (dir.path() / "augmented.graft").string();
  saveProject(loaded.model, project);
  const Model reopened = loadProject(project);
  EXPECT_EQ(reopened.kerasLeftOut, loaded.model.kerasLeftOut);
  const std::string out = (dir.path() / "out.weights.h5").string();
  saveKeras3Weights(reopened, out);
  const h5::File written = h5::File::openReadOnly(out);
  EXPECT_EQ(datasetValues(written, "/layers/sequential_1/layers/dense/vars/0"),
            values(ramp({3, 2}, 5)));
  EXPECT_FALSE(written.exists("/layers/sequential/layers/dense"));
}

// Every dataset under `group`, recursively, as "path (shape)".
void listDatasets(const h5::File& file, const std::string& group, std::vector<std::string>& out) {
  for (const auto& member : file.memberNames(group)) {
    const std::string path = group + "/" + member;
    if (file.memberNames(path).empty() &&
        member.find_first_not_of("0123456789") == std::string::npos)
      out.push_back(path + " " + shapeToString(file.datasetShape(path)));
    else
      listDatasets(file, path, out);
  }
}

TEST(Keras3WeightsExport, WritesTheLayoutKeras3Wrote) {
  GRAFT_REQUIRE_FIXTURE(path, kMnistKeras);
  const LoadedModel loaded = load(path);
  TempDir dir;
  const std::string out = (dir.path() / "mnist.weights.h5").string();
  saveKeras3Weights(loaded.model, out);
  const KerasArchive archive = readKerasArchive(path);
  const h5::File keras = h5::File::openImage(archive.weights, "keras");
  const h5::File graft = h5::File::openReadOnly(out);
  std::vector<std::string> want, got;
  listDatasets(keras, "/layers", want);
  listDatasets(graft, "/layers", got);
  EXPECT_EQ(got, want);
  for (const auto& layer : {"conv2d", "conv2d_1", "dense"})
    for (const auto& var : {"0", "1"}) {
      const std::string p = std::string("/layers/") + layer + "/vars/" + var;
      EXPECT_EQ(datasetValues(graft, p), datasetValues(keras, p)) << p;
    }
  // Weightless layers have their empty vars group, as Keras writes them; so has the model.
  EXPECT_TRUE(graft.exists("/layers/max_pooling2d_1/vars"));
  EXPECT_TRUE(graft.exists("/layers/dropout/vars"));
  EXPECT_TRUE(graft.exists("/vars"));
  // A Sequential's layers leave its InputLayer out: Keras writes no group for it.
  EXPECT_FALSE(keras.exists("/layers/input_layer"));
  EXPECT_FALSE(graft.exists("/layers/input_layer"));
  // And it loads back onto the model.
  const LoadedModel back = load(path, out);
  EXPECT_EQ(values(back.model.weights.find("dense")->at(0)),
            values(loaded.model.weights.find("dense")->at(0)));
}

TEST(Keras3WeightsExport, NestedModelsNestTheirGroups) {
  GRAFT_REQUIRE_FIXTURE(path, kTeachable);
  const LoadedModel loaded = load(path);
  TempDir dir;
  const std::string out = (dir.path() / "tm.weights.h5").string();
  saveKeras3Weights(loaded.model, out);
  const h5::File file = h5::File::openReadOnly(out);
  // Sequential[Sequential[Functional MobileNetV2, GAP], Sequential[Dense, Dense]]
  EXPECT_EQ(datasetValues(file, "/layers/sequential/layers/functional/layers/conv2d/vars/0"),
            values(loaded.model.weights.find("Conv1")->at(0)));
  EXPECT_EQ(datasetValues(file, "/layers/sequential_1/layers/dense_1/vars/0"),
            values(loaded.model.weights.find("dense_Dense2")->at(0)));
  EXPECT_EQ(
      file.datasetShape("/layers/sequential/layers/functional/layers/batch_normalization/vars/3"),
      (Shape{16}));
}

// Keras 2's save_weights writes a nested model as one group holding all its layers' weights,
// trainable ones first: the Keras HDF5 export of a Teachable Machine model must look like the
// file Keras wrote (load_weights onto the user's own model assigns them by that order).
TEST(KerasH5WeightsExport, NestedModelsAreOneGroupInKerasOrder) {
  GRAFT_REQUIRE_FIXTURE(path, kTeachable);
  const LoadedModel loaded = load(path);
  TempDir dir;
  const std::string out = (dir.path() / "tm.h5").string();
  saveKerasWeights(loaded.model, out);
  const h5::File written = h5::File::openReadOnly(out);
  const h5::File original = h5::File::openReadOnly(path);
  const auto names = written.stringList(written.openGroup("/").get(), "layer_names");
  ASSERT_TRUE(names);
  EXPECT_NE(std::find(names->begin(), names->end(), "sequential_1"), names->end());
  EXPECT_NE(std::find(names->begin(), names->end(), "sequential_3"), names->end());
  EXPECT_EQ(std::find(names->begin(), names->end(), "Conv1"), names->end());
  for (const std::string layer : {"sequential_1", "sequential_3"}) {
    const auto mine = written.stringList(written.openGroup("/" + layer).get(), "weight_names");
    const auto keras =
        original.stringList(original.openGroup("/model_weights/" + layer).get(), "weight_names");
    ASSERT_TRUE(mine && keras) << layer;
    EXPECT_EQ(*mine, *keras) << layer;
  }
  EXPECT_EQ(datasetValues(written, "/sequential_1/Conv1/kernel:0"),
            values(loaded.model.weights.find("Conv1")->at(0)));
  // Graft reads its own file back onto the model.
  const LoadedModel back = load(path, out);
  EXPECT_EQ(values(back.model.weights.find("Conv_1_bn")->at(3)),
            values(loaded.model.weights.find("Conv_1_bn")->at(3)));
}

// Every variable dataset under `group` ("/layers/conv2d/vars/0"), in Keras's order: groups by
// name, a layer's variables by number.
void variableDatasets(const h5::File& file, const std::string& group,
                      std::vector<std::string>& out) {
  std::vector<std::string> members = file.memberNames(group);
  std::sort(members.begin(), members.end(), [](const std::string& a, const std::string& b) {
    const bool numbers = a.find_first_not_of("0123456789") == std::string::npos &&
                         b.find_first_not_of("0123456789") == std::string::npos;
    return numbers ? std::stoi(a) < std::stoi(b) : a < b;
  });
  for (const auto& member : members) {
    const std::string path = (group == "/" ? "" : group) + "/" + member;
    if (file.memberNames(path).empty() && group.size() >= 5 &&
        group.compare(group.size() - 5, 5, "/vars") == 0)
      out.push_back(path);
    else
      variableDatasets(file, path, out);
  }
}

// Shards `weightsFile` as Keras's ShardedH5IOStore does (saving_lib.py): variables in order,
// a new shard when the next would pass `maxBytes`, each shard holding the groups of its
// variables, and an index whose weight_map names each vars group's shard(s). Returns the index.
std::string shardAsKerasDoes(const std::string& weightsFile, const std::filesystem::path& folder,
                             size_t maxBytes) {
  const h5::File source = h5::File::openReadOnly(weightsFile);
  std::vector<std::string> datasets;
  variableDatasets(source, "/", datasets);
  Json weightMap = Json::object();
  std::vector<h5::File> shards;
  size_t inShard = 0;
  for (const auto& dataset : datasets) {
    const size_t bytes = size_t(elementCount(source.datasetShape(dataset))) * 4;
    if (shards.empty() || inShard + bytes > maxBytes) {
      char name[40];
      std::snprintf(name, sizeof name, "model_%05zu.weights.h5", shards.size());
      shards.push_back(h5::File::create((folder / name).string()));
      inShard = 0;
    }
    inShard += bytes;
    h5::File& shard = shards.back();
    const std::string group = dataset.substr(0, dataset.rfind('/'));
    if (!shard.exists(group)) shard.createGroup(group);
    EXPECT_GE(H5Ocopy(source.id(), dataset.c_str(), shard.id(), dataset.c_str(), H5P_DEFAULT,
                      H5P_DEFAULT),
              0)
        << dataset;
    const std::string shardName = std::filesystem::path(shard.path()).filename().string();
    Json& entry = weightMap[group];
    if (entry.is_null())
      entry = shardName;
    else if (entry.is_string() && entry != shardName)
      entry = Json::array({entry, shardName});
    else if (entry.is_array() && entry.back() != shardName)
      entry.push_back(shardName);
  }
  for (auto& shard : shards) shard.close();
  const std::string index = (folder / "model.weights.json").string();
  std::ofstream(index) << Json{{"metadata", {{"total_size", 0}}}, {"weight_map", weightMap}};
  return index;
}

// Keras's sharded save (save_weights("x.weights.json", max_shard_size=...)) is read through its
// index: every layer gets the weights the single file gives, including a layer whose variables
// were split over two shards, in a model with nested models.
TEST(Keras3Weights, AShardedSaveReadsAsTheSingleFile) {
  GRAFT_REQUIRE_FIXTURE(path, kTeachable);
  LoadedModel original = load(path);
  // Weights the model file itself does not hold, so that they can only come from the shards.
  for (const auto& layer : original.model.weights.layers()) {
    std::vector<WeightTensor> tensors = *original.model.weights.find(layer);
    for (auto& tensor : tensors) {
      auto changed = std::make_shared<std::vector<float>>(*tensor.data);
      for (float& v : *changed) v = v * 0.5f + 0.25f;
      tensor.data = changed;
    }
    original.model.weights.set(layer, std::move(tensors));
  }
  TempDir dir;
  const std::string single = dir.file("single.weights.h5");
  saveKeras3Weights(original.model, single);
  std::filesystem::create_directory(dir.path() / "shards");
  const std::string index = shardAsKerasDoes(single, dir.path() / "shards", 300 * 1024);
  const Json weightMap = readJsonFile(index, "index")["weight_map"];
  size_t splitGroups = 0;
  for (const auto& [group, shards] : weightMap.items()) splitGroups += shards.is_array();
  ASSERT_GT(splitGroups, 0u) << "no layer's variables were split over two shards: " << weightMap;

  const LoadedModel fromSingle = load(path, single);
  const LoadedModel fromShards = load(path, index);
  size_t compared = 0;
  for (const auto& layer : fromSingle.model.weights.layers()) {
    const std::vector<WeightTensor>& tensors = *fromSingle.model.weights.find(layer);
    const auto* sharded = fromShards.model.weights.find(layer);
    ASSERT_TRUE(sharded) << layer;
    ASSERT_EQ(sharded->size(), tensors.size()) << layer;
    for (size_t i = 0; i < tensors.size(); ++i, ++compared)
      EXPECT_EQ(values(sharded->at(i)), values(tensors[i])) << layer << " " << i;
  }
  EXPECT_GT(compared, 200u);
  EXPECT_EQ(values(fromShards.model.weights.find("Conv1")->at(0)),
            values(original.model.weights.find("Conv1")->at(0)));

  // Keras 3.10's index named only the first shard of each group: a shard holding nothing but
  // the rest of a group's variables was named nowhere. It is found by its number.
  Json firstOnly = readJsonFile(index, "index");
  std::string lastShard;
  for (auto& [group, shards] : firstOnly["weight_map"].items()) {
    lastShard = std::max(lastShard, shards.is_array() ? shards.back().get<std::string>()
                                                      : shards.get<std::string>());
    if (shards.is_array()) shards = shards.front();
  }
  for (auto it = firstOnly["weight_map"].begin(); it != firstOnly["weight_map"].end();)
    it = *it == lastShard ? firstOnly["weight_map"].erase(it) : std::next(it);
  std::ofstream(index) << firstOnly;
  ASSERT_EQ(readJsonFile(index, "index").dump().find(lastShard), std::string::npos);
  const LoadedModel fromUnnamed = load(path, index);
  for (const auto& layer : fromSingle.model.weights.layers())
    for (size_t i = 0; i < fromSingle.model.weights.find(layer)->size(); ++i)
      EXPECT_EQ(values(fromUnnamed.model.weights.find(layer)->at(i)),
                values(fromSingle.model.weights.find(layer)->at(i)))
          << layer << " " << i;

  // A shard gone is named, and where it was looked for.
  std::filesystem::remove(dir.path() / "shards" / "model_00001.weights.h5");
  try {
    load(path, index);
    FAIL() << "a missing shard was not noticed";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(index +
                                         ": the shard model_00001.weights.h5 it names is "
                                         "not in " +
                                         (dir.path() / "shards").string()),
              std::string::npos)
        << e.what();
  }
}

// An index is read as one, never as a way to reach other files.
TEST(Keras3Weights, AShardIndexNamesOnlyFilesBesideIt) {
  TempDir dir;
  std::ofstream(dir.file("model.json")) << R"([{"class_name": "Flatten", "config": {"name": "f",
                                "batch_input_shape": [null, 8, 8, 3]}}])";
  const auto refused = [&](const std::string& index, const std::string& expected) {
    std::ofstream(dir.file("model.weights.json")) << index;
    try {
      load(dir.file("model.json"), dir.file("model.weights.json"));
      ADD_FAILURE() << "accepted: " << index;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(expected), std::string::npos) << e.what();
    }
  };
  refused(R"({"weight_map": {"/vars": "../model_00000.weights.h5"}})",
          "names '../model_00000.weights.h5', not a file beside the index");
  refused(R"({"weight_map": {"/vars": ["/etc/passwd"]}})", "not a file beside the index");
  refused(R"({"weight_map": {"/vars": 3}})", "weight_map['/vars'] is not a shard file name");
  refused(R"({"weight_map": {}})", "its weight_map names no shard files");
  refused(R"({"weight_map": {"/vars": "model_00000.weights.h5"}})",
          "the shard model_00000.weights.h5 it names is not in " + dir.path().string());
  // Opened as the model, it is said to be the weights.
  try {
    load(dir.file("model.weights.json"));
    ADD_FAILURE() << "an index opened as a model";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("a sharded weights index (Keras's save_weights with "
                                         "max_shard_size), not a model"),
              std::string::npos)
        << e.what();
  }
}

// A model that resizes its images before it scales them scales its own pixels all the same.
TEST(Preprocessing, AResizeBeforeTheModelsRescalingIsSeenThrough) {
  TempDir dir;
  std::ofstream(dir.file("model.json")) << R"([
      {"class_name": "Resizing", "config": {"name": "resize", "height": 6, "width": 6,
                                            "batch_input_shape": [null, 8, 8, 3]}},
      {"class_name": "Rescaling", "config": {"name": "scale", "scale": 0.00392156862745098}},
      {"class_name": "Flatten", "config": {"name": "f"}}])";
  const LoadedModel loaded = load(dir.file("model.json"));
  EXPECT_EQ(loaded.model.preprocessing, Preprocessing::None);
  bool said = false;
  for (const auto& note : loaded.notes)
    said = said || note.find("own Rescaling layer 'scale'") != std::string::npos;
  EXPECT_TRUE(said) << ::testing::PrintToString(loaded.notes);
  EXPECT_EQ(loaded.model.graph.at("resize").className, "Resizing");
}

// A Keras file records no preprocessing: what Graft assumes is said, with the flag to change it.
TEST(Preprocessing, ChosenFromTheModelAndSaid) {
  TempDir dir;
  auto loadJson = [&](const std::string& first) {
    const auto path = dir.path() / "model.json";
    std::ofstream(path) << R"([{"class_name": ")" + first +
                               R"(", "config": {"name": "first", "scale": 0.00392156862745098,
                                  "batch_input_shape": [null, 8, 8, 3]}},
                            {"class_name": "Flatten", "config": {"name": "f"}}])";
    return load(path.string());
  };
  auto noteWith = [](const LoadedModel& m, const std::string& text) {
    for (const auto& note : m.notes)
      if (note.find(text) != std::string::npos) return true;
    return false;
  };
  const LoadedModel scaling = loadJson("Rescaling");
  EXPECT_EQ(scaling.model.preprocessing, Preprocessing::None);
  EXPECT_TRUE(noteWith(scaling, "own Rescaling layer 'first'"));
  // Asked for 'unit' (Graft's own advice for other models) on such a model: as asked, and said
  // that the pixels are scaled twice.
  ModelSpec asked;
  asked.source = (dir.path() / "model.json").string();
  asked.preprocessing = "unit";
  const LoadedModel twice = loadModel(asked);
  EXPECT_EQ(twice.model.preprocessing, Preprocessing::Unit);
  EXPECT_TRUE(noteWith(twice, "they are scaled twice"));
  asked.preprocessing = "none";
  EXPECT_FALSE(noteWith(loadModel(asked), "scaled twice"));
  // Without a scaling layer or a known base: raw pixels, and the note names the flag.
  const std::string plain = R"([{"class_name": "Flatten", "config": {"name": "f",
                                "batch_input_shape": [null, 8, 8, 3]}}])";
  std::ofstream(dir.path() / "plain.json") << plain;
  const LoadedModel raw = load((dir.path() / "plain.json").string());
  EXPECT_EQ(raw.model.preprocessing, Preprocessing::None);
  EXPECT_TRUE(noteWith(raw, "--preprocessing unit"));
  // `preprocess_input(inputs)` inside the model (tf.keras saves x / 127.5 - 1 as TFOpLambda
  // layers), after a noise layer, before MobileNetV2's layers: the model scales its own pixels,
  // so the family's 'tf' would scale them twice.
  const std::string ownTf = R"({"class_name": "Functional", "config": {"name": "m", "layers": [
    {"class_name": "InputLayer", "config": {"batch_input_shape": [null, 8, 8, 3], "name": "in"}, "name": "in", "inbound_nodes": []},
    {"class_name": "GaussianNoise", "config": {"name": "noise", "stddev": 0.1}, "name": "noise", "inbound_nodes": [[["in", 0, 0, {}]]]},
    {"class_name": "TFOpLambda", "config": {"name": "tf.math.truediv", "function": "math.truediv"}, "name": "tf.math.truediv", "inbound_nodes": [["noise", 0, 0, {"y": 127.5, "name": null}]]},
    {"class_name": "TFOpLambda", "config": {"name": "tf.math.subtract", "function": "math.subtract"}, "name": "tf.math.subtract", "inbound_nodes": [["tf.math.truediv", 0, 0, {"y": 1.0, "name": null}]]},
    {"class_name": "Conv2D", "config": {"name": "Conv1", "filters": 2, "kernel_size": [1, 1]}, "name": "Conv1", "inbound_nodes": [[["tf.math.subtract", 0, 0, {}]]]},
    {"class_name": "Conv2D", "config": {"name": "expanded_conv_depthwise", "filters": 2, "kernel_size": [1, 1]}, "name": "expanded_conv_depthwise", "inbound_nodes": [[["Conv1", 0, 0, {}]]]},
    {"class_name": "Conv2D", "config": {"name": "block_1_expand", "filters": 2, "kernel_size": [1, 1]}, "name": "block_1_expand", "inbound_nodes": [[["expanded_conv_depthwise", 0, 0, {}]]]}],
    "input_layers": [["in", 0, 0]], "output_layers": [["block_1_expand", 0, 0]]}})";
  std::ofstream(dir.path() / "own_tf.json") << ownTf;
  const LoadedModel own = load((dir.path() / "own_tf.json").string());
  EXPECT_EQ(own.model.preprocessing, Preprocessing::None);
  EXPECT_TRUE(noteWith(own, "own arithmetic 'tf.math.truediv'"));
  // Without its own scaling, the same layers take MobileNetV2's 'tf'.
  Json scaled = Json::parse(ownTf);
  scaled["config"]["layers"][4]["inbound_nodes"] = Json::parse(R"([[["noise", 0, 0, {}]]])");
  scaled["config"]["layers"].erase(3);
  scaled["config"]["layers"].erase(2);
  std::ofstream(dir.path() / "family.json") << scaled.dump();
  EXPECT_EQ(load((dir.path() / "family.json").string()).model.preprocessing, Preprocessing::Tf);
  // An input that feeds its own Rescaling and another branch still scales its own pixels.
  Json branching = Json::parse(ownTf);
  branching["config"]["layers"][1] = Json::parse(
      R"({"class_name": "Rescaling", "config": {"name": "scale", "scale": 0.0078125, "offset": -1.0}, "name": "scale", "inbound_nodes": [[["in", 0, 0, {}]]]})");
  branching["config"]["layers"][2]["inbound_nodes"] =
      Json::parse(R"([["in", 0, 0, {"y": 127.5, "name": null}]])");
  branching["config"]["layers"][4]["inbound_nodes"] = Json::parse(R"([[["scale", 0, 0, {}]]])");
  branching["config"]["layers"].erase(3);
  branching["config"]["output_layers"] =
      Json::parse(R"([["block_1_expand", 0, 0], ["tf.math.truediv", 0, 0]])");
  std::ofstream(dir.path() / "branching.json") << branching.dump();
  const LoadedModel twoBranches = load((dir.path() / "branching.json").string());
  EXPECT_EQ(twoBranches.model.preprocessing, Preprocessing::None);
  // An explicit choice wins and nothing is assumed.
  ModelSpec spec;
  spec.source = (dir.path() / "plain.json").string();
  spec.preprocessing = "tf";
  const LoadedModel chosen = loadModel(spec);
  EXPECT_EQ(chosen.model.preprocessing, Preprocessing::Tf);
  EXPECT_FALSE(noteWith(chosen, "preprocessing:"));
}

TEST(OlderKerasForms, BareListSequentialWithoutInputLayerAndModelClass) {
  // Keras 2.0-2.2: a Sequential config that is the list itself, the input shape on the first
  // layer; "class_name": "Model" for functional models.
  const Graph bare = graphFromKerasJsonText(R"([
    {"class_name": "Conv2D", "config": {"name": "c", "filters": 2, "kernel_size": 3,
                                        "batch_input_shape": [null, 6, 6, 1]}},
    {"class_name": "Flatten", "config": {"name": "f"}},
    {"class_name": "Dropout", "config": {"name": "d", "rate": 0.5, "noise_shape": null}},
    {"class_name": "Dense", "config": {"name": "o", "units": 2}}])");
  EXPECT_EQ(bare.size(), 5u);
  EXPECT_EQ(bare.nodes()[0].className, "InputLayer");
  EXPECT_EQ(analyzeOrThrow(bare).totalParams, 2 * 9 + 2 + 32 * 2 + 2);
  const Graph model = graphFromKerasJsonText(R"({"class_name": "Model", "config": {
    "name": "m", "layers": [
      {"class_name": "InputLayer", "name": "in", "config": {"batch_input_shape": [null, 4, 4, 2]},
       "inbound_nodes": []},
      {"class_name": "BatchNormalization", "name": "bn", "config": {"axis": [3]},
       "inbound_nodes": [[["in", 0, 0, {}]]]}],
    "input_layers": [["in", 0, 0]], "output_layers": [["bn", 0, 0]]}})");
  EXPECT_EQ(analyzeOrThrow(model).totalParams, 8);
}

// A RandomCrop(8, 8) on 12 x 12 images as the .keras archive's metadata.json says which Keras
// saved it: Keras 3.8+ passes the images unchanged (the pooling after it sees 12 x 12), 3.6 and
// 3.7 take rows and columns 0..7 (the corner of the centred 12 x 12 box; a 6 x 6 image whole,
// stretched to 8 x 8), 3.5 resizes the centre; the loader says which.
TEST(KerasVersion, RandomCropOfAnotherSizeIsReadAsItsKerasComputesIt) {
  const auto config = [](int size) {
    return R"({"class_name": "Sequential", "config": {"name": "s", "layers": [
    {"class_name": "InputLayer", "config": {"name": "in", "batch_input_shape": [null, )" +
           std::to_string(size) + ", " + std::to_string(size) + R"(, 3]}},
    {"class_name": "RandomCrop", "config": {"name": "crop", "height": 8, "width": 8, "seed": 1}},
    {"class_name": "GlobalAveragePooling2D", "config": {"name": "gap"}}]}})";
  };
  TempDir dir;
  const auto loadAt = [&](const std::string& version, int size) {
    const std::string archive = dir.file("crop_" + version + "_" + std::to_string(size) + ".keras");
    writeKerasArchive(archive, config(size), version);
    return load(archive);
  };
  const auto joined = [](const LoadedModel& m) {
    std::string all;
    for (const auto& note : m.notes) all += note + "\n";
    return all;
  };
  const LoadedModel unchanged = loadAt("3.8.0", 12);
  EXPECT_EQ(unchanged.model.graph.at("crop").className, "RandomCrop");
  EXPECT_EQ(analyzeOrThrow(unchanged.model.graph).find("crop")->outputShape,
            (Shape{kUnknown, 12, 12, 3}));
  EXPECT_NE(joined(unchanged).find("RandomCrop 'crop' passes images unchanged: outside training "
                                   "Keras 3.8.0 does not crop"),
            std::string::npos)
      << joined(unchanged);
  const LoadedModel corner = loadAt("3.7.0", 12);
  EXPECT_EQ(corner.model.graph.at("crop").className, "Cropping2D");
  EXPECT_EQ(corner.model.graph.at("crop").config.at("cropping"), Json::parse("[[0, 4], [0, 4]]"));
  EXPECT_NE(joined(corner).find("RandomCrop 'crop' is read as Cropping2D"), std::string::npos);
  const LoadedModel resized = loadAt("3.5.0", 12);
  EXPECT_EQ(resized.model.graph.at("crop").className, "Resizing");
  EXPECT_NE(
      joined(resized).find("RandomCrop 'crop' is read as Resizing(crop_to_aspect_ratio=True)"),
      std::string::npos);
  // At its own size: a plain RandomCrop, nothing said.
  EXPECT_EQ(joined(loadAt("3.8.0", 8)).find("RandomCrop"), std::string::npos);
  // A smaller image: the whole of it stretched to 8 x 8, as Keras 3.7 does.
  const LoadedModel stretched = loadAt("3.7.0", 6);
  EXPECT_EQ(stretched.model.graph.at("crop").className, "Resizing");
  EXPECT_EQ(analyzeOrThrow(stretched.model.graph).find("crop")->outputShape,
            (Shape{kUnknown, 8, 8, 3}));
  EXPECT_NE(joined(stretched).find("RandomCrop 'crop' is read as Resizing (bilinear)"),
            std::string::npos)
      << joined(stretched);
  // Read as Cropping2D, the crop still leaves the pixels as they are: the model's Rescaling after
  // it is its own scaling (it was missed, and a known base's preprocessing scaled them twice).
  Json scaled = Json::parse(config(12));
  scaled["config"]["layers"].insert(
      scaled["config"]["layers"].begin() + 2,
      Json::parse(R"({"class_name": "Rescaling", "config": {"name": "scale", "scale": 0.5}})"));
  const std::string archive = dir.file("crop_scaled_3.7.0.keras");
  writeKerasArchive(archive, scaled.dump(), "3.7.0");
  const LoadedModel cropThenScale = load(archive);
  EXPECT_EQ(cropThenScale.model.graph.at("crop").className, "Cropping2D");
  EXPECT_EQ(cropThenScale.model.preprocessing, Preprocessing::None);
  EXPECT_NE(joined(cropThenScale).find("own Rescaling layer 'scale'"), std::string::npos)
      << joined(cropThenScale);
}

// "hard_sigmoid" in a config is Keras 3's relu6(x + 3) / 6 when Keras 3 wrote the file (a
// .keras archive's metadata.json, an HDF5 file's keras_version), Keras 2's clip(0.2 x + 0.5)
// otherwise: the same config read both ways.
TEST(KerasVersion, HardSigmoidMeansWhatTheWritingKerasMeant) {
  const std::string config = R"({"class_name": "Functional", "config": {"name": "m", "layers": [
    {"class_name": "InputLayer", "config": {"batch_input_shape": [null, 4], "name": "in"}, "name": "in", "inbound_nodes": []},
    {"class_name": "Dense", "config": {"name": "d", "units": 3, "activation": "hard_sigmoid"}, "name": "d", "inbound_nodes": [[["in", 0, 0, {}]]]},
    {"class_name": "Activation", "config": {"name": "a", "activation": "hard_sigmoid"}, "name": "a", "inbound_nodes": [[["d", 0, 0, {}]]]}],
    "input_layers": [["in", 0, 0]], "output_layers": [["a", 0, 0]]}})";
  TempDir dir;
  for (const auto& [version, expected] : std::vector<std::pair<std::string, std::string>>{
           {"3.1.1", "hard_sigmoid_keras3"}, {"2.15.0", "hard_sigmoid"}}) {
    SCOPED_TRACE(version);
    const std::string h5 = dir.file("model_" + version + ".h5");
    KerasFileOptions options;
    options.modelConfig = config;
    options.kerasVersion = version;
    writeKerasWeights(
        h5, {{"in", {}}, {"d", {{"kernel", ramp({4, 3}, 0)}, {"bias", ramp({3}, 1)}}}, {"a", {}}},
        options);
    EXPECT_EQ(load(h5).model.graph.at("a").config.at("activation"), expected);

    // The archive holds no weights member: the .h5's weights are given with it.
    const std::string archive = dir.file("model_" + version + ".keras");
    writeKerasArchive(archive, config, version);
    const LoadedModel fromArchive = load(archive, h5);
    EXPECT_EQ(fromArchive.model.graph.at("d").config.at("activation"), expected);
    EXPECT_EQ(fromArchive.model.graph.at("a").config.at("activation"), expected);
  }
  // A model_config JSON: Keras 2's to_json says its version; Keras 3's form says Keras 3.
  EXPECT_EQ(graphFromKerasJsonText(config).at("a").config.at("activation"), "hard_sigmoid");
  Json withVersion = Json::parse(config);
  withVersion["keras_version"] = "3.0.0";
  EXPECT_EQ(graphFromKerasJson(withVersion).at("a").config.at("activation"), "hard_sigmoid_keras3");
  const std::string keras3Form =
      R"({"module": "keras", "class_name": "Functional", "config": {"name": "m", "layers": [
    {"module": "keras.layers", "class_name": "InputLayer", "config": {"batch_shape": [null, 4], "name": "in"}, "name": "in", "inbound_nodes": []},
    {"module": "keras.layers", "class_name": "Activation", "config": {"name": "a", "activation": "hard_sigmoid"}, "name": "a", "inbound_nodes": [{"args": [{"class_name": "__keras_tensor__", "config": {"keras_history": ["in", 0, 0]}}], "kwargs": {}}]}],
    "input_layers": [["in", 0, 0]], "output_layers": [["a", 0, 0]]}})";
  EXPECT_EQ(graphFromKerasJsonText(keras3Form).at("a").config.at("activation"),
            "hard_sigmoid_keras3");
  // The file's own statement wins over the form.
  EXPECT_EQ(graphFromKerasJsonText(keras3Form, LayerRegistry::standard(), "2.15.0")
                .at("a")
                .config.at("activation"),
            "hard_sigmoid");
  // Saved in a project and read back: the Keras 3 function stays Keras 3's.
  LoadedModel k3 = load(dir.file("model_3.1.1.keras"), dir.file("model_3.1.1.h5"));
  const std::string project = dir.file("k3.graft");
  saveProject(k3.model, project);
  EXPECT_EQ(loadProject(project).graph.at("a").config.at("activation"), "hard_sigmoid_keras3");
}

// The layer types added for #19 part 3 in Keras 3's serialization: Normalization's axis a tuple,
// Conv2DTranspose without output_padding unless set (Keras 3's get_config drops it; __init__
// takes it), CustomScaleLayer found by its module, Keras 3's hard_sigmoid under its own name;
// TFOpLambda and Keras 2's hard_sigmoid refused with the reason. Read back to the same graph;
// Normalization's count stored as an integer, as Keras 3 stores it.
TEST(Keras3ConfigExport, NewLayerTypesAsKeras3WritesThem) {
  GraphBuilder b("model");
  std::string x = b.input("input_layer", {kUnknown, 8, 8, 3});
  x = b.add("Normalization", "normalization", {{"axis", -1}}, x);
  x = b.add(
      "Conv2D", "conv",
      {{"filters", 4}, {"strides", 2}, {"padding", "same"}, {"activation", "hard_sigmoid_keras3"}},
      x);
  const std::string up =
      b.add("Conv2DTranspose", "up", {{"filters", 4}, {"strides", 2}, {"output_padding", 1}}, x);
  const std::string up2 = b.add("Conv2DTranspose", "up2", {{"filters", 4}, {"kernel_size", 1}}, up);
  x = b.add("CustomScaleLayer", "scale", {{"scale", 0.17}}, std::vector<std::string>{up, up2});
  x = b.add("GlobalAveragePooling2D", "gap", Json::object(), x);
  x = b.add("RepeatVector", "repeat", {{"n", 2}}, x);
  const Graph g = b.build({x});
  const GraphAnalysis a = analyzeOrThrow(g);
  EXPECT_TRUE(keras3Refusals(g).empty());
  const Json model = keras3ModelJson(g, a);
  std::map<std::string, Json> layers;
  for (const auto& l : model["config"]["layers"]) layers[l["name"].get<std::string>()] = l;
  EXPECT_EQ(layers["normalization"]["config"]["axis"], Json::array({-1}));
  EXPECT_TRUE(layers["normalization"]["config"]["mean"].is_null());
  EXPECT_TRUE(layers["normalization"].contains("build_config"));
  EXPECT_EQ(layers["conv"]["config"]["activation"], "hard_sigmoid");
  EXPECT_EQ(layers["up"]["config"]["output_padding"], Json::array({1, 1}));
  EXPECT_FALSE(layers["up2"]["config"].contains("output_padding"));
  EXPECT_EQ(layers["scale"]["module"], "keras.src.applications.inception_resnet_v2");
  EXPECT_EQ(layers["scale"]["registered_name"], "CustomScaleLayer");
  EXPECT_EQ(layers["scale"]["inbound_nodes"][0]["args"][0].size(), 2u);  // called on a list
  EXPECT_EQ(layers["repeat"]["config"]["n"], 2);
  const Graph back = graphFromKerasJson(model, LayerRegistry::standard(), kKeras3WriterVersion);
  EXPECT_EQ(back.at("conv").config.at("activation"), "hard_sigmoid_keras3");
  EXPECT_EQ(back.at("scale").className, "CustomScaleLayer");
  EXPECT_EQ(analyzeOrThrow(back).totalParams, a.totalParams);

  Model m;
  m.graph = g;
  initializeWeights(m.graph, a, m.weights, 1);
  TempDir dir;
  saveKeras3Weights(m, dir.file("w.weights.h5"));
  const hid_t file = H5Fopen(dir.file("w.weights.h5").c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  ASSERT_GE(file, 0);
  const hid_t count = H5Dopen2(file, "/layers/normalization/vars/2", H5P_DEFAULT);
  ASSERT_GE(count, 0);
  const hid_t type = H5Dget_type(count);
  EXPECT_EQ(H5Tget_class(type), H5T_INTEGER);
  EXPECT_EQ(H5Tget_size(type), 8u);
  H5Tclose(type);
  H5Dclose(count);
  H5Fclose(file);

  GraphBuilder c("model");
  std::string y = c.input("input_layer", {kUnknown, 4});
  y = c.add("TFOpLambda", "tf.math.multiply",
            {{"function", "math.multiply"}, {"operands", {nullptr, 2.0}}}, y);
  y = c.add("Dense", "d", {{"units", 2}, {"activation", "hard_sigmoid"}}, y);
  const Diagnostics refused = keras3Refusals(c.build({y}));
  ASSERT_EQ(refused.size(), 1u);
  EXPECT_EQ(refused[0].subject, "d");
  EXPECT_NE(refused[0].message.find("relu6(x + 3) / 6"), std::string::npos);

  // tf.keras 2's names with '/' (MobilenetV1/Logits): Keras 3 refuses them when it builds the
  // layer, so the .keras file would not load there.
  GraphBuilder named("model");
  std::string z = named.input("input_layer", {kUnknown, 4});
  z = named.add("Dense", "MobilenetV1/Logits", {{"units", 2}}, z);
  const Diagnostics slash = keras3Refusals(named.build({z}));
  ASSERT_EQ(slash.size(), 1u);
  EXPECT_EQ(slash[0].subject, "MobilenetV1/Logits");
  EXPECT_NE(slash[0].message.find("rename the layer first"), std::string::npos);
}

// A TFOpLambda is written as the Keras 3 operation computing it, as Keras 3 records `x + 3.0`
// and `x * (1 / 6)` ({"module": "keras.src.ops.numpy", "class_name": "Add"}, the constant among
// the call's args; activations from keras.src.ops.nn), and reads back to the same functions.
TEST(Keras3ConfigExport, TfOpLambdaAsKeras3Operations) {
  GraphBuilder b("sequential_ops");  // a Sequential's name: an operation still needs a functional
  std::string x = b.input("input_layer", {kUnknown, 4, 4, 3});
  x = b.add("TFOpLambda", "tf.__operators__.add",
            {{"function", "__operators__.add"}, {"operands", {nullptr, 3.0}}}, x);
  x = b.add("TFOpLambda", "tf.nn.relu6", {{"function", "nn.relu6"}, {"operands", {nullptr}}}, x);
  x = b.add("TFOpLambda", "tf.math.subtract",
            {{"function", "math.subtract"}, {"operands", {1.0, nullptr}}}, x);
  const Graph g = b.build({x});
  EXPECT_TRUE(keras3Refusals(g).empty());
  EXPECT_FALSE(keras3SavesAsSequential(g));
  const Json model = keras3ModelJson(g, analyzeOrThrow(g));
  std::map<std::string, Json> layers;
  for (const auto& l : model["config"]["layers"]) layers[l["name"].get<std::string>()] = l;
  const Json& add = layers["tf.__operators__.add"];
  EXPECT_EQ(add["module"], "keras.src.ops.numpy");
  EXPECT_EQ(add["class_name"], "Add");
  EXPECT_EQ(add["inbound_nodes"][0]["args"][1], 3.0);
  EXPECT_EQ(add["inbound_nodes"][0]["args"][0]["config"]["keras_history"][0], "input_layer");
  EXPECT_EQ(layers["tf.nn.relu6"]["module"], "keras.src.ops.nn");
  EXPECT_EQ(layers["tf.nn.relu6"]["class_name"], "Relu6");
  EXPECT_EQ(layers["tf.math.subtract"]["inbound_nodes"][0]["args"][0], 1.0);
  const Graph back = graphFromKerasJson(model, LayerRegistry::standard(), kKeras3WriterVersion);
  EXPECT_EQ(back.at("tf.__operators__.add").config.at("operands"), Json::array({nullptr, 3.0}));
  EXPECT_EQ(back.at("tf.nn.relu6").config.at("function"), "nn.relu6");
  EXPECT_EQ(back.at("tf.math.subtract").config.at("operands"), Json::array({1.0, nullptr}));
}

}  // namespace
}  // namespace graft::test
