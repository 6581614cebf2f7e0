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

// HDF5 keeps an attribute in its object's 64 KiB header: a longer list (many layers with long
// names) is split as Keras splits it, name0, name1, ... of numpy.array_split's sizes.
TEST(Hdf5File, ListsBeyondAnObjectHeaderAreSplitAsKerasSplitsThem) {
  test::TempDir dir;
  const std::string path = dir.file("long.h5");
  std::vector<std::string> names;
  for (int i = 0; i < 301; ++i) names.push_back(std::to_string(i) + std::string(397, 'x'));
  names.back() += "y";  // the widest entry sets every entry's width: 400 bytes
  {
    auto f = h5::File::create(path);
    auto root = f.openGroup("/");
    f.writeStringList(root.get(), "layer_names", names);
    f.writeStringList(root.get(), "short", {"a", "b"});
    try {
      f.writeStringList(root.get(), "huge", {std::string(70000, 'z')});
      FAIL() << "an entry longer than an attribute may be was written";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("cannot write attribute 'huge'"), std::string::npos)
          << e.what();
    }
  }
  auto f = h5::File::openReadOnly(path);
  auto root = f.openGroup("/");
  // 301 x 400 bytes: two parts would hold 151 x 400 = 60400 <= 64512.
  EXPECT_FALSE(f.hasAttribute(root.get(), "layer_names"));
  EXPECT_TRUE(f.hasAttribute(root.get(), "layer_names0"));
  EXPECT_TRUE(f.hasAttribute(root.get(), "layer_names1"));
  EXPECT_FALSE(f.hasAttribute(root.get(), "layer_names2"));
  EXPECT_EQ(*f.stringList(root.get(), "layer_names"), names);
  EXPECT_EQ(*f.stringList(root.get(), "short"), (std::vector<std::string>{"a", "b"}));
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
