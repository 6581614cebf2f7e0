// Hostile and broken files (issue #10): inputs that once crashed a loader or read past a buffer
// (found by the fuzzers in tests/fuzz or by review) must be refused with a graft::Error naming
// the file. Under the asan preset an out-of-bounds read or write here is a failure too.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "graph/diagnostic.h"
#include "io/hdf5_file.h"
#include "io/model_source.h"
#include "io/project_file.h"
#include "io/recipe.h"
#include "support/test_support.h"

namespace graft {
namespace {

using test::TempDir;

// A file with the project version attribute whose /graft_project dataset holds `count` strings,
// fixed-length or variable-length, each a complete JSON document.
void writeProjectWithSeveralDescriptions(const std::string& path, hsize_t count, bool variable) {
  h5::File file = h5::File::create(path);
  h5::Handle root = file.openGroup("/");
  file.writeString(root.get(), "graft_format_version", "1");
  h5::Handle type(H5Tcopy(H5T_C_S1), H5Tclose);
  H5Tset_size(type.get(), variable ? H5T_VARIABLE : 8);
  h5::Handle space(H5Screate_simple(1, &count, nullptr), H5Sclose);
  h5::Handle ds(H5Dcreate2(file.id(), "/graft_project", type.get(), space.get(), H5P_DEFAULT,
                           H5P_DEFAULT, H5P_DEFAULT),
                H5Dclose);
  ASSERT_TRUE(ds.valid());
  std::vector<char> fixed(static_cast<size_t>(count) * 8, '\0');
  std::vector<const char*> pointers(static_cast<size_t>(count), "{\"a\": 1}");
  for (size_t i = 0; i < count; ++i) std::copy_n("{\"a\":1}", 7, fixed.data() + i * 8);
  const void* data = variable ? static_cast<const void*>(pointers.data()) : fixed.data();
  ASSERT_GE(H5Dwrite(ds.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, data), 0);
}

void expectRefusedAsSeveralStrings(const std::string& path) {
  try {
    loadProject(path);
    FAIL() << "loaded " << path;
  } catch (const Error& e) {
    const std::string message = e.what();
    EXPECT_EQ(message.rfind(path + ": ", 0), 0u) << message;
    EXPECT_NE(message.find("'/graft_project' should hold one string"), std::string::npos)
        << message;
  }
}

// Found by review while writing the fuzzers: the description was read into room for one
// string, so a dataset of 64 fixed-length strings wrote 504 bytes past the buffer.
TEST(HostileFiles, ProjectDescriptionOfSeveralFixedLengthStringsIsRefused) {
  TempDir dir;
  const std::string path = dir.file("several.graft");
  writeProjectWithSeveralDescriptions(path, 64, false);
  expectRefusedAsSeveralStrings(path);
}

TEST(HostileFiles, ProjectDescriptionOfSeveralVariableLengthStringsIsRefused) {
  TempDir dir;
  const std::string path = dir.file("several_vlen.graft");
  writeProjectWithSeveralDescriptions(path, 64, true);
  expectRefusedAsSeveralStrings(path);
}

// A million nested arrays: nlohmann's parser recursed the stack away (SIGSEGV) before the
// depth bound reached recipes, pipelines, plans and project descriptions.
std::string deeplyNested() {
  constexpr size_t depth = 1'000'000;
  return std::string(depth, '[') + std::string(depth, ']');
}

TEST(HostileFiles, DeeplyNestedRecipeIsRefused) {
  TempDir dir;
  const std::string path = dir.file("deep.recipe.json");
  std::ofstream(path) << deeplyNested();
  try {
    readRecipeFile(path);
    FAIL() << "read " << path;
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(path + " is nested more than 128 levels deep"),
              std::string::npos)
        << e.what();
  }
}

TEST(HostileFiles, DeeplyNestedProjectDescriptionIsRefused) {
  TempDir dir;
  const std::string path = dir.file("deep.graft");
  const std::string text = deeplyNested();
  {
    h5::File file = h5::File::create(path);
    h5::Handle root = file.openGroup("/");
    file.writeString(root.get(), "graft_format_version", "1");
    h5::Handle type(H5Tcopy(H5T_C_S1), H5Tclose);
    H5Tset_size(type.get(), text.size());
    h5::Handle space(H5Screate(H5S_SCALAR), H5Sclose);
    h5::Handle ds(H5Dcreate2(file.id(), "/graft_project", type.get(), space.get(), H5P_DEFAULT,
                             H5P_DEFAULT, H5P_DEFAULT),
                  H5Dclose);
    ASSERT_GE(H5Dwrite(ds.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, text.data()), 0);
  }
  try {
    loadProject(path);
    FAIL() << "loaded " << path;
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(path + ": the project description is nested more than"),
              std::string::npos)
        << e.what();
  }
}

// fuzz_recipe's first crash: a number beyond double's range makes nlohmann throw out_of_range
// (not parse_error), which escaped readJsonFile and ended graft-cli with std::terminate.
TEST(HostileFiles, RecipeWithANumberOutOfRangeIsRefused) {
  TempDir dir;
  const std::string path = dir.file("huge.recipe.json");
  std::ofstream(path) << "777777e7000799532897t_rc";
  try {
    readRecipeFile(path);
    FAIL() << "read " << path;
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(path + ": not valid JSON"), std::string::npos) << e.what();
  }
}

// Files fuzz_keras_h5 and fuzz_project found, kept as bytes in tests/fuzz/regressions/: damaged
// object headers on which libhdf5 leaks its cache entries or reads past its own buffer (the
// suppressions in tests/sanitizers/). Each must be refused with a message naming the file.
TEST(HostileFiles, FuzzRegressionFilesAreRefused) {
  const std::filesystem::path dir = test::sourceDir() + "/tests/fuzz/regressions";
  int checked = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    const std::string path = entry.path().string();
    try {
      if (entry.path().extension() == ".graft") {
        loadProject(path);
      } else {
        ModelSpec spec;
        spec.source = path;
        loadModel(spec);
      }
      ADD_FAILURE() << "loaded " << path;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(path + ": "), std::string::npos) << e.what();
    }
    ++checked;
  }
  EXPECT_GE(checked, 4);
}

}  // namespace
}  // namespace graft
