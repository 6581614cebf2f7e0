// `graft-cli train`'s run options come from the training spec's table (run/train_spec.h): every
// field the command line gives itself is an option that sets that field, and the real command
// lists every field with its help text, in --help and in the manual page. A field added to
// the table and forgotten on the command line fails here.
#include <gtest/gtest.h>

#include <algorithm>

#include "cli/train_spec_options.h"
#include "support/test_support.h"
#include "support/train_spec_values.h"

namespace graft::test {
namespace {

// The spec the options give after parsing `args` (with --data, which is required).
TrainSpec parsed(std::vector<std::string> args, bool* chosen = nullptr) {
  CLI::App app;
  auto spec = std::make_shared<TrainSpec>();
  cli::addTrainSpecOptions(app, spec);
  if (std::find(args.begin(), args.end(), "--data") == args.end())
    args.insert(args.begin(), {"--data", "images"});
  std::reverse(args.begin(), args.end());  // CLI11 takes them last first
  app.parse(args);
  if (chosen) *chosen = cli::choosesHowToTrain(app);
  return *spec;
}

TEST(TrainSpecCli, EveryFieldIsAnOptionThatSetsIt) {
  TempDir dir;
  for (const SpecField& field : trainSpecFields()) {
    if (field.fromModelOptions) continue;  // --seed and --input-size: below
    const std::string text = nonDefaultText(field, dir.path().string());
    std::vector<std::string> args = {specFlag(field)};
    if (field.kind != SpecKind::Flag) args.push_back(text);
    if (field.key == std::string("data")) args = {"--data", text};
    TrainSpec expected;
    expected.data = "images";
    setFromText(field, text, expected);
    bool chosen = false;
    const TrainSpec spec = parsed(args, &chosen);
    EXPECT_TRUE(sameValue(field, spec, expected)) << field.key;
    EXPECT_EQ(chosen, field.choosesHowToTrain) << field.key;
  }
}

TEST(TrainSpecCli, RangesAndChoicesAreUsageErrorsNamingTheFlag) {
  const auto refused = [](const std::vector<std::string>& args) {
    try {
      parsed(args);
    } catch (const CLI::ParseError& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  EXPECT_EQ(refused({"--epochs", "0"}), "--epochs: expected at least 1, found 0");
  EXPECT_EQ(refused({"--val-split", "1"}), "--val-split: expected at least 0 and below 1, found 1");
  EXPECT_EQ(refused({"--max-unreadable", "2"}),
            "--max-unreadable: expected at least 0 and at most 1, found 2");
  EXPECT_NE(refused({"--optimizer", "adagrad"}), "accepted");
  EXPECT_NE(refused({"--plan", "p.json", "--epochs", "3"}), "accepted");
  EXPECT_NE(refused({"--plan", "p.json", "--train-batch-norm"}), "accepted");
  EXPECT_EQ(refused({"--epochs", "3", "--train-batch-norm"}), "accepted");
  // A validation folder replaces the split (the split was silently ignored).
  const std::string both = refused({"--val-dir", "v", "--val-split", "0.5"});
  EXPECT_TRUE(both == "--val-split excludes --val-dir" || both == "--val-dir excludes --val-split")
      << both;
  EXPECT_EQ(refused({"--val-dir", "v"}), "accepted");
}

TEST(TrainSpecCli, TrainHelpAndTheManualListEveryField) {
  const auto help = runCli({"train", "--help"});
  ASSERT_EQ(help.exitCode, 0) << help.err;
  const auto man = runCli({"--man"});
  ASSERT_EQ(man.exitCode, 0) << man.err;
  const std::string manTrain = man.out.substr(man.out.find(".SS \"train\""));
  for (const SpecField& field : trainSpecFields()) {
    const std::string flag = specFlag(field);
    EXPECT_NE(help.out.find(flag), std::string::npos) << flag;
    std::string roffFlag;
    for (char c : flag) roffFlag += c == '-' ? std::string("\\-") : std::string(1, c);
    EXPECT_NE(manTrain.find(roffFlag), std::string::npos) << flag;
    // The model options give --seed and --input-size with their own words.
    if (!field.fromModelOptions) {
      EXPECT_NE(help.out.find(field.help), std::string::npos) << flag << ": " << field.help;
    }
  }
}

}  // namespace
}  // namespace graft::test
