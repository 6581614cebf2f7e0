#include "io/keras_archive.h"

#include <unistd.h>
#include <zip.h>
#include <zlib.h>

#include <algorithm>
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

// The CRC-32 Keras's zipfile stored for the member, checked against the bytes read (zlib's crc32,
// as zipfile computes it): a flipped bit in a stored member would otherwise reach the model as a
// wrong weight without a word. Python's zipfile (and so Keras) refuses such a file too.
void checkCrc(const zip_stat_t& stat, const char* data, size_t size, const std::string& path,
              const std::string& member) {
  if (!(stat.valid & ZIP_STAT_CRC))
    throw Error(path + ": member '" + member + "' has no CRC-32 to check it against");
  uLong crc = crc32_z(0L, Z_NULL, 0);
  crc = crc32_z(crc, reinterpret_cast<const Bytef*>(data), size);
  if (static_cast<zip_uint32_t>(crc) != stat.crc)
    throw Error(path + ": member '" + member + "' is damaged (CRC mismatch)");
}

zip_stat_t statMember(zip_t* archive, zip_int64_t index, const std::string& path,
                      const std::string& member) {
  zip_stat_t stat;
  zip_stat_init(&stat);
  if (zip_stat_index(archive, static_cast<zip_uint64_t>(index), 0, &stat) != 0 ||
      !(stat.valid & ZIP_STAT_SIZE))
    throw Error(path + ": cannot read the size of member '" + member + "'");
  return stat;
}

// The whole member, its CRC checked. `maxBytes`: refused before anything is read (or inflated)
// when it declares more, with `tooLarge` saying why that is too much.
std::vector<char> readMember(zip_t* archive, zip_int64_t index, const std::string& path,
                             const std::string& member, uint64_t maxBytes,
                             const std::string& tooLarge = "more than any Keras model file holds") {
  const std::string where = path + "/" + member;
  const zip_stat_t stat = statMember(archive, index, path, member);
  if (stat.size > maxBytes)
    throw Error(path + ": member '" + member + "' declares " + std::to_string(stat.size) +
                " bytes uncompressed, " + tooLarge + " (at most " + std::to_string(maxBytes) +
                "); the archive is damaged or was not written by Keras");
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
  checkCrc(stat, bytes.data(), bytes.size(), path, member);
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

// A stored (uncompressed) member used in place in the mapped archive: no copy of a 100 MB model.
// Its CRC-32 is checked over the mapped bytes (zlib's crc32 reads ~GB/s; libzip's own pass,
// copying through zip_fread, cost as much as the rest of opening). libzip does not say where a
// member's data lies, so its local header is found by name from the start (it precedes the data)
// and the place confirmed by comparing both ends with libzip's own reading. Empty when the
// member is compressed, encrypted or not found so: the caller then reads it into memory.
h5::Image storedMemberInPlace(zip_t* archive, zip_int64_t index, const std::string& path) {
  zip_stat_t stat;
  zip_stat_init(&stat);
  if (zip_stat_index(archive, static_cast<zip_uint64_t>(index), 0, &stat) != 0) return {};
  const zip_uint64_t needed = ZIP_STAT_NAME | ZIP_STAT_SIZE | ZIP_STAT_COMP_SIZE | ZIP_STAT_CRC |
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
    checkCrc(stat, data, static_cast<size_t>(stat.size), path, name);
    return h5::Image{data, static_cast<size_t>(stat.size), file};
  }
  return {};
}

}  // namespace

uint64_t maxWeightsMemberBytes() {
  const uint64_t model = static_cast<uint64_t>(limits::kMaxModelParams) * 4 + (uint64_t{64} << 20);
  const long pages = sysconf(_SC_PHYS_PAGES);
  const long pageSize = sysconf(_SC_PAGESIZE);
  if (pages <= 0 || pageSize <= 0) return model;
  return std::min(model, static_cast<uint64_t>(pages) * static_cast<uint64_t>(pageSize));
}

uint64_t weightsMemberBytesFor(int64_t params, size_t layers) {
  // Each value at most float64, beside at most three optimizer slots (Adam with amsgrad keeps
  // m, v and v_hat; Keras 3's model.save writes them into model.weights.h5), plus HDF5's groups
  // and attributes: 64 MiB and 16 KiB a layer, far more than Keras writes.
  const uint64_t values = static_cast<uint64_t>(std::max<int64_t>(params, 0));
  const uint64_t bytes =
      values * 8 * 4 + (uint64_t{64} << 20) + static_cast<uint64_t>(layers) * (uint64_t{16} << 10);
  return std::min(bytes, maxWeightsMemberBytes());
}

KerasH5Reader KerasArchive::weightsReader() const {
  if (weights.empty())
    throw Error(path + ": the archive has no model.weights.h5 (a topology without weights)");
  KerasH5Reader reader(h5::File::openImage(weights, path + "/model.weights.h5"));
  reader.assumeKerasVersion(kerasVersion);
  return reader;
}

namespace {

ZipArchive openArchive(const std::string& path) {
  int error = 0;
  ZipArchive archive(zip_open(path.c_str(), ZIP_RDONLY | ZIP_CHECKCONS, &error));
  if (!archive) {
    zip_error_t e;
    zip_error_init_with_code(&e, error);
    const std::string reason = zip_error_strerror(&e);
    zip_error_fini(&e);
    throw Error(path + ": not a readable Keras .keras archive (" + reason + ")");
  }
  return archive;
}

}  // namespace

KerasArchive readKerasArchiveTopology(const std::string& path) {
  ZipArchive archive = openArchive(path);
  KerasArchive result;
  result.path = path;
  constexpr uint64_t kMaxJsonBytes = uint64_t{256} << 20;
  const zip_int64_t config = memberIndex(archive.get(), "config.json");
  if (config < 0) {
    // PyTorch's files (TorchScript, a torch.save state dict, Graft's own TorchScript export) are
    // ZIPs too: <name>/data.pkl beside <name>/version.
    const zip_int64_t entries = zip_get_num_entries(archive.get(), 0);
    for (zip_int64_t i = 0; i < entries && i < 4096; ++i) {
      const char* name = zip_get_name(archive.get(), static_cast<zip_uint64_t>(i), 0);
      const std::string member = name ? name : "";
      if (member.size() > 9 && member.compare(member.size() - 9, 9, "/data.pkl") == 0)
        throw Error(path + ": a PyTorch file (TorchScript or torch.save: a ZIP holding " + member +
                    "), not a Keras model; Graft opens Keras files and .graft projects, so open "
                    "the model this was exported from");
    }
    throw Error(path + ": a ZIP archive without config.json, so not a Keras .keras model file");
  }
  const auto configBytes = readMember(archive.get(), config, path, "config.json", kMaxJsonBytes);
  result.config.assign(configBytes.begin(), configBytes.end());

  const zip_int64_t metadata = memberIndex(archive.get(), "metadata.json");
  if (metadata >= 0) {
    const auto bytes = readMember(archive.get(), metadata, path, "metadata.json", kMaxJsonBytes);
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
    result.hasWeights = true;
  } else if (memberIndex(archive.get(), "model.weights.json") >= 0) {
    throw Error(path +
                ": the weights are sharded (model.weights.json); Graft reads .keras files "
                "with one model.weights.h5 (save the model with Keras's default max_shard_size)");
  }
  return result;
}

void readKerasArchiveWeights(KerasArchive& archive, uint64_t maxInflatedBytes,
                             const std::string& bound) {
  const std::string member = "model.weights.h5";
  ZipArchive zip = openArchive(archive.path);
  const zip_int64_t index = memberIndex(zip.get(), member);
  if (index < 0) throw Error(archive.path + ": the archive has no " + member);
  archive.weights = storedMemberInPlace(zip.get(), index, archive.path);
  if (!archive.weights.empty()) return;
  const uint64_t general = maxWeightsMemberBytes();
  const bool modelBound = maxInflatedBytes < general;
  const std::string tooLarge =
      modelBound ? "more than " + bound + " can need"
                 : "more than Graft inflates (the float32 values of the largest model it opens, or "
                   "this machine's memory)";
  auto bytes = std::make_shared<const std::vector<char>>(readMember(
      zip.get(), index, archive.path, member, modelBound ? maxInflatedBytes : general, tooLarge));
  archive.weights = h5::Image{bytes->data(), bytes->size(), bytes};
}

KerasArchive readKerasArchive(const std::string& path) {
  KerasArchive result = readKerasArchiveTopology(path);
  if (result.hasWeights) readKerasArchiveWeights(result, maxWeightsMemberBytes(), "");
  return result;
}

}  // namespace graft
