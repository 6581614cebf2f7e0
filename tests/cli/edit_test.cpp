// graft-cli edit MODEL --recipe R.json -o OUT.graft: every recipe operation of DESIGN.md run
// through the binary, the result checked with `graft-cli summary --json` on the written project.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "graph/graph_builder.h"
#include "graph/keras_json.h"
#include "graph/surgery/ops.h"
#include "io/project_file.h"
#include "io/recipe.h"
#include "support/test_support.h"

namespace graft::test {
namespace {

namespace fs = std::filesystem;

void writeJson(const std::string& path, const Json& j) {
  std::ofstream out(path);
  out << j.dump(2);
}

Json recipe(Json operations) {
  return {{"graft_recipe", 1}, {"operations", operations}};
}

struct Cli {
  TempDir dir;
  std::vector<std::string> env{"KERAS_HOME=" + dir.path().string()};

  CommandResult edit(const std::string& model, const Json& operations,
                     std::vector<std::string> extra = {}) {
    writeJson(dir.file("recipe.json"), recipe(operations));
    std::vector<std::string> args{
        "edit", model, "--recipe", dir.file("recipe.json"), "-o", dir.file("out.graft")};
    args.insert(args.end(), extra.begin(), extra.end());
    return runCli(args, env);
  }

  Json summary(const std::string& model) {
    CommandResult r = runCli({"summary", model, "--json"}, env);
    EXPECT_EQ(r.exitCode, 0) << r.err;
    return Json::parse(r.out);
  }
};

const Json* layer(const Json& summary, const std::string& name) {
  for (const auto& l : summary["layers"])
    if (l["name"] == name) return &l;
  return nullptr;
}

// DESIGN.md's first lines: set_input_shape, cut, stack, freeze upto (the seed's example 1).
TEST(CliEdit, SetInputShapeCutStackFreezeOnVgg16) {
  Cli cli;
  ops::Selection upto;
  upto.upto = "block2_pool";
  const Json operations = Json::array(
      {ops::setInputShape({160, 160, 3}), ops::cut("block2_pool"),
       ops::stack("block2_pool",
                  {ops::layer("Conv2D", "head_conv",
                              {{"filters", 64}, {"kernel_size", {3, 3}}, {"activation", "relu"}}),
                   ops::layer("MaxPooling2D", "head_pool", {{"pool_size", {2, 2}}}),
                   ops::layer("Flatten", "head_flatten"),
                   ops::layer("Dense", "head_fc", {{"units", 256}, {"activation", "relu"}}),
                   ops::layer("Dropout", "head_dropout", {{"rate", 0.5}}),
                   ops::layer("Dense", "head_out", {{"units", 10}, {"activation", "softmax"}})}),
       ops::freeze(upto)});
  CommandResult r = cli.edit("vgg16", operations, {"--no-top"});
  ASSERT_EQ(r.exitCode, 0) << r.err;
  EXPECT_NE(r.out.find("wrote " + cli.dir.file("out.graft")), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("6,251,402 parameters (5,991,242 trainable)"), std::string::npos) << r.out;
  const Json s = cli.summary(cli.dir.file("out.graft"));
  EXPECT_EQ(s["total_params"], 6'251'402);
  EXPECT_EQ(s["non_trainable_params"], 260'160);
  EXPECT_EQ((*layer(s, "head_flatten"))["output_shape"], Json::parse("[null, 23104]"));
  EXPECT_EQ((*layer(s, "block2_conv2"))["trainable"], false);

  // The project remembers the recipe; replayed on the same model it gives the same weights.
  const Model project = loadProject(cli.dir.file("out.graft"));
  ASSERT_EQ(project.recipe.size(), 4u);
  EXPECT_TRUE(project.recipe[2].contains("seed"));
  writeJson(cli.dir.file("replay.json"), recipeDocument(project.recipe));
  CommandResult replay = runCli({"edit", "vgg16", "--no-top", "--seed", "99", "--recipe",
                                 cli.dir.file("replay.json"), "-o", cli.dir.file("replay.graft")},
                                cli.env);
  ASSERT_EQ(replay.exitCode, 0) << replay.err;
  const Model again = loadProject(cli.dir.file("replay.graft"));
  EXPECT_EQ(*again.weights.find("head_fc")->at(0).data,
            *project.weights.find("head_fc")->at(0).data);
}

// The seed's example 2: remove two convs, insert one after input_1, freeze from a layer on.
TEST(CliEdit, RemoveInsertFreezeFromOnVgg16) {
  Cli cli;
  ops::Selection from;
  from.from = "block1_pool";
  const Json operations = Json::array(
      {ops::remove({"block1_conv1", "block1_conv2"}),
       ops::insertAfter(
           "input_1", ops::layer("Conv2D", "new_conv",
                                 {{"filters", 64}, {"kernel_size", {5, 5}}, {"padding", "same"}})),
       ops::freeze(from)});
  CommandResult r = cli.edit("vgg16", operations, {"--no-top", "--input-size", "32"});
  ASSERT_EQ(r.exitCode, 0) << r.err;
  const Json s = cli.summary(cli.dir.file("out.graft"));
  EXPECT_EQ(s["total_params"], 14'714'688 - 1'792 - 36'928 + 4'864);
  EXPECT_EQ(s["trainable_params"], 4'864);
  EXPECT_EQ(s["layers"][1]["name"], "new_conv");
  EXPECT_FALSE(layer(s, "block1_conv1"));
}

// replace, fuse, freeze layers, unfreeze from, set_config, rename on a small Keras
// model_config with DESIGN.md's layer names.
TEST(CliEdit, ReplaceFuseFreezeUnfreezeSetConfigRename) {
  Cli cli;
  GraphBuilder b("small");
  auto x = b.input("input_1", {kUnknown, 16, 16, 3});
  x = b.add("Conv2D", "conv1", {{"filters", 8}, {"use_bias", false}}, x);
  x = b.add("BatchNormalization", "conv1_bn", {}, x);
  x = b.add("ReLU", "conv1_relu", {}, x);
  x = b.add("Conv2D", "a", {{"filters", 8}, {"padding", "same"}, {"activation", "relu"}}, x);
  x = b.add("Conv2D", "b", {{"filters", 8}, {"padding", "same"}, {"activation", "relu"}}, x);
  x = b.add("Conv2D", "x", {{"filters", 8}}, x);
  x = b.add("Conv2D", "block5_conv1", {{"filters", 4}}, x);
  x = b.add("Flatten", "flatten", {}, x);
  x = b.add("Dense", "fc1", {{"units", 32}, {"activation", "relu"}}, x);
  x = b.add("Dense", "predictions", {{"units", 2}, {"activation", "softmax"}}, x);
  writeJson(cli.dir.file("small.json"), graphToKerasJson(b.build({x})));

  ops::Selection layers, from;
  layers.layers = {"x"};
  from.from = "block5_conv1";
  const Json operations = Json::array(
      {ops::replace(
           {"a", "b"},
           ops::layer(
               "Conv2D", "ab",
               {{"filters", 8}, {"kernel_size", 5}, {"padding", "same"}, {"activation", "relu"}})),
       ops::fuse({"conv1", "conv1_bn"}), ops::freeze(layers),
       ops::freeze(ops::Selection{{}, "block5_conv1", "", {}}), ops::unfreeze(from),
       ops::setConfig("fc1", {{"units", 512}}), ops::rename("fc1", "fc_new")});
  CommandResult r = cli.edit(cli.dir.file("small.json"), operations);
  ASSERT_EQ(r.exitCode, 0) << r.err;
  EXPECT_NE(r.err.find("operations[5] (set_config): fc1: re-initialised kernel"), std::string::npos)
      << r.err;
  const Json s = cli.summary(cli.dir.file("out.graft"));
  EXPECT_FALSE(layer(s, "conv1_bn"));
  EXPECT_FALSE(layer(s, "a"));
  EXPECT_EQ((*layer(s, "ab"))["params"], 5 * 5 * 8 * 8 + 8);
  EXPECT_EQ((*layer(s, "conv1"))["params"], 3 * 3 * 3 * 8 + 8) << "the fused conv gained a bias";
  EXPECT_EQ((*layer(s, "conv1"))["trainable"], false);
  EXPECT_EQ((*layer(s, "x"))["trainable"], false);
  EXPECT_EQ((*layer(s, "block5_conv1"))["trainable"], true);
  EXPECT_EQ((*layer(s, "fc_new"))["output_shape"], Json::parse("[null, 512]"));
  EXPECT_EQ((*layer(s, "predictions"))["params"], 512 * 2 + 2);
  EXPECT_FALSE(layer(s, "fc1"));

  // A project is a MODEL too: editing it appends to its recipe.
  CommandResult more =
      runCli({"edit", cli.dir.file("out.graft"), "--recipe",
              [&] {
                writeJson(cli.dir.file("more.json"), recipe(Json::array({ops::cut("fc_new")})));
                return cli.dir.file("more.json");
              }(),
              "-o", cli.dir.file("more.graft")},
             cli.env);
  ASSERT_EQ(more.exitCode, 0) << more.err;
  EXPECT_EQ(loadProject(cli.dir.file("more.graft")).recipe.size(), operations.size() + 1);
}

TEST(CliEdit, AFailingOperationExits1WithItsIndexAndWritesNothing) {
  Cli cli;
  const Json operations = Json::array({ops::cut("block3_pool"), ops::cut("block4_pool")});
  CommandResult r = cli.edit("vgg16", operations, {"--no-top", "--input-size", "32"});
  EXPECT_EQ(r.exitCode, 1);
  EXPECT_NE(r.err.find("operations[1] (cut): block4_pool: no layer of this name"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("nothing was written"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(cli.dir.file("out.graft")));

  writeJson(cli.dir.file("bad.json"), Json{{"graft_recipe", 7}, {"operations", Json::array()}});
  CommandResult newer = runCli(
      {"edit", "vgg16", "--recipe", cli.dir.file("bad.json"), "-o", cli.dir.file("out.graft")},
      cli.env);
  EXPECT_EQ(newer.exitCode, 1);
  EXPECT_NE(newer.err.find("recipe format version 7 was written by a newer Graft"),
            std::string::npos)
      << newer.err;
}

TEST(CliEdit, HelpAndUsage) {
  CommandResult help = runCli({"edit", "--help"});
  EXPECT_EQ(help.exitCode, 0);
  EXPECT_NE(help.out.find("--recipe"), std::string::npos) << help.out;
  EXPECT_NE(help.out.find("-o,--output"), std::string::npos) << help.out;
  EXPECT_EQ(runCli({"edit", "vgg16", "-o", "x.graft"}).exitCode, 2) << "--recipe is required";
}

// A recipe or sample folder that is not there is bad input, named, exit 1 as for every other
// input file (CLI11's check made it a usage error, exit 2, in other words).
TEST(CliEdit, AMissingRecipeOrSampleFolderIsBadInputNamed) {
  TempDir dir;
  const std::string out = dir.file("x.graft");
  const std::string recipe = dir.file("nothere.json");
  CommandResult r = runCli({"edit", "vgg16", "--recipe", recipe, "-o", out});
  EXPECT_EQ(r.exitCode, 1) << r.err;
  EXPECT_NE(r.err.find("graft-cli: error: " + recipe + ": cannot read the recipe file"),
            std::string::npos)
      << r.err;
  const std::string real = dir.file("r.json");
  std::ofstream(real) << R"({"graft_recipe": 1, "operations": []})";
  const std::string samples = dir.file("no-such-folder");
  r = runCli({"edit", "vgg16", "--recipe", real, "--samples", samples, "-o", out});
  EXPECT_EQ(r.exitCode, 1) << r.err;
  EXPECT_NE(r.err.find("graft-cli: error: " + samples + ": no such folder"), std::string::npos)
      << r.err;
  EXPECT_FALSE(std::filesystem::exists(out));
}

}  // namespace
}  // namespace graft::test
