// Benchmark (prints ratios; not a timed test): a fixed fine-tuning job, MobileNet alpha 0.25 at
// 96 x 96 with a 3-class top, batch 32, Adam, on 128-pixel PNGs from sample-data:
//  1. Graft's images per second against the same job written with Debian's python3-torch and
//     torch.utils.data.DataLoader with worker processes (measured in the same run);
//  2. the epoch time with --cache-frozen against without, for the base frozen up to
//     conv_pw_13_relu (the classic "train a new head on a frozen base" job).
// Usage: bench_train [images-per-class (default 96)]
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>

#include "graph/analysis.h"
#include "io/zoo/zoo.h"
#include "runtime/sample_data.h"
#include "runtime/threads.h"
#include "runtime/trainer.h"
#include "support/test_support.h"

namespace {

using namespace graft;

constexpr int kInput = 96;
constexpr int kBatch = 32;
constexpr int kEpochs = 3;  // the first is warm-up (allocations, page cache); later ones timed

// The same network and input pipeline in PyTorch, the way a PyTorch user writes it.
const char* kPythonJob = R"PY(
import sys, time, cv2, torch, torch.nn as nn
from torch.utils.data import Dataset, DataLoader
import os
root, size, batch, epochs, workers = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
torch.set_num_threads(os.cpu_count())
classes = sorted(os.listdir(root))
files = [(os.path.join(root, c, f), i) for i, c in enumerate(classes) for f in sorted(os.listdir(os.path.join(root, c)))]
class Folder(Dataset):
    def __len__(self): return len(files)
    def __getitem__(self, k):
        path, label = files[k]
        img = cv2.cvtColor(cv2.imread(path, cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB)
        img = cv2.resize(img, (size, size), interpolation=cv2.INTER_NEAREST)
        x = torch.from_numpy(img).permute(2, 0, 1).float() / 127.5 - 1.0
        return x, label
def block(cin, cout, stride):
    return [nn.Conv2d(cin, cin, 3, stride, 1, groups=cin, bias=False), nn.BatchNorm2d(cin, eps=1e-3), nn.ReLU6(),
            nn.Conv2d(cin, cout, 1, bias=False), nn.BatchNorm2d(cout, eps=1e-3), nn.ReLU6()]
a = 0.25
spec = [(64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2)] + [(512, 1)] * 5 + [(1024, 2), (1024, 1)]
layers = [nn.Conv2d(3, int(32 * a), 3, 2, 1, bias=False), nn.BatchNorm2d(int(32 * a), eps=1e-3), nn.ReLU6()]
cin = int(32 * a)
for f, s in spec:
    layers += block(cin, int(f * a), s); cin = int(f * a)
layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Dropout(1e-3), nn.Linear(cin, len(classes))]
model = nn.Sequential(*layers)
opt = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)
loss_fn = nn.CrossEntropyLoss()
loader = DataLoader(Folder(), batch_size=batch, shuffle=True, num_workers=workers, persistent_workers=workers > 0)
for epoch in range(epochs):
    model.train(); start = time.time(); n = 0
    for x, y in loader:
        opt.zero_grad(); loss = loss_fn(model(x), y); loss.backward(); opt.step(); n += len(y)
    elapsed = time.time() - start
print("images_per_second %f" % (n / elapsed))
)PY";

struct EpochTimes : TrainObserver {
  void onEpoch(const EpochEvent& e) override { epochs.push_back(e); }
  std::vector<EpochEvent> epochs;
};

Model mobilenet(int classes) {
  zoo::ZooOptions z;
  z.architecture = "mobilenet";
  z.alpha = 0.25;
  z.inputSize = kInput;
  z.includeTop = true;
  z.classes = classes;
  Model m;
  m.graph = zoo::buildGraph(z);
  initializeWeights(m.graph, analyzeOrThrow(m.graph), m.weights, 1);
  m.preprocessing = Preprocessing::Tf;
  return m;
}

std::vector<EpochEvent> run(const Model& model, const TrainingSet& data, TrainOptions options) {
  EpochTimes times;
  const TrainResult r = trainModel(model, data, options, &times);
  if (r.status != TrainStatus::Completed) throw Error("benchmark run failed: " + r.message);
  return times.epochs;
}

double meanAfterFirst(const std::vector<EpochEvent>& epochs, double EpochEvent::*field) {
  double sum = 0.0;
  for (size_t i = 1; i < epochs.size(); ++i) sum += epochs[i].*field;
  return sum / static_cast<double>(epochs.size() - 1);
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const int perClass = argc > 1 ? std::stoi(argv[1]) : 96;
    const int cores = useAllCoresForTorch();
    test::TempDir dir;
    const std::string root = (dir.path() / "data").string();
    SampleDataOptions sample;
    sample.imagesPerClass = perClass;
    sample.size = 128;
    writeSampleData(root, sample);
    const TrainingSet data = prepareTrainingSet(root, "", 0.0, 0);
    std::printf(
        "job: MobileNet alpha 0.25, %dx%d, batch %d, adam; %zu images; %d cores; %d epochs "
        "(first is warm-up)\n",
        kInput, kInput, kBatch, data.train.size(), cores, kEpochs);

    TrainOptions options;
    options.epochs = kEpochs;
    options.batchSize = kBatch;
    options.seed = 1;
    const Model model = mobilenet(3);
    const auto graft = run(model, data, options);
    const double graftIps = meanAfterFirst(graft, &EpochEvent::imagesPerSecond);
    std::printf("graft:   %8.1f images/s (waited for data %.0f%% of the time)\n", graftIps,
                100.0 * meanAfterFirst(graft, &EpochEvent::dataWaitFraction));

    const std::string script = dir.file("job.py");
    std::ofstream(script) << kPythonJob;
    const auto py = test::runProgram(GRAFT_PYTHON,
                                     {script, root, std::to_string(kInput), std::to_string(kBatch),
                                      std::to_string(kEpochs), std::to_string(cores)});
    const auto at = py.out.find("images_per_second ");
    if (py.exitCode != 0 || at == std::string::npos) {
      std::printf("python:  failed (%d): %s\n", py.exitCode, py.err.c_str());
    } else {
      const double pyIps = std::stod(py.out.substr(at + 18));
      std::printf("python:  %8.1f images/s (torch.utils.data.DataLoader, %d workers)\n", pyIps,
                  cores);
      std::printf("ratio graft / python: %.2f\n", graftIps / pyIps);
    }

    // Frozen base, new head: cached against uncached.
    options.freezeUpto = "conv_pw_13_relu";
    const auto uncached = run(model, data, options);
    options.cacheFrozen = true;
    const auto cached = run(model, data, options);
    const double plainSeconds = meanAfterFirst(uncached, &EpochEvent::seconds);
    const double cachedSeconds = meanAfterFirst(cached, &EpochEvent::seconds);
    std::printf(
        "frozen base, new head: uncached %.3f s/epoch, cached %.3f s/epoch (first cached "
        "epoch %.3f s, computes the features)\n",
        plainSeconds, cachedSeconds, cached.front().seconds);
    std::printf("ratio uncached / cached epoch time: %.1f\n", plainSeconds / cachedSeconds);
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_train: %s\n", e.what());
    return 1;
  }
}
