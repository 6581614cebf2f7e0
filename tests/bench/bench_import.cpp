// Benchmark: importing Keras weights against plainly reading the same file, time and peak
// memory, measured in one run. Each measurement runs in a child process so that its peak
// resident memory is its own.
//   bench_import [WEIGHTS.h5]   (default: writes VGG16-with-top random weights, ~528 MB, to /tmp)
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <vector>

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
  return 0;
}
