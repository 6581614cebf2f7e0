// The HDF5 layer writes and reads back the attribute and dataset forms Keras uses.
#include <gtest/gtest.h>
#include <hdf5.h>

#include <cstdint>
#include <string>

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

// Keras 3 saves bfloat16 variables as 2-byte opaque data tagged dtype="bfloat16" (h5py has no
// bfloat16 type): read as the float32 numbers they are ("is not numeric" refused a bf16 run).
TEST(Hdf5File, Keras3BFloat16VariablesAreRead) {
  test::TempDir dir;
  const std::string path = dir.file("bf16.h5");
  {
    const hid_t file = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    const hsize_t dims[1] = {3};
    const hid_t space = H5Screate_simple(1, dims, nullptr);
    const hid_t opaque = H5Tcreate(H5T_OPAQUE, 2);
    H5Tset_tag(opaque, "");
    // 1.5, -2.0, 0.15625 (exact in bfloat16): the upper 16 bits of their float32s.
    const uint16_t halves[3] = {0x3FC0, 0xC000, 0x3E20};
    for (const char* name : {"tagged", "untagged"}) {
      const hid_t ds = H5Dcreate2(file, name, opaque, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
      H5Dwrite(ds, opaque, H5S_ALL, H5S_ALL, H5P_DEFAULT, halves);
      if (std::string(name) == "tagged") {
        const hid_t text = H5Tcopy(H5T_C_S1);
        H5Tset_size(text, 8);
        const hid_t scalar = H5Screate(H5S_SCALAR);
        const hid_t attr = H5Acreate2(ds, "dtype", text, scalar, H5P_DEFAULT, H5P_DEFAULT);
        H5Awrite(attr, text, "bfloat16");
        H5Aclose(attr);
        H5Sclose(scalar);
        H5Tclose(text);
      }
      H5Dclose(ds);
    }
    H5Tclose(opaque);
    H5Sclose(space);
    H5Fclose(file);
  }
  const h5::File file = h5::File::openReadOnly(path);
  float values[3] = {};
  file.readFloats("tagged", values, 3);
  EXPECT_EQ(values[0], 1.5f);
  EXPECT_EQ(values[1], -2.0f);
  EXPECT_EQ(values[2], 0.15625f);
  // Opaque bytes that say nothing of what they are stay refused, saying what they are.
  try {
    file.readFloats("untagged", values, 3);
    FAIL() << "untagged opaque data read as numbers";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("2-byte opaque data"), std::string::npos) << e.what();
  }
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
