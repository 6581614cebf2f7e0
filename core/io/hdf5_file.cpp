#include "io/hdf5_file.h"

#include "io/hdf5_messages.h"

#include <H5LTpublic.h>

#include <algorithm>
#include <cstdint>
#include <cstring>

#include "graph/diagnostic.h"
#include "graph/limits.h"
#include "io/atomic_file.h"

namespace graft::h5 {
namespace {

// HDF5 prints its error stack to stderr by default; our messages replace it.
template <class F>
auto quiet(F&& f) {
  const QuietErrors guard;
  return f();
}

std::vector<std::string> splitPath(const std::string& path) {
  std::vector<std::string> parts;
  std::string part;
  for (char c : path) {
    if (c == '/') {
      if (!part.empty()) parts.push_back(part);
      part.clear();
    } else {
      part += c;
    }
  }
  if (!part.empty()) parts.push_back(part);
  return parts;
}

}  // namespace

void turnOffLibraryMessages() {
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
}

QuietErrors::QuietErrors() {
  H5Eget_auto2(H5E_DEFAULT, &oldFunc_, &oldData_);
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
}

QuietErrors::~QuietErrors() {
  H5Eset_auto2(H5E_DEFAULT, oldFunc_, oldData_);
}

Handle& Handle::operator=(Handle&& o) noexcept {
  if (this != &o) {
    reset();
    id_ = o.id_;
    closer_ = o.closer_;
    o.id_ = -1;
  }
  return *this;
}

void Handle::reset() {
  if (id_ >= 0 && closer_) quiet([&] { return closer_(id_); });
  id_ = -1;
}

File File::openReadOnly(const std::string& path) {
  File f;
  f.path_ = path;
  htri_t isHdf5 = quiet([&] { return H5Fis_hdf5(path.c_str()); });
  if (isHdf5 < 0) throw Error(path + ": cannot open (missing or unreadable file)");
  if (isHdf5 == 0) throw Error(path + ": not an HDF5 file (expected a Keras .h5 file)");
  hid_t id = quiet([&] { return H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT); });
  if (id < 0) throw Error(path + ": cannot open as HDF5 (the file may be truncated or damaged)");
  f.handle_ = Handle(id, H5Fclose);
  return f;
}

File File::openImage(Image image, const std::string& path) {
  File f;
  f.path_ = path;
  if (image.size < 8 || std::memcmp(image.data, "\x89HDF\r\n\x1a\n", 8) != 0)
    throw Error(path + ": not an HDF5 file");
  // DONT_COPY | DONT_RELEASE: HDF5's core driver reads `image` in place and never frees it; the
  // File keeps the bytes alive (imageOwner_) until the handle is closed. Read-only without
  // OPEN_RW, so HDF5 never writes to them (a mapped file's pages are read-only).
  hid_t id = quiet([&] {
    return H5LTopen_file_image(const_cast<char*>(image.data), image.size,
                               H5LT_FILE_IMAGE_DONT_COPY | H5LT_FILE_IMAGE_DONT_RELEASE);
  });
  if (id < 0) throw Error(path + ": cannot open as HDF5 (the file may be truncated or damaged)");
  f.imageOwner_ = std::move(image.owner);
  f.handle_ = Handle(id, H5Fclose);
  return f;
}

Handle withoutTimes(hid_t propertyClass) {
  Handle plist(H5Pcreate(propertyClass), H5Pclose);
  if (!plist.valid() || H5Pset_obj_track_times(plist.get(), false) < 0)
    return Handle(H5P_DEFAULT, nullptr);
  return plist;
}

File File::create(const std::string& path) {
  File f;
  f.path_ = path;
  const Handle creation = withoutTimes(H5P_FILE_CREATE);
  hid_t id =
      quiet([&] { return H5Fcreate(path.c_str(), H5F_ACC_TRUNC, creation.get(), H5P_DEFAULT); });
  if (id < 0) throw Error(path + ": cannot create file");
  f.handle_ = Handle(id, H5Fclose);
  return f;
}

File File::createInMemory(const std::string& path) {
  // HDF5's core driver without a backing store. HDF5 1.10 cannot recover from a failed write
  // to disk: once a flush fails (a full disk), the file can be neither flushed nor closed, and
  // the library crashes at exit over the dangling ID. Writing the finished image ourselves
  // keeps disk errors ours.
  File f;
  f.path_ = path;
  f.inMemory_ = true;
  Handle access(H5Pcreate(H5P_FILE_ACCESS), H5Pclose);
  constexpr size_t kGrowBy = size_t{16} << 20;
  if (!access.valid() || H5Pset_fapl_core(access.get(), kGrowBy, false) < 0)
    throw Error(path + ": cannot set up an in-memory HDF5 file");
  const Handle creation = withoutTimes(H5P_FILE_CREATE);
  hid_t id =
      quiet([&] { return H5Fcreate(path.c_str(), H5F_ACC_TRUNC, creation.get(), access.get()); });
  if (id < 0) throw Error(path + ": cannot create file");
  f.handle_ = Handle(id, H5Fclose);
  return f;
}

void File::close() {
  if (!handle_.valid()) return;
  if (!inMemory_) {
    handle_.reset();
    return;
  }
  const std::vector<char> image = closeToImage();
  writeBytes(path_, {image.data(), image.size()}, "", "the HDF5 file");
}

std::vector<char> File::closeToImage() {
  if (!inMemory_) throw Error(path_ + ": not an in-memory HDF5 file");
  std::vector<char> image;
  if (quiet([&] { return H5Fflush(id(), H5F_SCOPE_GLOBAL); }) >= 0) {
    const ssize_t size = quiet([&] { return H5Fget_file_image(id(), nullptr, 0); });
    if (size > 0) {
      image.resize(static_cast<size_t>(size));
      if (quiet([&] { return H5Fget_file_image(id(), image.data(), image.size()); }) != size)
        image.clear();
    }
  }
  handle_.reset();  // frees the in-memory file
  if (image.empty()) throw Error(path_ + ": cannot assemble the HDF5 file in memory");
  return image;
}

bool File::exists(const std::string& objectPath) const {
  std::string prefix;
  for (const auto& part : splitPath(objectPath)) {
    prefix += "/" + part;
    htri_t e = quiet([&] { return H5Lexists(id(), prefix.c_str(), H5P_DEFAULT); });
    if (e <= 0) return false;
  }
  return true;
}

Handle File::openGroup(const std::string& groupPath) const {
  hid_t g = quiet([&] { return H5Gopen2(id(), groupPath.c_str(), H5P_DEFAULT); });
  if (g < 0) throw Error(path_ + ": group '" + groupPath + "' is missing");
  return Handle(g, H5Gclose);
}

namespace {

herr_t collectMemberName(hid_t, const char* name, const H5L_info_t*, void* names) {
  static_cast<std::vector<std::string>*>(names)->emplace_back(name);
  return 0;
}

}  // namespace

std::vector<std::string> File::memberNames(const std::string& groupPath) const {
  std::vector<std::string> names;
  if (groupPath != "/" && !exists(groupPath)) return names;
  Handle group(quiet([&] { return H5Gopen2(id(), groupPath.c_str(), H5P_DEFAULT); }), H5Gclose);
  if (!group.valid()) return names;
  hsize_t index = 0;
  quiet([&] {
    return H5Literate(group.get(), H5_INDEX_NAME, H5_ITER_INC, &index, collectMemberName, &names);
  });
  if (names.size() > limits::kMaxLayers * 16)
    throw Error(path_ + ": group '" + groupPath + "' has more members than any model");
  return names;
}

Handle File::createGroup(const std::string& groupPath) const {
  std::string prefix;
  for (const auto& part : splitPath(groupPath)) {
    prefix += "/" + part;
    if (!exists(prefix)) {
      const Handle creation = withoutTimes(H5P_GROUP_CREATE);
      hid_t g = quiet([&] {
        return H5Gcreate2(id(), prefix.c_str(), H5P_DEFAULT, creation.get(), H5P_DEFAULT);
      });
      if (g < 0) throw Error(path_ + ": cannot create group '" + prefix + "'");
      H5Gclose(g);
    }
  }
  return openGroup(groupPath.empty() ? "/" : groupPath);
}

bool File::hasAttribute(hid_t object, const std::string& name) const {
  return quiet([&] { return H5Aexists(object, name.c_str()); }) > 0;
}

namespace {

std::vector<std::string> readStrings(const std::string& file, hid_t object,
                                     const std::string& name) {
  // Every call below reads the file (a damaged heap fails in H5Aread): none prints HDF5's stack.
  const QuietErrors quietErrors;
  Handle attr(H5Aopen(object, name.c_str(), H5P_DEFAULT), H5Aclose);
  if (!attr.valid()) throw Error(file + ": cannot read attribute '" + name + "'");
  Handle type(H5Aget_type(attr.get()), H5Tclose);
  Handle space(H5Aget_space(attr.get()), H5Sclose);
  const hssize_t count = H5Sget_simple_extent_npoints(space.get());
  if (count < 0) throw Error(file + ": attribute '" + name + "' has no readable size");
  if (count > 10'000'000)
    throw Error(file + ": attribute '" + name + "' lists " + std::to_string(count) +
                " entries, more than any model has");
  std::vector<std::string> values;
  if (H5Tget_class(type.get()) != H5T_STRING) {
    if (count == 0) return values;  // Keras writes an empty float array for "no weights"
    throw Error(file + ": attribute '" + name + "' should hold strings");
  }
  if (H5Tis_variable_str(type.get()) > 0) {
    std::vector<char*> ptrs(static_cast<size_t>(count), nullptr);
    Handle mem(H5Tcopy(H5T_C_S1), H5Tclose);
    H5Tset_size(mem.get(), H5T_VARIABLE);
    H5Tset_cset(mem.get(), H5Tget_cset(type.get()));
    if (H5Aread(attr.get(), mem.get(), ptrs.data()) < 0)
      throw Error(file + ": cannot read attribute '" + name + "'");
    for (char* p : ptrs) values.emplace_back(p ? p : "");
    H5Dvlen_reclaim(mem.get(), space.get(), H5P_DEFAULT, ptrs.data());
    return values;
  }
  const size_t size = H5Tget_size(type.get());
  if (size == 0 || size * static_cast<size_t>(count) > limits::kMaxAttributeBytes)
    throw Error(file + ": attribute '" + name + "' is " +
                std::to_string(size * static_cast<size_t>(count)) +
                " bytes, more than any Keras file holds");
  std::vector<char> buffer(size * static_cast<size_t>(count) + 1, '\0');
  if (H5Aread(attr.get(), type.get(), buffer.data()) < 0)
    throw Error(file + ": cannot read attribute '" + name + "'");
  for (hssize_t i = 0; i < count; ++i) {
    const char* s = buffer.data() + size * static_cast<size_t>(i);
    values.emplace_back(s, strnlen(s, size));
  }
  return values;
}

}  // namespace

std::optional<std::vector<std::string>> File::stringList(hid_t object,
                                                         const std::string& name) const {
  if (hasAttribute(object, name)) return readStrings(path_, object, name);
  if (!hasAttribute(object, name + "0")) return std::nullopt;
  std::vector<std::string> all;
  for (int part = 0; hasAttribute(object, name + std::to_string(part)); ++part) {
    auto chunk = readStrings(path_, object, name + std::to_string(part));
    all.insert(all.end(), chunk.begin(), chunk.end());
  }
  return all;
}

std::string File::text(const std::string& datasetPath, const std::string& what) const {
  const QuietErrors quietErrors;  // our message replaces HDF5's error stack
  const std::string damaged = path_ + ": cannot read " + what + " '" + datasetPath +
                              "' (the file may be truncated or damaged)";
  Handle ds(H5Dopen2(id(), datasetPath.c_str(), H5P_DEFAULT), H5Dclose);
  if (!ds.valid()) throw Error(damaged);
  Handle type(H5Dget_type(ds.get()), H5Tclose);
  if (H5Tget_class(type.get()) != H5T_STRING)
    throw Error(path_ + ": '" + datasetPath + "' is not a string");
  // Read below into room for one string: a dataset holding several would overflow it.
  Handle space(H5Dget_space(ds.get()), H5Sclose);
  if (H5Sget_simple_extent_npoints(space.get()) != 1)
    throw Error(path_ + ": '" + datasetPath + "' should hold one string (" + what + ")");
  if (H5Tis_variable_str(type.get()) > 0) {
    char* value = nullptr;
    Handle mem(H5Tcopy(H5T_C_S1), H5Tclose);
    H5Tset_size(mem.get(), H5T_VARIABLE);
    if (H5Dread(ds.get(), mem.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, &value) < 0)
      throw Error(damaged);
    std::string result = value ? value : "";
    H5Dvlen_reclaim(mem.get(), space.get(), H5P_DEFAULT, &value);
    return result;
  }
  const size_t size = H5Tget_size(type.get());
  std::string buffer(size, '\0');
  if (H5Dread(ds.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, buffer.data()) < 0)
    throw Error(damaged);
  buffer.resize(strnlen(buffer.data(), size));
  return buffer;
}

void File::writeText(const std::string& datasetPath, const std::string& text) const {
  const QuietErrors quietErrors;
  Handle type(H5Tcopy(H5T_C_S1), H5Tclose);
  H5Tset_size(type.get(), std::max<size_t>(text.size(), 1));
  H5Tset_cset(type.get(), H5T_CSET_UTF8);
  Handle space(H5Screate(H5S_SCALAR), H5Sclose);
  const Handle creation = withoutTimes(H5P_DATASET_CREATE);
  Handle ds(H5Dcreate2(id(), datasetPath.c_str(), type.get(), space.get(), H5P_DEFAULT,
                       creation.get(), H5P_DEFAULT),
            H5Dclose);
  const std::string padded = text.empty() ? std::string(1, '\0') : text;
  if (!ds.valid() ||
      H5Dwrite(ds.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, padded.data()) < 0)
    throw Error(path_ + ": cannot write dataset '" + datasetPath + "'");
}

std::optional<std::string> File::string(hid_t object, const std::string& name) const {
  auto list = stringList(object, name);
  if (!list) return std::nullopt;
  std::string joined;
  for (const auto& s : *list) joined += s;
  return joined;
}

Shape File::datasetShape(const std::string& datasetPath) const {
  const QuietErrors quietErrors;
  Handle ds(H5Dopen2(id(), datasetPath.c_str(), H5P_DEFAULT), H5Dclose);
  if (!ds.valid()) throw Error(path_ + ": dataset '" + datasetPath + "' is missing");
  Handle space(H5Dget_space(ds.get()), H5Sclose);
  const int rank = H5Sget_simple_extent_ndims(space.get());
  if (rank < 0 || rank > 8)
    throw Error(path_ + ": dataset '" + datasetPath + "' has no valid shape");
  std::vector<hsize_t> dims(static_cast<size_t>(rank));
  H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr);
  return Shape(dims.begin(), dims.end());
}

void File::readFloats(const std::string& datasetPath, float* out, size_t count) const {
  const QuietErrors quietErrors;
  Handle ds(H5Dopen2(id(), datasetPath.c_str(), H5P_DEFAULT), H5Dclose);
  if (!ds.valid()) throw Error(path_ + ": dataset '" + datasetPath + "' is missing");
  Handle space(H5Dget_space(ds.get()), H5Sclose);
  if (static_cast<size_t>(H5Sget_simple_extent_npoints(space.get())) != count)
    throw Error(path_ + ": dataset '" + datasetPath + "' does not hold " + std::to_string(count) +
                " values");
  Handle type(H5Dget_type(ds.get()), H5Tclose);
  // Keras 3 saves bfloat16 variables as 2-byte opaque data tagged dtype="bfloat16" (h5py has
  // no bfloat16 type): the upper half of a float32, widened exactly.
  if (H5Tget_class(type.get()) == H5T_OPAQUE && H5Tget_size(type.get()) == 2 &&
      string(ds.get(), "dtype") == std::optional<std::string>("bfloat16")) {
    std::vector<uint16_t> halves(count);
    if (H5Dread(ds.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, halves.data()) < 0)
      throw Error(path_ + ": cannot read dataset '" + datasetPath +
                  "' (the file may be truncated or damaged)");
    for (size_t i = 0; i < count; ++i) {
      const uint32_t bits = static_cast<uint32_t>(halves[i]) << 16;
      std::memcpy(out + i, &bits, sizeof bits);
    }
    return;
  }
  if (H5Tget_class(type.get()) != H5T_FLOAT && H5Tget_class(type.get()) != H5T_INTEGER)
    throw Error(path_ + ": dataset '" + datasetPath + "' is not numeric (" +
                (H5Tget_class(type.get()) == H5T_OPAQUE
                     ? std::to_string(H5Tget_size(type.get())) + "-byte opaque data"
                     : std::string("not a number type")) +
                ")");
  if (H5Dread(ds.get(), H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, out) < 0)
    throw Error(path_ + ": cannot read dataset '" + datasetPath +
                "' (the file may be truncated or damaged)");
}

void File::writeFixedStrings(hid_t object, const std::string& name,
                             const std::vector<std::string>& values, size_t first, size_t count,
                             size_t width) const {
  std::vector<char> buffer(width * count, '\0');
  for (size_t i = 0; i < count; ++i)
    std::memcpy(buffer.data() + i * width, values[first + i].data(), values[first + i].size());
  Handle type(H5Tcopy(H5T_C_S1), H5Tclose);
  H5Tset_size(type.get(), width);
  H5Tset_strpad(type.get(), H5T_STR_NULLPAD);
  hsize_t dims[1] = {count};
  Handle space(H5Screate_simple(1, dims, nullptr), H5Sclose);
  Handle attr(quiet([&] {
                return H5Acreate2(object, name.c_str(), type.get(), space.get(), H5P_DEFAULT,
                                  H5P_DEFAULT);
              }),
              H5Aclose);
  if (!attr.valid() || quiet([&] { return H5Awrite(attr.get(), type.get(), buffer.data()); }) < 0)
    throw Error(path_ + ": cannot write attribute '" + name + "'");
}

void File::writeStringList(hid_t object, const std::string& name,
                           const std::vector<std::string>& values) const {
  if (values.empty()) {
    // Keras writes "no weights" as an empty float64 array (np.asarray([])); do the same so that
    // h5py and Keras's load_weights read it as an empty list.
    hsize_t none[1] = {0};
    Handle space(H5Screate_simple(1, none, nullptr), H5Sclose);
    Handle attr(quiet([&] {
                  return H5Acreate2(object, name.c_str(), H5T_IEEE_F64LE, space.get(), H5P_DEFAULT,
                                    H5P_DEFAULT);
                }),
                H5Aclose);
    if (!attr.valid()) throw Error(path_ + ": cannot write attribute '" + name + "'");
    return;
  }
  // An attribute lives in its object's header, which HDF5 caps at 64 KiB. Keras
  // (save_attributes_to_hdf5_group) splits a longer list into name0, name1, ... of equal
  // parts (numpy's array_split), every entry as wide as the longest; readers join them.
  constexpr size_t kObjectHeaderLimit = 64512;  // Keras's HDF5_OBJECT_HEADER_LIMIT
  size_t width = 1;
  for (const auto& v : values) width = std::max(width, v.size());
  if (width > kObjectHeaderLimit)
    throw Error(path_ + ": cannot write attribute '" + name + "': an entry of " +
                std::to_string(width) + " bytes is longer than an HDF5 attribute may be");
  const size_t n = values.size();
  size_t chunks = 1;
  while ((n + chunks - 1) / chunks * width > kObjectHeaderLimit) ++chunks;
  if (chunks == 1) {
    writeFixedStrings(object, name, values, 0, n, width);
    return;
  }
  size_t first = 0;
  for (size_t c = 0; c < chunks; ++c) {
    const size_t count = n / chunks + (c < n % chunks ? 1 : 0);  // array_split's sizes
    writeFixedStrings(object, name + std::to_string(c), values, first, count, width);
    first += count;
  }
}

void File::writeString(hid_t object, const std::string& name, const std::string& value) const {
  Handle type(H5Tcopy(H5T_C_S1), H5Tclose);
  H5Tset_size(type.get(), std::max<size_t>(value.size(), 1));
  Handle space(H5Screate(H5S_SCALAR), H5Sclose);
  Handle attr(quiet([&] {
                return H5Acreate2(object, name.c_str(), type.get(), space.get(), H5P_DEFAULT,
                                  H5P_DEFAULT);
              }),
              H5Aclose);
  std::string padded = value.empty() ? std::string(1, '\0') : value;
  if (!attr.valid() || quiet([&] { return H5Awrite(attr.get(), type.get(), padded.data()); }) < 0)
    throw Error(path_ + ": cannot write attribute '" + name + "'");
}

void File::writeFloats(const std::string& datasetPath, const Shape& shape,
                       const float* values) const {
  writeDataset(datasetPath, shape, values, H5T_IEEE_F32LE);
}

void File::writeFloatsAsInt64(const std::string& datasetPath, const Shape& shape,
                              const float* values) const {
  writeDataset(datasetPath, shape, values, H5T_STD_I64LE);
}

void File::writeFloatsChecksummed(const std::string& datasetPath, const Shape& shape,
                                  const float* values) const {
  writeDataset(datasetPath, shape, values, H5T_IEEE_F32LE, true);
}

namespace {

// Chunked storage with the Fletcher-32 filter, or the default (contiguous) where `dims` cannot
// be chunked. Chunks cover whole rows of the first dimension and stay under 1 GiB (HDF5 allows
// up to 4 GiB per chunk); a weight tensor is normally one chunk.
Handle creationProperties(const std::vector<hsize_t>& dims, size_t elementBytes, bool checksummed) {
  const bool chunkable = checksummed && !dims.empty() &&
                         std::all_of(dims.begin(), dims.end(), [](hsize_t d) { return d > 0; });
  if (!chunkable) return withoutTimes(H5P_DATASET_CREATE);
  hsize_t rowBytes = elementBytes;
  for (size_t i = 1; i < dims.size(); ++i) rowBytes *= dims[i];
  constexpr hsize_t kMaxChunkBytes = hsize_t(1) << 30;
  std::vector<hsize_t> chunk = dims;
  chunk[0] = std::clamp<hsize_t>(kMaxChunkBytes / std::max<hsize_t>(rowBytes, 1), 1, dims[0]);
  Handle plist = withoutTimes(H5P_DATASET_CREATE);
  if (plist.get() == H5P_DEFAULT ||
      H5Pset_chunk(plist.get(), static_cast<int>(chunk.size()), chunk.data()) < 0 ||
      H5Pset_fletcher32(plist.get()) < 0)
    return withoutTimes(H5P_DATASET_CREATE);
  return plist;
}

}  // namespace

void File::writeDataset(const std::string& datasetPath, const Shape& shape, const float* values,
                        hid_t fileType, bool checksummed) const {
  auto slash = datasetPath.rfind('/');
  if (slash != std::string::npos && slash > 0) createGroup(datasetPath.substr(0, slash));
  std::vector<hsize_t> dims(shape.begin(), shape.end());
  Handle space(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr), H5Sclose);
  const Handle creation = creationProperties(dims, H5Tget_size(fileType), checksummed);
  Handle ds(quiet([&] {
              return H5Dcreate2(id(), datasetPath.c_str(), fileType, space.get(), H5P_DEFAULT,
                                creation.get(), H5P_DEFAULT);
            }),
            H5Dclose);
  if (!ds.valid() || quiet([&] {
                       return H5Dwrite(ds.get(), H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT,
                                       values);
                     }) < 0)
    throw Error(path_ + ": cannot write dataset '" + datasetPath + "'");
}

}  // namespace graft::h5
