#pragma once
// A thin RAII layer over HDF5's C API: just what Keras files need (groups, string-list
// attributes as h5py writes them, float datasets). Every error names the file and the object.
#include <hdf5.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "graph/shape.h"

namespace graft::h5 {

// While one lives, HDF5 prints no error stack ("HDF5-DIAG: Error detected ...") to stderr: our
// messages replace it. Every HDF5 call on a file read from outside runs under one (the read
// functions below take one for their whole body), so a damaged file gets Graft's message alone.
class QuietErrors {
 public:
  QuietErrors();
  ~QuietErrors();
  QuietErrors(const QuietErrors&) = delete;
  QuietErrors& operator=(const QuietErrors&) = delete;

 private:
  H5E_auto2_t oldFunc_ = nullptr;
  void* oldData_ = nullptr;
};

// Owns one hid_t and closes it with the matching H5?close.
class Handle {
 public:
  using Closer = herr_t (*)(hid_t);
  Handle() = default;
  Handle(hid_t id, Closer closer) : id_(id), closer_(closer) {}
  Handle(Handle&& o) noexcept : id_(o.id_), closer_(o.closer_) { o.id_ = -1; }
  Handle& operator=(Handle&& o) noexcept;
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  ~Handle() { reset(); }
  hid_t get() const { return id_; }
  bool valid() const { return id_ >= 0; }
  void reset();

 private:
  hid_t id_ = -1;
  Closer closer_ = nullptr;
};

// Creation properties of `propertyClass` (H5P_FILE_CREATE, H5P_GROUP_CREATE,
// H5P_DATASET_CREATE) without object modification times: HDF5 stamps every group and dataset
// with the time it was written, so two saves of the same model differed in bytes and a CI cache
// or checksum could not tell they were the same. H5P_DEFAULT if the list cannot be made.
Handle withoutTimes(hid_t propertyClass);

// The bytes of an HDF5 file held in memory (a vector, a mapped archive member), kept alive by
// `owner` for as long as a File reads them.
struct Image {
  const char* data = nullptr;
  size_t size = 0;
  std::shared_ptr<const void> owner;

  bool empty() const { return size == 0; }
};

class File {
 public:
  // Read-only open; throws graft::Error "<path>: not an HDF5 file" and the like.
  static File openReadOnly(const std::string& path);
  // Read-only open of an HDF5 file held in memory (a member of a .keras archive); `path` names it
  // in messages ("model.keras/model.weights.h5"). HDF5 reads the bytes in place, without a copy
  // of its own (a 100 MB model would otherwise be held twice): the File shares ownership.
  static File openImage(Image image, const std::string& path);
  // Creates (truncates) a file for writing.
  static File create(const std::string& path);
  // A new file for writing, built in memory: nothing reaches `path` before close(), and a disk
  // error there is an exception like any other (saves use this).
  static File createInMemory(const std::string& path);
  // Closes the file; an in-memory one is written to its path first. Throws graft::Error naming
  // the file and the OS error ("No space left on device"). Without it an in-memory file is
  // discarded. Objects opened from the file (groups, datasets) must be closed first.
  void close();
  // For a file from createInMemory: closes it and returns the finished file's bytes instead of
  // writing them (a .keras archive holds its weights file as a member). Throws like close().
  std::vector<char> closeToImage();

  const std::string& path() const { return path_; }
  hid_t id() const { return handle_.get(); }

  bool exists(const std::string& objectPath) const;  // every component of a/b/c is checked
  Handle openGroup(const std::string& groupPath) const;
  // The names of a group's members (groups and datasets), in name order; empty when absent.
  std::vector<std::string> memberNames(const std::string& groupPath) const;
  Handle createGroup(const std::string& groupPath) const;  // creates missing parents

  bool hasAttribute(hid_t object, const std::string& name) const;
  // A string list attribute, joining split parts name0, name1, ... when `name` itself is absent.
  // An empty numeric array (Keras's weight_names for weightless layers) reads as an empty list.
  std::optional<std::vector<std::string>> stringList(hid_t object, const std::string& name) const;
  std::optional<std::string> string(hid_t object, const std::string& name) const;

  // A scalar string dataset (fixed-length as writeText writes it, or variable-length as h5py
  // does), for text past an attribute's 64 KiB: a model's JSON. Throws graft::Error naming
  // `what` and the file when it cannot be read.
  std::string text(const std::string& datasetPath, const std::string& what) const;

  Shape datasetShape(const std::string& datasetPath) const;
  // Reads as float32 into `out` (sized by the caller from the checked shape).
  void readFloats(const std::string& datasetPath, float* out, size_t count) const;

  // Writing, in the layout h5py produces (fixed-length byte strings).
  void writeStringList(hid_t object, const std::string& name,
                       const std::vector<std::string>& values) const;
  void writeString(hid_t object, const std::string& name, const std::string& value) const;
  void writeFloats(const std::string& datasetPath, const Shape& shape, const float* values) const;
  // `text` as one UTF-8 string dataset (read back by text()).
  void writeText(const std::string& datasetPath, const std::string& text) const;
  // The same, stored in chunks with HDF5's Fletcher-32 checksum: reading a changed byte fails
  // (readFloats says the file is damaged) instead of giving a wrong number. For Graft's own
  // files; Keras's layout stays contiguous, as Keras writes it. Empty and scalar datasets, which
  // cannot be chunked, are stored plainly.
  void writeFloatsChecksummed(const std::string& datasetPath, const Shape& shape,
                              const float* values) const;
  // The same values stored as 64-bit integers (HDF5 converts; they must be whole numbers), as
  // Keras stores an integer variable (Normalization's count).
  void writeFloatsAsInt64(const std::string& datasetPath, const Shape& shape,
                          const float* values) const;

 private:
  // values[first, first + count) as one attribute of `width`-byte null-padded strings.
  void writeFixedStrings(hid_t object, const std::string& name,
                         const std::vector<std::string>& values, size_t first, size_t count,
                         size_t width) const;
  void writeDataset(const std::string& datasetPath, const Shape& shape, const float* values,
                    hid_t fileType, bool checksummed = false) const;

  std::string path_;
  // Declared before handle_ so that it outlives it: HDF5 reads an image file from these bytes.
  std::shared_ptr<const void> imageOwner_;
  Handle handle_;
  bool inMemory_ = false;
};

}  // namespace graft::h5
