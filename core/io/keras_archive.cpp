#include "io/keras_archive.h"

#include <zip.h>

#include <memory>

#include "graph/keras_json.h"
#include "graph/limits.h"

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
    } catch (const Error&) {
      // metadata.json only says which Keras wrote the file; a damaged one costs nothing else.
    }
  }

  const zip_int64_t weights = memberIndex(archive.get(), "model.weights.h5");
  if (weights >= 0) {
    result.weights = readMember(archive.get(), weights, path + "/model.weights.h5",
                                static_cast<uint64_t>(limits::kMaxModelParams) * 4 + (64 << 20));
  } else if (memberIndex(archive.get(), "model.weights.json") >= 0) {
    throw Error(path +
                ": the weights are sharded (model.weights.json); Graft reads .keras files "
                "with one model.weights.h5 (save the model with Keras's default max_shard_size)");
  }
  return result;
}

}  // namespace graft
