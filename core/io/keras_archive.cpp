#include "io/keras_archive.h"

#include <zip.h>

#include <cstring>
#include <memory>

#include "graph/keras_json.h"
#include "graph/limits.h"
#include "io/mapped_file.h"

namespace graft {
namespace {

struct ZipCloser {
  void operator()(zip_t* archive) const { zip_discard(archive); }
};
using ZipArchive = std::unique_ptr<zip_t, ZipCloser>;

struct ZipFileCloser {
  void operator()(zip_file_t* file) const { zip_fclose(file); }
};

// The member's index, also under the leading "./" some zip tools write; -1 when absent.
zip_int64_t memberIndex(zip_t* archive, const std::string& name) {
  zip_int64_t index = zip_name_locate(archive, name.c_str(), ZIP_FL_ENC_GUESS);
  if (index < 0) index = zip_name_locate(archive, ("./" + name).c_str(), ZIP_FL_ENC_GUESS);
  return index;
}

std::vector<char> readMember(zip_t* archive, zip_int64_t index, const std::string& where,
                             uint64_t maxBytes) {
  zip_stat_t stat;
  zip_stat_init(&stat);
  if (zip_stat_index(archive, static_cast<zip_uint64_t>(index), 0, &stat) != 0 ||
      !(stat.valid & ZIP_STAT_SIZE))
    throw Error(where + ": cannot read the archive member's size");
  if (stat.size > maxBytes)
    throw Error(where + ": the member is " + std::to_string(stat.size) +
                " bytes, more than any Keras model file holds");
  std::unique_ptr<zip_file_t, ZipFileCloser> file(
      zip_fopen_index(archive, static_cast<zip_uint64_t>(index), 0));
  if (!file)
    throw Error(where + ": cannot open the archive member (" + std::string(zip_strerror(archive)) +
                ")");
  std::vector<char> bytes(static_cast<size_t>(stat.size));
  size_t done = 0;
  while (done < bytes.size()) {
    const zip_int64_t n = zip_fread(file.get(), bytes.data() + done, bytes.size() - done);
    if (n <= 0)
      throw Error(where + ": the archive member is truncated or damaged (" +
                  std::string(zip_file_strerror(file.get())) + ")");
    done += static_cast<size_t>(n);
  }
  return bytes;
}

// A ZIP local file header's fields (APPNOTE 4.3.7), little-endian.
uint32_t le(const char* p, int bytes) {
  uint32_t v = 0;
  for (int i = bytes - 1; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}

// The bytes `length` from `start` of a member, read through libzip (a range read skips the CRC,
// which needs the whole member).
std::vector<char> readRange(zip_t* archive, zip_int64_t index, zip_uint64_t start,
                            zip_uint64_t length) {
  std::vector<char> bytes(static_cast<size_t>(length));
  zip_source_t* source = zip_source_zip(archive, archive, static_cast<zip_uint64_t>(index), 0,
                                        start, static_cast<zip_int64_t>(length));
  if (!source) return {};
  size_t done = 0;
  if (zip_source_open(source) == 0) {
    while (done < bytes.size()) {
      const zip_int64_t n = zip_source_read(source, bytes.data() + done, bytes.size() - done);
      if (n <= 0) break;
      done += static_cast<size_t>(n);
    }
    zip_source_close(source);
  }
  zip_source_free(source);
  if (done != bytes.size()) return {};
  return bytes;
}

// A stored (uncompressed) member used in place in the mapped archive: no copy of a 100 MB model
// and no CRC pass over it (as costly as the rest of opening); HDF5 still refuses a damaged
// structure, and damaged numbers go unnoticed as they would in a Keras 2 .h5. libzip does not say
// where a member's data lies, so its local header is found by name from the start (it precedes
// the data) and the place confirmed by comparing both ends with libzip's own reading. Empty when
// the member is compressed, encrypted or not found so: the caller then reads it into memory.
h5::Image storedMemberInPlace(zip_t* archive, zip_int64_t index, const std::string& path) {
  zip_stat_t stat;
  zip_stat_init(&stat);
  if (zip_stat_index(archive, static_cast<zip_uint64_t>(index), 0, &stat) != 0) return {};
  const zip_uint64_t needed = ZIP_STAT_NAME | ZIP_STAT_SIZE | ZIP_STAT_COMP_SIZE |
                              ZIP_STAT_COMP_METHOD | ZIP_STAT_ENCRYPTION_METHOD;
  if ((stat.valid & needed) != needed || stat.comp_method != ZIP_CM_STORE ||
      stat.encryption_method != ZIP_EM_NONE || stat.comp_size != stat.size || stat.size < 4096)
    return {};
  std::shared_ptr<const MappedFile> file;
  try {
    file = MappedFile::open(path);
  } catch (const Error&) {
    return {};
  }
  const std::string name = stat.name;
  constexpr size_t kHeader = 30;
  const char* begin = file->data();
  const char* end = begin + file->size();
  for (const char* at = begin; at + kHeader + name.size() <= end;) {
    const void* found = memmem(at, static_cast<size_t>(end - at), name.data(), name.size());
    if (!found) break;
    const char* nameAt = static_cast<const char*>(found);
    at = nameAt + 1;
    if (nameAt - begin < static_cast<std::ptrdiff_t>(kHeader)) continue;
    const char* header = nameAt - kHeader;
    if (le(header, 4) != 0x04034b50 || le(header + 8, 2) != ZIP_CM_STORE ||
        le(header + 26, 2) != name.size())
      continue;
    const size_t dataAt = static_cast<size_t>(nameAt - begin) + name.size() + le(header + 28, 2);
    if (dataAt > file->size() || file->size() - dataAt < stat.size) continue;
    const char* data = begin + dataAt;
    constexpr size_t kCheck = 4096;
    const std::vector<char> head = readRange(archive, index, 0, kCheck);
    const std::vector<char> tail = readRange(archive, index, stat.size - kCheck, kCheck);
    if (head.size() != kCheck || tail.size() != kCheck ||
        std::memcmp(head.data(), data, kCheck) != 0 ||
        std::memcmp(tail.data(), data + stat.size - kCheck, kCheck) != 0)
      return {};
    return h5::Image{data, static_cast<size_t>(stat.size), file};
  }
  return {};
}

}  // namespace

KerasH5Reader KerasArchive::weightsReader() const {
  if (weights.empty())
    throw Error(path + ": the archive has no model.weights.h5 (a topology without weights)");
  KerasH5Reader reader(h5::File::openImage(weights, path + "/model.weights.h5"));
  reader.assumeKerasVersion(kerasVersion);
  return reader;
}

KerasArchive readKerasArchive(const std::string& path) {
  int error = 0;
  ZipArchive archive(zip_open(path.c_str(), ZIP_RDONLY | ZIP_CHECKCONS, &error));
  if (!archive) {
    zip_error_t e;
    zip_error_init_with_code(&e, error);
    const std::string reason = zip_error_strerror(&e);
    zip_error_fini(&e);
    throw Error(path + ": not a readable Keras .keras archive (" + reason + ")");
  }
  KerasArchive result;
  result.path = path;
  constexpr uint64_t kMaxJsonBytes = uint64_t{256} << 20;
  const zip_int64_t config = memberIndex(archive.get(), "config.json");
  if (config < 0)
    throw Error(path + ": a ZIP archive without config.json, so not a Keras .keras model file");
  const auto configBytes = readMember(archive.get(), config, path + "/config.json", kMaxJsonBytes);
  result.config.assign(configBytes.begin(), configBytes.end());

  const zip_int64_t metadata = memberIndex(archive.get(), "metadata.json");
  if (metadata >= 0) {
    const auto bytes = readMember(archive.get(), metadata, path + "/metadata.json", kMaxJsonBytes);
    try {
      const Json meta =
          parseBoundedJson(std::string(bytes.begin(), bytes.end()), path + "/metadata.json");
      if (meta.is_object() && meta.contains("keras_version") && meta["keras_version"].is_string())
        result.kerasVersion = meta["keras_version"].get<std::string>();
      if (meta.is_object() && meta.contains("graft") && meta["graft"].is_object())
        result.graft = meta["graft"];
    } catch (const Error&) {
      // metadata.json only says which Keras wrote the file; a damaged one costs nothing else.
    }
  }

  const zip_int64_t weights = memberIndex(archive.get(), "model.weights.h5");
  if (weights >= 0) {
    result.weights = storedMemberInPlace(archive.get(), weights, path);
    if (result.weights.empty()) {
      auto bytes = std::make_shared<const std::vector<char>>(
          readMember(archive.get(), weights, path + "/model.weights.h5",
                     static_cast<uint64_t>(limits::kMaxModelParams) * 4 + (64 << 20)));
      result.weights = h5::Image{bytes->data(), bytes->size(), bytes};
    }
  } else if (memberIndex(archive.get(), "model.weights.json") >= 0) {
    throw Error(path +
                ": the weights are sharded (model.weights.json); Graft reads .keras files "
                "with one model.weights.h5 (save the model with Keras's default max_shard_size)");
  }
  return result;
}

}  // namespace graft
