// Benchmark: importing Keras weights against plainly reading the same file, time and peak
// memory, measured in one run. Each measurement runs in a child process so that its peak
// resident memory is its own.
//   bench_import [WEIGHTS.h5]   (default: writes VGG16-with-top random weights, ~528 MB, to /tmp)
// Without arguments it also opens the same VGG19 no-top weights (~80 MB) as a Keras 2 .h5 and as a
// Keras 3 .keras archive (zipped by python3's zipfile, as Keras does: members stored) and prints
// the ratio; issue #19 asks for at most 1.5.
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <vector>

#include "graph/keras_json.h"
#include "io/keras3_weights_writer.h"
#include "io/keras_h5_writer.h"
#include "io/model_source.h"

namespace {

struct Measurement {
  double seconds = 0;
  double peakMiB = 0;
};

// Runs `work` in a child; returns its wall time and peak resident set size.
Measurement inChild(const std::function<void()>& work) {
  const auto start = std::chrono::steady_clock::now();
  pid_t pid = fork();
  if (pid == 0) {
    try {
      work();
      _exit(0);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "error: %s\n", e.what());
      _exit(1);
    }
  }
  int status = 0;
  rusage usage{};
  wait4(pid, &status, 0, &usage);
  const auto end = std::chrono::steady_clock::now();
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::fprintf(stderr, "child failed\n");
    std::exit(1);
  }
  return {std::chrono::duration<double>(end - start).count(), usage.ru_maxrss / 1024.0};
}

// The same weights as a Keras 2 weights file (onto the zoo architecture) and as a .keras archive.
void compareKeras3Archive() {
  const std::string h5 = "/tmp/graft_bench_vgg19_notop.h5";
  const std::string archive = "/tmp/graft_bench_vgg19_notop.keras";
  graft::ModelSpec zoo;
  zoo.source = "vgg19";
  zoo.includeTop = false;
  if (!std::filesystem::exists(archive)) {
    std::printf("writing %s and %s (VGG19 no top, random weights)...\n", h5.c_str(),
                archive.c_str());
    const graft::Model model = graft::loadModel(zoo).model;
    graft::saveKerasWeights(model, h5);
    const std::string dir = "/tmp/graft_bench_keras3";
    std::filesystem::create_directories(dir);
    graft::saveKeras3Weights(model, dir + "/model.weights.h5");
    std::ofstream(dir + "/config.json") << graft::graphToKerasJson(model.graph).dump();
    std::ofstream(dir + "/metadata.json") << R"({"keras_version": "3.1.1"})";
    const std::string zip = "/usr/bin/python3 -c \"import zipfile, sys; z = zipfile.ZipFile('" +
                            archive + "', 'w'); [z.write('" + dir +
                            "/' + m, m) for m in ('metadata.json', 'config.json', "
                            "'model.weights.h5')]\"";
    if (std::system(zip.c_str()) != 0) {
      std::fprintf(stderr, "python3 could not write the archive\n");
      return;
    }
  }
  zoo.weightsFile = h5;
  graft::ModelSpec keras3;
  keras3.source = archive;
  const Measurement fromH5 = inChild([&] { graft::loadModel(zoo); });
  const Measurement fromArchive = inChild([&] { graft::loadModel(keras3); });
  std::printf("\nsame weights, %.1f MiB:\n",
              std::filesystem::file_size(archive) / (1024.0 * 1024.0));
  std::printf("Keras 2 .h5    : %7.3f s, peak RSS %7.1f MiB\n", fromH5.seconds, fromH5.peakMiB);
  std::printf("Keras 3 .keras : %7.3f s, peak RSS %7.1f MiB\n", fromArchive.seconds,
              fromArchive.peakMiB);
  std::printf("ratio .keras/.h5: time %.2f (at most 1.5 wanted)\n",
              fromArchive.seconds / fromH5.seconds);
}

}  // namespace

int main(int argc, char** argv) {
  std::string path = argc > 1 ? argv[1] : "/tmp/graft_bench_vgg16.h5";
  graft::ModelSpec spec;
  spec.source = "vgg16";
  if (argc > 1) {
    spec.source = path;
  } else if (!std::filesystem::exists(path)) {
    std::printf("writing %s (VGG16 with top, random weights)...\n", path.c_str());
    graft::saveKerasWeights(graft::loadModel(spec).model, path);
  }
  if (argc == 1) spec.weightsFile = path;
  const double fileMiB = std::filesystem::file_size(path) / (1024.0 * 1024.0);

  const Measurement baseline = inChild([] {});
  const Measurement plain = inChild([&] {
    std::vector<char> bytes(std::filesystem::file_size(path));
    std::ifstream in(path, std::ios::binary);
    in.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!in) throw std::runtime_error("read failed");
  });
  const Measurement import = inChild([&] { graft::loadModel(spec); });

  std::printf("file: %s, %.1f MiB\n", path.c_str(), fileMiB);
  std::printf("plain read : %7.3f s, peak RSS %7.1f MiB\n", plain.seconds, plain.peakMiB);
  std::printf("import     : %7.3f s, peak RSS %7.1f MiB\n", import.seconds, import.peakMiB);
  std::printf("ratio import/plain: time %.2f, memory above an empty process %.2f x file size\n",
              import.seconds / plain.seconds, (import.peakMiB - baseline.peakMiB) / fileMiB);
  if (argc == 1) compareKeras3Archive();
  return 0;
}
