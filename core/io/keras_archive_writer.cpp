#include "io/keras_archive_writer.h"

#include <zip.h>

#include <ctime>
#include <memory>

#include "io/atomic_file.h"
#include "io/graft_metadata.h"
#include "io/keras3_config_writer.h"
#include "io/keras3_weights_writer.h"

namespace graft {
namespace {

struct ZipDiscard {
  void operator()(zip_t* archive) const { zip_discard(archive); }
};

// Python's zipfile stamps members opened by name with 1980-01-01 and writestr'd ones with the
// time of saving; Keras writes metadata.json and config.json the first way, the weights the second.
void addMember(zip_t* archive, const std::string& name, const void* data, size_t size,
               std::time_t mtime, const std::string& where) {
  zip_source_t* source = zip_source_buffer(archive, data, size, 0);
  if (!source) throw Error(where + ": cannot add " + name + " (" + zip_strerror(archive) + ")");
  const zip_int64_t index = zip_file_add(archive, name.c_str(), source, ZIP_FL_ENC_UTF_8);
  if (index < 0) {
    zip_source_free(source);
    throw Error(where + ": cannot add " + name + " (" + zip_strerror(archive) + ")");
  }
  const auto i = static_cast<zip_uint64_t>(index);
  if (zip_set_file_compression(archive, i, ZIP_CM_STORE, 0) != 0 ||
      zip_file_set_mtime(archive, i, mtime, 0) != 0)
    throw Error(where + ": cannot store " + name + " (" + zip_strerror(archive) + ")");
}

std::time_t zip1980() {
  std::tm t{};
  t.tm_year = 80;
  t.tm_mday = 1;
  t.tm_isdst = -1;
  return std::mktime(&t);  // local time, as zip's DOS timestamps are
}

}  // namespace

Graph flatKeras3Graph(const Graph& graph) {
  const std::vector<size_t> order = graph.topologicalOrder().value();
  std::vector<Node> nodes;
  for (size_t i : order) {
    nodes.push_back(graph.nodes()[i]);
    nodes.back().group.clear();
  }
  return Graph(graph.name(), std::move(nodes), graph.outputs());
}

void saveKerasArchive(const Model& model, const std::string& path) {
  writeAtomically(path, [&](const std::string& temp) { writeKerasArchiveFile(model, temp, path); });
}

void writeKerasArchiveFile(const Model& model, const std::string& file, const std::string& path) {
  const GraphAnalysis analysis = analyzeOrThrow(model.graph);
  const Graph flat = flatKeras3Graph(model.graph);
  const std::string config = keras3ModelJson(flat, analysis).dump();
  const std::vector<char> weights = keras3WeightsImage(model, flat, path + "/model.weights.h5");
  const std::time_t now = std::time(nullptr);
  char date[32];
  std::strftime(date, sizeof date, "%Y-%m-%d@%H:%M:%S", std::localtime(&now));
  // What Keras's files do not record and a user would otherwise have to give again when the
  // export is opened in Graft (Keras ignores the key).
  const std::string metadata = Json{
      {"keras_version", kKeras3WriterVersion},
      {"date_saved", date},
      {"graft",
       graftMetadata(model)}}.dump();

  {
    int error = 0;
    std::unique_ptr<zip_t, ZipDiscard> archive(
        zip_open(file.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &error));
    if (!archive)
      throw Error(path + ": cannot create the archive (libzip error " + std::to_string(error) +
                  ")");
    addMember(archive.get(), "metadata.json", metadata.data(), metadata.size(), zip1980(), path);
    addMember(archive.get(), "config.json", config.data(), config.size(), zip1980(), path);
    addMember(archive.get(), "model.weights.h5", weights.data(), weights.size(), now, path);
    // zip_close writes the archive; on failure the handle stays open and is discarded.
    if (zip_close(archive.get()) != 0)
      throw Error(path + ": cannot write the archive (" + zip_strerror(archive.get()) + ")");
    archive.release();
  }
}

}  // namespace graft
