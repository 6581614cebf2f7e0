// graft-cli edit --samples DIR: the least-squares fusion of two convolutions with a ReLU between
// them, through the binary, on images written by graft-cli sample-data; and the same fusion in a
// pipeline, fitted to its "samples" folder.
#include <gtest/gtest.h>

#include <fstream>

#include "io/project_file.h"
#include "io/recipe.h"
#include "support/test_support.h"

namespace graft::test {
namespace {

// 16 x 16 input -> conv_a (3x3 relu) -> conv_b (3x3) -> pooling -> 3 classes.
const char* kPairModel =
    R"({"class_name": "Sequential", "config": {"name": "pair", "layers": [
  {"class_name": "InputLayer", "config": {"name": "input_1", "batch_input_shape": [null, 16, 16, 3]}},
  {"class_name": "Conv2D", "config": {"name": "conv_a", "filters": 8, "kernel_size": [3, 3],
                                      "padding": "same", "activation": "relu"}},
  {"class_name": "Conv2D", "config": {"name": "conv_b", "filters": 6, "kernel_size": [3, 3],
                                      "padding": "same"}},
  {"class_name": "GlobalAveragePooling2D", "config": {"name": "pool"}},
  {"class_name": "Dense", "config": {"name": "predictions", "units": 3, "activation": "softmax"}}
]}})";

struct Fixture {
  TempDir dir;
  std::string model = dir.file("pair.json");
  std::string images = dir.file("images");
  std::string recipe = dir.file("fuse.json");

  Fixture() {
    std::ofstream(model) << kPairModel;
    std::ofstream(recipe)
        << recipeDocument(Json::array({{{"op", "fuse"}, {"layers", {"conv_a", "conv_b"}}}})).dump();
    const CommandResult data =
        runCli({"sample-data", images, "--images-per-class", "3", "--size", "24"});
    EXPECT_EQ(data.exitCode, 0) << data.err;
  }
};

TEST(CliEditSamples, WithoutSamplesTheNonlinearFuseIsRefusedWithTheWayOut) {
  Fixture f;
  const CommandResult r =
      runCli({"edit", f.model, "--recipe", f.recipe, "-o", f.dir.file("out.graft")});
  EXPECT_EQ(r.exitCode, 1);
  EXPECT_NE(r.err.find("operations[0] (fuse)"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("--samples"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(f.dir.file("out.graft")));
}

TEST(CliEditSamples, FitsOneFiveByFiveConvolutionAndRecordsItsError) {
  Fixture f;
  const std::string out = f.dir.file("out.graft");
  const CommandResult r = runCli({"edit", f.model, "--recipe", f.recipe, "-o", out, "--samples",
                                  f.images, "--sample-count", "6", "--json"});
  ASSERT_EQ(r.exitCode, 0) << r.err;
  const Json report = Json::parse(r.out);
  ASSERT_EQ(report["notes"].size(), 1u) << r.out;
  const std::string note = report["notes"][0];
  EXPECT_NE(note.find("least squares over 1536 output positions of 6 samples"), std::string::npos)
      << note;

  const Model edited = loadProject(out);
  EXPECT_FALSE(edited.graph.find("conv_b"));
  EXPECT_EQ(edited.graph.at("conv_a").config["kernel_size"], Json({5, 5}));
  EXPECT_EQ(edited.graph.at("conv_a").config["filters"], 6);
  const Json& step = edited.recipe.back();
  EXPECT_EQ(step["method"], "least_squares");
  EXPECT_EQ(step["samples"], 6);
  const double error = step["relative_error"];
  EXPECT_GT(error, 0.0);
  EXPECT_LT(error, 1.0);

  // The project's recipe replays on the original model with the same images: same kernel.
  std::ofstream(f.dir.file("replay.json")) << recipeDocument(edited.recipe).dump();
  const std::string again = f.dir.file("again.graft");
  const CommandResult replay = runCli({"edit", f.model, "--recipe", f.dir.file("replay.json"), "-o",
                                       again, "--samples", f.images, "--sample-count", "6"});
  ASSERT_EQ(replay.exitCode, 0) << replay.err;
  EXPECT_EQ(*(*loadProject(again).weights.find("conv_a"))[0].data,
            *(*edited.weights.find("conv_a"))[0].data);
  // Without the images the recorded step cannot be replayed, and the message says so.
  const CommandResult bare =
      runCli({"edit", f.model, "--recipe", f.dir.file("replay.json"), "-o", again});
  EXPECT_EQ(bare.exitCode, 1);
  EXPECT_NE(bare.err.find("--samples"), std::string::npos) << bare.err;
}

TEST(CliEditSamples, AnUnreadableImageIsLeftOutAndOnlyNoneReadableIsRefused) {
  Fixture f;  // 3 classes x 3 images
  std::ofstream(f.images + "/broken.jpg") << "not a jpeg";
  const std::string out = f.dir.file("out.graft");
  const CommandResult r = runCli({"edit", f.model, "--recipe", f.recipe, "-o", out, "--samples",
                                  f.images, "--sample-count", "20", "--json"});
  ASSERT_EQ(r.exitCode, 0) << r.err;
  EXPECT_NE(r.out.find("of 9 samples"), std::string::npos) << r.out;

  const std::string junk = f.dir.file("junk");
  std::filesystem::create_directories(junk);
  std::ofstream(junk + "/a.jpg") << "not a jpeg";
  const CommandResult none = runCli(
      {"edit", f.model, "--recipe", f.recipe, "-o", f.dir.file("none.graft"), "--samples", junk});
  EXPECT_EQ(none.exitCode, 1);
  EXPECT_NE(none.err.find("none of the 1 sample images could be read"), std::string::npos)
      << none.err;
  EXPECT_NE(none.err.find("a.jpg"), std::string::npos) << none.err;
  EXPECT_FALSE(std::filesystem::exists(f.dir.file("none.graft")));
}

TEST(CliEditSamples, APipelineFitsToItsSamplesFolder) {
  Fixture f;
  const Json pipeline = {{"graft_pipeline", 1},
                         {"model", f.model},
                         {"recipe", f.recipe},
                         {"samples", {{"data", f.images}, {"count", 4}}},
                         {"output", f.dir.file("piped.graft")},
                         {"checks", {"total_params <= 1000"}}};
  std::ofstream(f.dir.file("pipeline.json")) << pipeline.dump();
  const CommandResult r = runCli({"run", f.dir.file("pipeline.json"), "--quiet"});
  ASSERT_EQ(r.exitCode, 0) << r.out << r.err;
  EXPECT_EQ(loadProject(f.dir.file("piped.graft")).recipe.back()["samples"], 4);

  Json noSamples = pipeline;
  noSamples.erase("samples");
  std::ofstream(f.dir.file("bare.json")) << noSamples.dump();
  const CommandResult bare = runCli({"run", f.dir.file("bare.json")});
  EXPECT_EQ(bare.exitCode, 1);
  // Named as the pipeline gives it, not graft-cli edit's --samples.
  EXPECT_NE((bare.out + bare.err).find("the pipeline's \"samples\" field"), std::string::npos)
      << bare.out << bare.err;
  EXPECT_EQ((bare.out + bare.err).find("--samples"), std::string::npos) << bare.out << bare.err;

  // The fits compute where "device" says: the CPU by name works; a device that is not one is
  // refused by its JSON path before anything runs.
  Json onCpu = pipeline;
  onCpu["samples"]["device"] = "cpu";
  onCpu["output"] = f.dir.file("cpu.graft");
  std::ofstream(f.dir.file("cpu.json")) << onCpu.dump();
  const CommandResult cpu = runCli({"run", f.dir.file("cpu.json"), "--quiet"});
  EXPECT_EQ(cpu.exitCode, 0) << cpu.out << cpu.err;
  Json badDevice = pipeline;
  badDevice["samples"]["device"] = "gpu";
  std::ofstream(f.dir.file("gpu.json")) << badDevice.dump();
  const CommandResult gpu = runCli({"run", f.dir.file("gpu.json")});
  EXPECT_NE(gpu.exitCode, 0);
  EXPECT_NE(gpu.err.find("samples.device"), std::string::npos) << gpu.err;
  EXPECT_NE(gpu.err.find("expected auto, cpu, cuda or cuda:N"), std::string::npos) << gpu.err;
}

}  // namespace
}  // namespace graft::test
