// Hostile files given to graft-cli (issue #10): a JSON file nested a million levels deep used to
// crash edit (recipe), train (plan) and run (pipeline) with SIGSEGV; now each exits 1 naming it.
#include <gtest/gtest.h>

#include <fstream>

#include "support/test_support.h"

namespace graft {
namespace {

using test::runCli;
using test::TempDir;

std::string writeDeeplyNested(const TempDir& dir, const std::string& name) {
  const std::string path = dir.file(name);
  constexpr size_t depth = 1'000'000;
  std::ofstream(path) << std::string(depth, '[') << std::string(depth, ']');
  return path;
}

void expectRefused(const test::CommandResult& r, const std::string& path) {
  EXPECT_EQ(r.exitCode, 1) << r.err;
  EXPECT_NE(r.err.find(path + " is nested more than 128 levels deep"), std::string::npos) << r.err;
}

TEST(HostileInputsCli, DeeplyNestedRecipeExits1) {
  TempDir dir;
  const std::string recipe = writeDeeplyNested(dir, "deep.recipe.json");
  expectRefused(runCli({"edit", "vgg16", "--recipe", recipe, "-o", dir.file("out.graft")}), recipe);
}

TEST(HostileInputsCli, DeeplyNestedPlanExits1) {
  TempDir dir;
  const std::string plan = writeDeeplyNested(dir, "deep.plan.json");
  expectRefused(runCli({"train", "vgg16", "--data", dir.path().string(), "--plan", plan, "-o",
                        dir.file("out.graft")}),
                plan);
}

TEST(HostileInputsCli, DeeplyNestedPipelineExits1) {
  TempDir dir;
  const std::string pipeline = writeDeeplyNested(dir, "deep.pipeline.json");
  expectRefused(runCli({"run", pipeline}), pipeline);
}

// A number beyond double's range (found by fuzz_recipe) ended graft-cli with std::terminate.
TEST(HostileInputsCli, PlanWithANumberOutOfRangeExits1) {
  TempDir dir;
  const std::string plan = dir.file("huge.plan.json");
  std::ofstream(plan) << R"({"graft_plan": 1, "stages": [{"epochs": 1e7000}]})";
  const auto r = runCli({"train", "vgg16", "--data", dir.path().string(), "--plan", plan, "-o",
                         dir.file("out.graft")});
  EXPECT_EQ(r.exitCode, 1) << r.err;
  EXPECT_NE(r.err.find(plan + ": not valid JSON"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace graft
