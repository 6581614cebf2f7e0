// Benchmark (prints ratios; not a timed test): Graft against the same jobs written with Debian's
// python3-torch (the same LibTorch 1.13), side by side in one run, best of N (default 3):
//  - fine-tuning, every layer training, SGD with momentum, batch 32, on 128-pixel PNGs from
//    sample-data with torch.utils.data.DataLoader (one worker process per core) on the PyTorch
//    side: MobileNet alpha 0.25 at 96 and at 128 px (3-class top), and VGG16 cut after
//    block2_pool with a global-average-pooling + 3-class Dense head at 128 px;
//  - prediction, batch 16, MobileNet alpha 0.25 at 224 px on 224-pixel PNGs (Graft's
//    Predictor: load, resize, preprocess, forward, top 5; PyTorch: DataLoader, eval mode,
//    no_grad, softmax, topk);
//  - the epoch time with --cache-frozen against without, for the base frozen up to
//    conv_pw_13_relu (the classic "train a new head on a frozen base" job; Graft only).
// Usage: bench_train [--repeats N] [--passes N] [--job NAME]... [--graft-only] [--no-cache-job]
//                    [--cuda-graph]
//                    [--python-spin] (PyTorch with Graft's OpenMP spin count too)
//                    [--python-malloc] (PyTorch with Graft's glibc malloc settings too)
//                    [--graft-glibc-malloc] (Graft with glibc's malloc defaults: as before #25)
//   --passes: passes over the images per run (default 3; the first is warm-up).
//   NAME: mobilenet96, mobilenet128, vgg128, predict224; resnet224 and latency224 only when
//   named.
//   --device D / --precision P / --channels-last auto|on|off: both sides compute there and so
//   (#23: --device cuda on a GPU machine, tests/device/cuda_check.sh). --graft-only skips PyTorch
//   (to profile Graft alone: perf record -g build/tests/bench_train --job mobilenet96
//   --graft-only).
//   --profile prints LibTorch's profile (self time per operation) of Graft's first run.
//   --cuda-graph: each training job's Graft side runs twice, as it is and with the whole training
//   step captured as a CUDA graph (TrainOptions::cudaGraph, runtime/training/step_graph.h); a
//   second row, "<job>+graph", gives that rate against the same PyTorch runs, and the run's note
//   says whether the step was captured or why not (#23: tests/device/cuda_check.sh).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <string>

#include <torch/csrc/autograd/profiler_legacy.h>

#include "graph/analysis.h"
#include "graph/surgery/ops.h"
#include "graph/surgery/surgery.h"
#include "io/zoo/zoo.h"
#include "runtime/data/sample_data.h"
#include "runtime/prediction/predict.h"
#include "runtime/system/device.h"
#include "runtime/system/memory_policy.h"
#include "runtime/system/threads.h"
#include "runtime/training/trainer.h"
#include "support/test_support.h"

namespace {

using namespace graft;

// Passes over the images per run (--passes): the first is warm-up (allocations, page cache),
// the later ones are timed.
int passesPerRun = 3;

// The same networks and input pipelines in PyTorch, the way a PyTorch user writes them.
const char* kPythonJob = R"PY(
import sys, time, cv2, torch, torch.nn as nn
from torch.utils.data import Dataset, DataLoader
import os
mode, net, root, size, batch, epochs, workers, lr = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6]), int(sys.argv[7]), float(sys.argv[8])
device, precision = torch.device(sys.argv[9]), sys.argv[10]
layout = torch.channels_last if sys.argv[11] == "on" else torch.contiguous_format
cuda = device.type == "cuda"
if cuda:  # float32 as float32 on both sides (Graft turns TF32 off: runtime/system/device.h)
    torch.backends.cudnn.allow_tf32 = torch.backends.cuda.matmul.allow_tf32 = False
low = {"bf16": torch.bfloat16, "fp16": torch.float16}.get(precision)
torch.set_num_threads(workers)  # the cores Graft uses (its CPU affinity)
classes = sorted(os.listdir(root))
files = [(os.path.join(root, c, f), i) for i, c in enumerate(classes) for f in sorted(os.listdir(os.path.join(root, c)))]
scale, shift = (1 / 127.5, -1.0) if net == "mobilenet" else (1.0, 0.0)  # resnet: caffe, near enough
class Folder(Dataset):
    def __len__(self): return len(files)
    def __getitem__(self, k):
        path, label = files[k]
        img = cv2.cvtColor(cv2.imread(path, cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB)
        img = cv2.resize(img, (size, size), interpolation=cv2.INTER_NEAREST)
        x = torch.from_numpy(img).permute(2, 0, 1).float() * scale + shift
        return x, label
def mobilenet():
    def block(cin, cout, stride):
        return [nn.Conv2d(cin, cin, 3, stride, 1, groups=cin, bias=False), nn.BatchNorm2d(cin, eps=1e-3), nn.ReLU6(),
                nn.Conv2d(cin, cout, 1, bias=False), nn.BatchNorm2d(cout, eps=1e-3), nn.ReLU6()]
    a = 0.25
    spec = [(64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2)] + [(512, 1)] * 5 + [(1024, 2), (1024, 1)]
    layers = [nn.Conv2d(3, int(32 * a), 3, 2, 1, bias=False), nn.BatchNorm2d(int(32 * a), eps=1e-3), nn.ReLU6()]
    cin = int(32 * a)
    for f, s in spec:
        layers += block(cin, int(f * a), s); cin = int(f * a)
    return layers + [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Dropout(1e-3), nn.Linear(cin, len(classes))]
def vgg_block2():
    def conv(cin, cout): return [nn.Conv2d(cin, cout, 3, 1, 1), nn.ReLU()]
    return (conv(3, 64) + conv(64, 64) + [nn.MaxPool2d(2)] + conv(64, 128) + conv(128, 128) + [nn.MaxPool2d(2)] +
            [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(128, len(classes))])
class Bottleneck(nn.Module):  # Keras's ResNet50 block: stride on the first 1x1, biased convs
    def __init__(self, cin, mid, stride):
        super().__init__()
        bn = lambda c: nn.BatchNorm2d(c, eps=1.001e-5)
        self.body = nn.Sequential(nn.Conv2d(cin, mid, 1, stride), bn(mid), nn.ReLU(), nn.Conv2d(mid, mid, 3, 1, 1), bn(mid), nn.ReLU(), nn.Conv2d(mid, 4 * mid, 1), bn(4 * mid))
        self.short = nn.Sequential(nn.Conv2d(cin, 4 * mid, 1, stride), bn(4 * mid)) if stride != 1 or cin != 4 * mid else nn.Identity()
    def forward(self, x): return torch.relu(self.body(x) + self.short(x))
def resnet50():
    layers = [nn.ZeroPad2d(3), nn.Conv2d(3, 64, 7, 2), nn.BatchNorm2d(64, eps=1.001e-5), nn.ReLU(), nn.ZeroPad2d(1), nn.MaxPool2d(3, 2)]
    cin = 64
    for mid, blocks, stride in [(64, 3, 1), (128, 4, 2), (256, 6, 2), (512, 3, 2)]:
        for b in range(blocks):
            layers.append(Bottleneck(cin, mid, stride if b == 0 else 1)); cin = 4 * mid
    return layers + [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(cin, len(classes))]
model = nn.Sequential(*{"mobilenet": mobilenet, "vgg": vgg_block2, "resnet50": resnet50}[net]()).to(device, memory_format=layout)
loader = DataLoader(Folder(), batch_size=batch, shuffle=(mode == "train"), num_workers=workers, persistent_workers=workers > 0, pin_memory=cuda)
def done():  # the device's queue has run: what was timed is finished work
    if cuda: torch.cuda.synchronize()
if mode == "train":
    opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9)
    loss_fn = nn.CrossEntropyLoss()
    Scaler = getattr(torch.amp, "GradScaler", None) or torch.cuda.amp.GradScaler  # 1.13: cuda's
    scaler = Scaler(enabled=precision == "fp16")
    for epoch in range(epochs):
        model.train(); start = time.time(); n = 0
        for x, y in loader:
            x, y = x.to(device, non_blocking=True, memory_format=layout), y.to(device, non_blocking=True)
            opt.zero_grad()
            with torch.autocast(device.type, dtype=low, enabled=low is not None):
                loss = loss_fn(model(x), y)
            scaler.scale(loss).backward(); scaler.step(opt); scaler.update(); n += len(y)
            loss.item()  # as Graft reads each step's loss
        done(); elapsed = time.time() - start
else:
    model.eval()
    with torch.no_grad():
        for epoch in range(epochs):
            start = time.time(); n = 0
            for x, y in loader:
                top = torch.softmax(model(x.to(device, non_blocking=True, memory_format=layout)), 1).topk(min(5, len(classes)), 1); n += len(y)
                top.values.cpu()
            done(); elapsed = time.time() - start
print("images_per_second %f" % (n / elapsed))
)PY";

struct EpochTimes : TrainObserver {
  void onEpoch(const EpochEvent& e) override { epochs.push_back(e); }
  void onNote(const std::string& text) override {
    if (text.find("CUDA graph") != std::string::npos) graphNote = text;
  }
  std::vector<EpochEvent> epochs;
  std::string graphNote;  // --cuda-graph: captured, or why not
};

Model initialized(Graph graph, Preprocessing preprocessing) {
  Model m;
  m.graph = std::move(graph);
  initializeWeights(m.graph, analyzeOrThrow(m.graph), m.weights, 1);
  m.preprocessing = preprocessing;
  return m;
}

Model mobilenet(int input, int classes) {
  zoo::ZooOptions z;
  z.architecture = "mobilenet";
  z.alpha = 0.25;
  z.inputSize = input;
  z.includeTop = true;
  z.classes = classes;
  return initialized(zoo::buildGraph(z), Preprocessing::Tf);
}

Model resnet50(int input, int classes) {
  zoo::ZooOptions z;
  z.architecture = "resnet50";
  z.inputSize = input;
  z.includeTop = true;
  z.classes = classes;
  return initialized(zoo::buildGraph(z), Preprocessing::Caffe);
}

// VGG16's first two blocks, global average pooling, a new 3-class Dense head.
Model vggBlock2(int input, int classes) {
  zoo::ZooOptions z;
  z.architecture = "vgg16";
  z.inputSize = input;
  z.includeTop = false;
  Model m = initialized(zoo::buildGraph(z), Preprocessing::None);
  for (const Json& op :
       {ops::cut("block2_pool"),
        ops::stack("block2_pool",
                   {ops::layer("GlobalAveragePooling2D", "avg_pool"),
                    ops::layer("Dense", "predictions",
                               Json{{"units", classes}, {"activation", "softmax"}})})}) {
    auto edited = applyOperation(m, op);
    if (!edited) throw Error(edited.diagnostics());
    m = std::move(edited).value().model;
  }
  return m;
}

struct Job {
  std::string name, description;
  bool train = true;
  std::string pythonNet;  // "mobilenet", "vgg" or "resnet50"
  int input = 96, batch = 32, imagesPerClass = 96, imageSize = 128;
  Model (*model)(int input, int classes) = nullptr;
  // SGD's rate, the same on both sides: VGG without BatchNormalization from random weights
  // diverges at 0.01 (Graft stops on the NaN loss; PyTorch would go on with NaN).
  double learningRate = 0.01;
  bool onlyWhenNamed = false;  // the GPU jobs: slow on a CPU
};

std::vector<Job> allJobs() {
  return {
      {"mobilenet96", "fine-tune MobileNet a0.25 @96, batch 32, SGD momentum", true, "mobilenet",
       96, 32, 96, 128, mobilenet},
      {"mobilenet128", "fine-tune MobileNet a0.25 @128, batch 32, SGD momentum", true, "mobilenet",
       128, 32, 64, 128, mobilenet},
      {"vgg128", "fine-tune VGG16 cut at block2_pool @128, batch 32, SGD momentum", true, "vgg",
       128, 32, 22, 128, vggBlock2, 1e-4},
      {"predict224", "predict MobileNet a0.25 @224, batch 16", false, "mobilenet", 224, 16, 64, 224,
       mobilenet},
      // #23's GPU comparison (--device cuda): fine-tuning speed and one-image latency.
      {"resnet224", "fine-tune ResNet50 @224, batch 32, SGD momentum", true, "resnet50", 224, 32,
       64, 224, resnet50, 0.01, true},
      {"latency224", "predict ResNet50 @224 one image at a time (images/s = 1 / latency)", false,
       "resnet50", 224, 1, 16, 224, resnet50, 0.01, true},
  };
}

double meanAfterFirst(const std::vector<EpochEvent>& epochs, double EpochEvent::*field) {
  double sum = 0.0;
  for (size_t i = 1; i < epochs.size(); ++i) sum += epochs[i].*field;
  return sum / static_cast<double>(epochs.size() - 1);
}

EpochTimes runTraining(const Model& model, const TrainingSet& data, const TrainOptions& options) {
  EpochTimes times;
  const TrainResult r = trainModel(model, data, options, &times);
  if (r.status != TrainStatus::Completed) throw Error("benchmark run failed: " + r.message);
  return times;
}

// --device, --precision and --channels-last: where and how both sides compute.
std::string deviceText = "cpu";
std::string precisionText = "fp32";
std::string channelsLastText = "auto";

// What --channels-last comes to for `model` (auto as Graft decides it): "on" or "off", for the
// PyTorch side.
std::string channelsLastFor(const Graph& graph) {
  const bool on = computesChannelsLast(*parseChannelsLast(channelsLastText),
                                       resolveDevice(*parseDeviceChoice(deviceText)),
                                       *parsePrecision(precisionText), graph);
  return on ? "on" : "off";
}

TrainOptions sgdOptions(int batch, double learningRate = 0.01) {
  TrainOptions options;
  options.device = *parseDeviceChoice(deviceText);
  options.precision = *parsePrecision(precisionText);
  options.channelsLast = *parseChannelsLast(channelsLastText);
  options.epochs = passesPerRun;
  options.batchSize = batch;
  options.seed = 1;
  options.optimizer.kind = OptimizerKind::Sgd;
  options.optimizer.learningRate = learningRate;
  options.optimizer.momentum = 0.9;
  return options;
}

struct GraftRun {
  double imagesPerSecond = 0.0, dataWait = 0.0;
  std::string graphNote;
};

GraftRun graftTrain(const Job& job, const Model& model, const TrainingSet& data,
                    bool cudaGraph = false) {
  TrainOptions options = sgdOptions(job.batch, job.learningRate);
  options.cudaGraph = cudaGraph;
  const EpochTimes run = runTraining(model, data, options);
  return {meanAfterFirst(run.epochs, &EpochEvent::imagesPerSecond),
          meanAfterFirst(run.epochs, &EpochEvent::dataWaitFraction), run.graphNote};
}

GraftRun graftPredict(const Job& job, const Model& model, const std::vector<std::string>& files) {
  useAllCoresForTorch();
  Predictor predictor(model, *parseDeviceChoice(deviceText), *parseChannelsLast(channelsLastText));
  PredictOptions options;
  options.batchSize = job.batch;
  double seconds = 0.0;
  for (int pass = 0; pass < passesPerRun; ++pass) {
    const auto start = std::chrono::steady_clock::now();
    const auto results = predictor.run(files, options);
    for (const auto& r : results)
      if (!r.ok()) throw Error("prediction failed: " + r.error);
    if (pass > 0)
      seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }
  return {static_cast<double>(files.size()) * (passesPerRun - 1) / seconds, 0.0};
}

// The PyTorch side runs with the environment as the user has it: OpenMP's spin count that
// Graft chose for itself (useShortOpenMpSpin) is taken out of it (glibc's putenv removes a
// variable named without '='), unless --python-spin asks for the same setting there.
// --python-malloc gives it glibc's settings that keepFreedMemoryForReuse makes in Graft.
struct PythonSettings {
  bool graftSpin = false, graftMalloc = false;
};

std::vector<std::string> pythonEnvironment(PythonSettings settings) {
  std::vector<std::string> environment;
  if (settings.graftSpin)
    environment.push_back(std::string("GOMP_SPINCOUNT=") + kGraftOpenMpSpinCount);
  else if (openMpWaitChosenByGraft())
    environment.insert(environment.end(), {"GOMP_SPINCOUNT", "GRAFT_OMP_WAIT_CHOSEN"});
  if (settings.graftMalloc)
    environment.push_back("GLIBC_TUNABLES=glibc.malloc.mmap_max=0:glibc.malloc.trim_threshold=" +
                          std::to_string(kKeptFreeTopBytes));
  return environment;
}

double pythonRun(const Job& job, const Graph& graph, const std::string& script,
                 const std::string& root, int cores, PythonSettings settings) {
  const auto py = test::runProgram(
      GRAFT_PYTHON,
      {script, job.train ? "train" : "predict", job.pythonNet, root, std::to_string(job.input),
       std::to_string(job.batch), std::to_string(passesPerRun), std::to_string(cores),
       std::to_string(job.learningRate), deviceText == "auto" ? "cpu" : deviceText, precisionText,
       channelsLastFor(graph)},
      pythonEnvironment(settings));
  const auto at = py.out.find("images_per_second ");
  if (py.exitCode != 0 || at == std::string::npos)
    throw Error("python job failed (" + std::to_string(py.exitCode) + "): " + py.err);
  return std::stod(py.out.substr(at + 18));
}

std::vector<std::string> filesUnder(const std::string& root) {
  std::vector<std::string> files;
  for (const auto& e : std::filesystem::recursive_directory_iterator(root))
    if (e.is_regular_file()) files.push_back(e.path().string());
  std::sort(files.begin(), files.end());
  return files;
}

void cacheJob(const TrainingSet& data) {
  TrainOptions options = sgdOptions(32);
  options.freezeUpto = "conv_pw_13_relu";
  const Model model = mobilenet(96, 3);
  const auto uncached = runTraining(model, data, options).epochs;
  options.cacheFrozen = true;
  const auto cached = runTraining(model, data, options).epochs;
  const double plainSeconds = meanAfterFirst(uncached, &EpochEvent::seconds);
  const double cachedSeconds = meanAfterFirst(cached, &EpochEvent::seconds);
  std::printf(
      "frozen base, new head (MobileNet @96): uncached %.3f s/epoch, cached %.3f s/epoch (first "
      "cached epoch %.3f s, computes the features); ratio %.1f\n",
      plainSeconds, cachedSeconds, cached.front().seconds, plainSeconds / cachedSeconds);
}

// --profile: LibTorch's (legacy, CPU) profiler around Graft's first run of a job, on the thread
// that trains (forward, backward and optimizer all run there on the CPU). Prints each
// operation's self time (its time less that of the operations it called), largest first.
namespace prof = torch::autograd::profiler;

void printProfile(const prof::thread_event_lists& lists, double wallSeconds) {
  struct Total {
    double selfUs = 0.0;
    int64_t calls = 0;
  };
  std::map<std::string, Total> totals;
  double allUs = 0.0;
  for (const auto& events : lists) {
    struct Open {
      const prof::LegacyEvent* push;
      double childrenUs = 0.0;
    };
    std::vector<Open> stack;
    for (const auto& e : events) {
      if (e.kind() == prof::EventKind::PushRange) {
        stack.push_back({&e});
      } else if (e.kind() == prof::EventKind::PopRange) {
        // Pops match pushes by handle; ranges on one thread nest.
        while (!stack.empty() && stack.back().push->handle() != e.handle()) stack.pop_back();
        if (stack.empty()) continue;
        const Open open = stack.back();
        stack.pop_back();
        const double us = open.push->cpuElapsedUs(e);
        Total& t = totals[open.push->name()];
        t.selfUs += us - open.childrenUs;
        ++t.calls;
        if (stack.empty())
          allUs += us;
        else
          stack.back().childrenUs += us;
      }
    }
  }
  std::vector<std::pair<std::string, Total>> sorted(totals.begin(), totals.end());
  std::sort(sorted.begin(), sorted.end(),
            [](const auto& a, const auto& b) { return a.second.selfUs > b.second.selfUs; });
  std::printf(
      "  profile: %.2f s in recorded operations of %.2f s wall (the rest: loader waits, "
      "Graft's own code between operations)\n",
      allUs / 1e6, wallSeconds);
  for (size_t i = 0; i < std::min<size_t>(sorted.size(), 22); ++i)
    std::printf("  %6.1f%% %9.3f s %8lld calls  %s\n", 100.0 * sorted[i].second.selfUs / allUs,
                sorted[i].second.selfUs / 1e6, static_cast<long long>(sorted[i].second.calls),
                sorted[i].first.c_str());
}

template <typename F>
auto profiled(bool on, F&& f) {
  if (!on) return f();
  prof::enableProfilerLegacy(prof::ProfilerConfig(prof::ProfilerState::CPU));
  const auto start = std::chrono::steady_clock::now();
  auto result = f();
  const double wall =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  printProfile(prof::disableProfilerLegacy(), wall);
  return result;
}

}  // namespace

int main(int argc, char** argv) {
  useShortOpenMpSpin(argv);
  try {
    int repeats = 3;
    bool graftOnly = false, cache = true, profile = false, cudaGraph = false;
    PythonSettings pythonSettings;
    std::vector<std::string> wanted;
    for (int i = 1; i < argc; ++i) {
      const std::string a = argv[i];
      if (a == "--repeats" && i + 1 < argc) {
        repeats = std::max(1, std::stoi(argv[++i]));
      } else if (a == "--job" && i + 1 < argc) {
        wanted.push_back(argv[++i]);
      } else if (a == "--passes" && i + 1 < argc) {
        passesPerRun = std::max(2, std::stoi(argv[++i]));
      } else if (a == "--graft-only") {
        graftOnly = true;
      } else if (a == "--profile") {
        profile = true;
      } else if (a == "--graft-glibc-malloc") {
        setenv("GRAFT_GLIBC_MALLOC_DEFAULTS", "1", 1);
      } else if (a == "--python-spin") {
        pythonSettings.graftSpin = true;
      } else if (a == "--python-malloc") {
        pythonSettings.graftMalloc = true;
      } else if (a == "--device" && i + 1 < argc && parseDeviceChoice(argv[i + 1])) {
        deviceText = argv[++i];
      } else if (a == "--precision" && i + 1 < argc && parsePrecision(argv[i + 1])) {
        precisionText = argv[++i];
      } else if (a == "--channels-last" && i + 1 < argc && parseChannelsLast(argv[i + 1])) {
        channelsLastText = argv[++i];
      } else if (a == "--no-cache-job") {
        cache = false;
      } else if (a == "--cuda-graph") {
        cudaGraph = true;
      } else {
        std::fprintf(stderr, "bench_train: unknown argument %s\n", a.c_str());
        return 2;
      }
    }
    const int cores = useAllCoresForTorch();
    keepFreedMemoryForReuse();  // as graft and graft-cli do
    test::TempDir dir;
    const std::string script = dir.file("job.py");
    std::ofstream(script) << kPythonJob;
    auto variable = [](const char* name) {
      const char* value = std::getenv(name);
      return std::string(name) + "=" + (value ? value : "unset");
    };
    const std::string openMp = variable("OMP_WAIT_POLICY") + " " + variable("GOMP_SPINCOUNT");
    std::printf(
        "%d cores; best of %d; each run %d passes, the first is warm-up\nOpenMP: graft %s (%s); "
        "pytorch %s\nmalloc: graft %s; pytorch %s\n",
        cores, repeats, passesPerRun, openMp.c_str(),
        openMpWaitChosenByGraft() ? "chosen by graft" : "from the environment",
        pythonSettings.graftSpin
            ? "as graft's"
            : (openMpWaitChosenByGraft() ? "unset" : "as the user's environment says"),
        std::getenv("GRAFT_GLIBC_MALLOC_DEFAULTS") ? "glibc's defaults" : "keeps freed memory",
        pythonSettings.graftMalloc ? "as graft's (GLIBC_TUNABLES)" : "glibc's defaults");
    std::printf("%-14s %10s %10s %7s  %s\n", "job", "graft/s", "pytorch/s", "ratio", "what");
    std::optional<TrainingSet> mobilenet96Data;
    std::printf("device %s, precision %s, channels-last %s\n", deviceText.c_str(),
                precisionText.c_str(), channelsLastText.c_str());
    for (const Job& job : allJobs()) {
      const bool named = std::find(wanted.begin(), wanted.end(), job.name) != wanted.end();
      if (wanted.empty() ? job.onlyWhenNamed : !named) continue;
      const std::string root = (dir.path() / ("data_" + job.name)).string();
      SampleDataOptions sample;
      sample.imagesPerClass = job.imagesPerClass;
      sample.size = job.imageSize;
      writeSampleData(root, sample);
      const Model model = job.model(job.input, 3);
      const TrainingSet data = prepareTrainingSet(root, "", 0.0, 0);
      if (job.name == "mobilenet96") mobilenet96Data = data;
      const std::vector<std::string> files = filesUnder(root);
      GraftRun best, bestGraph;
      double bestPython = 0.0;
      std::string runs;  // every run's numbers, to see the spread the best hides
      const bool withGraph = cudaGraph && job.train;
      for (int r = 0; r < repeats; ++r) {
        const GraftRun g = profiled(profile && r == 0, [&] {
          return job.train ? graftTrain(job, model, data) : graftPredict(job, model, files);
        });
        if (g.imagesPerSecond > best.imagesPerSecond) best = g;
        runs += " " + std::to_string(static_cast<int>(g.imagesPerSecond));
        if (withGraph) {
          // Opt-in and unverified: a run that throws is reported in its row, not fatal.
          GraftRun captured;
          try {
            captured = graftTrain(job, model, data, true);
          } catch (const std::exception& e) {
            captured.graphNote = std::string("the run failed: ") + e.what();
          }
          if (captured.imagesPerSecond > bestGraph.imagesPerSecond) bestGraph = captured;
          runs += " (graph " + std::to_string(static_cast<int>(captured.imagesPerSecond)) + ")";
        }
        if (!graftOnly) {
          const double python = pythonRun(job, model.graph, script, root, cores, pythonSettings);
          bestPython = std::max(bestPython, python);
          runs += "/" + std::to_string(static_cast<int>(python));
        }
      }
      std::printf("%-14s %10.1f %10.1f %7.2f  %s, %zu images", job.name.c_str(),
                  best.imagesPerSecond, bestPython,
                  bestPython > 0 ? best.imagesPerSecond / bestPython : 0.0, job.description.c_str(),
                  files.size());
      if (job.train) std::printf(", graft waited for data %.0f%%", 100.0 * best.dataWait);
      std::printf("\n%-14s runs (graft/pytorch):%s; channels-last %s\n", "", runs.c_str(),
                  channelsLastFor(model.graph).c_str());
      if (withGraph)
        std::printf(
            "%-14s %10.1f %10.1f %7.2f  the same with the training step as a CUDA graph "
            "(x%.2f of graft without); %s\n",
            (job.name + "+graph").c_str(), bestGraph.imagesPerSecond, bestPython,
            bestPython > 0 ? bestGraph.imagesPerSecond / bestPython : 0.0,
            best.imagesPerSecond > 0 ? bestGraph.imagesPerSecond / best.imagesPerSecond : 0.0,
            bestGraph.graphNote.empty() ? "no note" : bestGraph.graphNote.c_str());
      std::fflush(stdout);
    }
    if (cache && mobilenet96Data) cacheJob(*mobilenet96Data);
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_train: %s\n", e.what());
    return 1;
  }
}
