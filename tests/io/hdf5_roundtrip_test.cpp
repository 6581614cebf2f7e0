// The HDF5 layer writes and reads back the attribute and dataset forms Keras uses.
#include <gtest/gtest.h>

#include "graph/diagnostic.h"
#include "io/hdf5_file.h"
#include "support/test_support.h"

namespace graft {
namespace {

TEST(Hdf5File, StringListsSplitAttributesAndFloats) {
  test::TempDir dir;
  const std::string path = dir.file("a.h5");
  {
    auto f = h5::File::create(path);
    auto root = f.openGroup("/");
    f.writeStringList(root.get(), "names", {"input_1", "block1_conv1"});
    f.writeStringList(root.get(), "split0", {"a", "b"});
    f.writeStringList(root.get(), "split1", {"c"});
    f.writeString(root.get(), "config", "{\"x\": 1}");
    const float values[] = {1, 2, 3, 4, 5, 6};
    f.writeFloats("/layer/layer/kernel:0", {2, 3}, values);
  }
  auto f = h5::File::openReadOnly(path);
  auto root = f.openGroup("/");
  EXPECT_EQ(*f.stringList(root.get(), "names"),
            (std::vector<std::string>{"input_1", "block1_conv1"}));
  EXPECT_EQ(*f.stringList(root.get(), "split"), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(*f.string(root.get(), "config"), "{\"x\": 1}");
  EXPECT_FALSE(f.stringList(root.get(), "absent").has_value());
  EXPECT_EQ(f.datasetShape("/layer/layer/kernel:0"), (Shape{2, 3}));
  std::vector<float> back(6);
  f.readFloats("/layer/layer/kernel:0", back.data(), back.size());
  EXPECT_EQ(back, (std::vector<float>{1, 2, 3, 4, 5, 6}));
  EXPECT_TRUE(f.exists("layer/layer"));
  EXPECT_FALSE(f.exists("layer/other"));
}

TEST(Hdf5File, NonHdf5AndMissingFilesAreNamed) {
  test::TempDir dir;
  const std::string text = dir.file("notes.h5");
  FILE* out = fopen(text.c_str(), "w");
  fputs("not hdf5 at all", out);
  fclose(out);
  try {
    h5::File::openReadOnly(text);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), text + ": not an HDF5 file (expected a Keras .h5 file)");
  }
  EXPECT_THROW(h5::File::openReadOnly(dir.file("missing.h5")), Error);
}

}  // namespace
}  // namespace graft
