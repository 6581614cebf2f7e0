// The threaded input pipeline: batch contents and order, preprocessing, unreadable files,
// reproducible augmentation.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>

#include "graph/diagnostic.h"
#include "graph/graph_builder.h"
#include "runtime/data/data_pipeline.h"
#include "support/test_support.h"
#include "train_test_support.h"

namespace graft {
namespace {

namespace fs = std::filesystem;

InputSpec unitInput(int size) {
  InputSpec spec;
  spec.height = spec.width = size;
  spec.channels = 3;
  spec.preprocessing = Preprocessing::Unit;
  return spec;
}

std::vector<Batch> drain(BatchLoader& loader) {
  std::vector<Batch> out;
  while (auto b = loader.next()) out.push_back(std::move(*b));
  return out;
}

TEST(BatchLoader, BatchesComeInTheOrderAskedWithLabelsAndPreprocessedPixels) {
  test::TempDir dir;
  std::vector<ImageSample> samples;
  for (int i = 0; i < 10; ++i) {
    const fs::path p = dir.path() / ("img" + std::to_string(i) + ".png");
    test::writeSolidPng(p, 6, 10 * i, 255 - 10 * i, 51);
    samples.push_back({p.string(), i % 3});
  }
  LoaderOptions options;
  options.batchSize = 4;
  options.workers = 3;
  options.prefetch = 2;
  BatchLoader loader(samples, unitInput(4), options, nullptr);
  const std::vector<size_t> order = {9, 8, 7, 6, 5, 4, 3, 2, 1, 0};
  for (int pass = 0; pass < 2; ++pass) {  // a second pass reuses the same workers
    loader.start(order, 0);
    const auto batches = drain(loader);
    ASSERT_EQ(batches.size(), 3u);
    EXPECT_EQ(batches[0].images.sizes(), (std::vector<int64_t>{4, 3, 4, 4}));
    EXPECT_EQ(batches[2].images.size(0), 2);
    size_t k = 0;
    for (const auto& b : batches) {
      for (int64_t j = 0; j < b.labels.numel(); ++j, ++k) {
        const size_t sample = order[k];
        EXPECT_EQ(b.samples[static_cast<size_t>(j)], sample);
        EXPECT_EQ(b.labels[j].item<int64_t>(), static_cast<int64_t>(sample % 3));
        // Unit preprocessing: x / 255, channel-planar RGB.
        EXPECT_NEAR(b.images[j][0][1][2].item<float>(), 10.0f * sample / 255.0f, 1e-6);
        EXPECT_NEAR(b.images[j][1][3][0].item<float>(), (255.0f - 10.0f * sample) / 255.0f, 1e-6);
        EXPECT_NEAR(b.images[j][2][0][0].item<float>(), 51.0f / 255.0f, 1e-6);
      }
    }
    EXPECT_EQ(k, samples.size());
  }
}

// A loader thread that cannot start (the process's thread or memory limit) is an error naming
// --workers; the threads already started are joined, where they used to end the process
// (std::terminate: a joinable std::thread destroyed by the constructor's unwinding).
TEST(BatchLoader, AThreadThatCannotStartIsAnErrorNotAnAbort) {
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    alarm(60);  // a child that hangs ends instead of holding the test until ctest's timeout
    // Room for the process as it is and a few thread stacks (8 MiB each), not 4000.
    std::ifstream status("/proc/self/status");
    std::string line;
    rlim_t used = 0;
    while (std::getline(status, line))
      if (line.rfind("VmSize:", 0) == 0) used = std::stoull(line.substr(7)) * 1024;
    const rlimit limit{used + (rlim_t{64} << 20), used + (rlim_t{64} << 20)};
    if (setrlimit(RLIMIT_AS, &limit) != 0) _exit(3);
    LoaderOptions options;
    options.batchSize = 1;
    options.workers = 4000;
    try {
      BatchLoader loader({}, unitInput(4), options, nullptr);
    } catch (const Error& e) {
      const std::string what = e.what();
      _exit(what.find("--workers") != std::string::npos &&
                    what.find("could not start image loader thread") != std::string::npos
                ? 0
                : 4);
    } catch (...) {
      _exit(5);
    }
    _exit(6);  // every thread started: the limit did not bite
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status)) << "the child died of signal " << WTERMSIG(status);
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

// A (None, H, W) input: images read grey, batches (N, H, W) as the model takes them.
TEST(BatchLoader, PlaneInputsGetGreyBatchesWithoutAChannelAxis) {
  GraphBuilder b("mnist_style");
  auto x = b.input("input_1", {kUnknown, 5, 6});
  x = b.add("Flatten", "flatten", Json::object(), x);
  b.add("Dense", "fc", {{"units", 2}}, x);
  Model model;
  model.graph = b.build();
  model.preprocessing = Preprocessing::Unit;
  const InputSpec input = inputSpecFor(model);
  EXPECT_TRUE(input.plane);
  EXPECT_EQ(input.channels, 1);
  EXPECT_EQ(input.height, 5);
  EXPECT_EQ(input.width, 6);

  test::TempDir dir;
  const fs::path p = dir.path() / "grey.png";
  test::writeSolidPng(p, 6, 102, 102, 102);
  LoaderOptions options;
  options.batchSize = 2;
  BatchLoader loader({{p.string(), 0}, {p.string(), 1}}, input, options, nullptr);
  loader.startInOrder();
  const auto batches = drain(loader);
  ASSERT_EQ(batches.size(), 1u);
  EXPECT_EQ(batches[0].images.sizes(), (std::vector<int64_t>{2, 5, 6}));
  EXPECT_NEAR(batches[0].images[1][4][5].item<float>(), 0.4f, 1e-6);
}

TEST(BatchLoader, UnreadableFilesAreSkippedAndListedOthersStillLoad) {
  test::TempDir dir;
  const fs::path root = dir.path() / "data";
  test::drawColourFolder(root, {"a", "b"}, {3, 3}, 8);
  // A JPEG cut in half, a text file with an image name, an empty file.
  std::vector<unsigned char> jpeg;
  cv::imencode(".jpg", cv::Mat(32, 32, CV_8UC3, cv::Scalar(10, 200, 30)), jpeg);
  std::ofstream(root / "a" / "truncated.jpg", std::ios::binary)
      .write(reinterpret_cast<const char*>(jpeg.data()),
             static_cast<std::streamsize>(jpeg.size() / 2));
  std::ofstream(root / "a" / "text.png") << "this is not a PNG\n";
  std::ofstream(root / "b" / "empty.jpg").flush();
  // A grayscale PNG and a 16-bit PNG are images and must load.
  cv::imwrite((root / "b" / "gray.png").string(), cv::Mat(8, 8, CV_8UC1, cv::Scalar(128)));
  cv::imwrite((root / "b" / "deep.png").string(),
              cv::Mat(8, 8, CV_16UC3, cv::Scalar(65535, 0, 257)));
  std::ofstream(root / "b" / "notes.txt") << "ignored by extension\n";

  const ImageFolder folder = scanImageFolder(root.string());
  ASSERT_EQ(folder.samples.size(), 11u);
  auto skipped = std::make_shared<SkippedFiles>();
  LoaderOptions options;
  options.batchSize = 4;
  options.workers = 2;
  BatchLoader loader(folder.samples, unitInput(8), options, skipped);
  loader.startInOrder();
  int64_t images = 0;
  for (const auto& b : drain(loader)) {
    images += b.labels.numel();
    for (size_t s : b.samples) {
      const std::string& path = folder.samples[s].path;
      if (path.find("deep.png") != std::string::npos) {
        const int64_t j = std::find(b.samples.begin(), b.samples.end(), s) - b.samples.begin();
        EXPECT_NEAR(b.images[j][0][0][0].item<float>(), 257.0f / 65535.0f, 1e-6);  // R (BGR 257)
        EXPECT_NEAR(b.images[j][2][0][0].item<float>(), 1.0f, 1e-6);
      }
    }
  }
  EXPECT_EQ(images, 8);
  ASSERT_EQ(skipped->count(), 3u);
  const auto list = skipped->list();
  EXPECT_NE(list[0].first.find("text.png"), std::string::npos);  // sorted by path
  EXPECT_NE(list[1].first.find("truncated.jpg"), std::string::npos);
  EXPECT_NE(list[2].first.find("empty.jpg"), std::string::npos);
  for (const auto& [path, reason] : list) EXPECT_NE(reason.find(path), std::string::npos) << reason;

  // A second pass does not decode the known-bad files again, and gives the same images.
  loader.startInOrder();
  int64_t again = 0;
  for (const auto& b : drain(loader)) again += b.labels.numel();
  EXPECT_EQ(again, 8);
}

TEST(BatchLoader, AugmentationDependsOnSeedEpochAndSampleNotOnThreads) {
  test::TempDir dir;
  test::drawColourFolder(dir.path(), {"a", "b"}, {6, 6}, 20);
  const ImageFolder folder = scanImageFolder(dir.path().string());
  auto run = [&](int workers, uint64_t epoch, uint64_t seed) {
    LoaderOptions options;
    options.batchSize = 5;
    options.workers = workers;
    options.seed = seed;
    options.augment = parseAugmentList("all");
    BatchLoader loader(folder.samples, unitInput(12), options, nullptr);
    std::vector<size_t> order(folder.samples.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = order.size() - 1 - i;
    loader.start(order, epoch);
    std::vector<torch::Tensor> parts;
    for (auto& b : drain(loader)) parts.push_back(b.images);
    return torch::cat(parts);
  };
  const auto one = run(1, 3, 11);
  EXPECT_TRUE(torch::equal(one, run(4, 3, 11)));
  EXPECT_FALSE(torch::equal(one, run(1, 4, 11)));
  EXPECT_FALSE(torch::equal(one, run(1, 3, 12)));
  EXPECT_GE(one.min().item<float>(), 0.0f);
  EXPECT_LE(one.max().item<float>(), 1.0f);
}

TEST(BatchLoader, AugmentListNamesTheUnknownItem) {
  const AugmentOptions all = parseAugmentList("all");
  EXPECT_TRUE(all.crop && all.flip && all.rotate && all.shift && all.brightness && all.contrast);
  const AugmentOptions some = parseAugmentList("flip, crop");
  EXPECT_EQ(some.describe(), "crop,flip");
  EXPECT_FALSE(parseAugmentList("").any());
  EXPECT_FALSE(parseAugmentList("none").any());
  try {
    parseAugmentList("flip,zoom");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("--augment: unknown augmentation 'zoom'"),
              std::string::npos)
        << e.what();
  }
}

TEST(BatchLoader, FlipMirrorsTheImage) {
  // One sample per seed: find a stream that flips and check the pixels moved.
  cv::Mat image(4, 4, CV_32FC3, cv::Scalar(0, 0, 0));
  image.at<cv::Vec3f>(1, 0) = cv::Vec3f(255, 255, 255);
  AugmentOptions flip;
  flip.flip = true;
  int flipped = 0;
  for (uint64_t seed = 0; seed < 16; ++seed) {
    Random random(seed);
    const cv::Mat out = augmentAndResize(image, cv::Size(4, 4), flip, random);
    if (out.at<cv::Vec3f>(1, 3)[0] == 255.0f) {
      ++flipped;
      EXPECT_EQ(out.at<cv::Vec3f>(1, 0)[0], 0.0f);
    } else {
      EXPECT_EQ(out.at<cv::Vec3f>(1, 0)[0], 255.0f);
    }
  }
  EXPECT_GT(flipped, 2);
  EXPECT_LT(flipped, 14);
}

}  // namespace
}  // namespace graft
