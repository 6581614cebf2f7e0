// The training spec's table (run/train_spec.h) is the one description of a run's options: every
// field must reach the pipeline's reader and writer, the trainer's options and the pipeline
// documentation. A field added to the table and forgotten in one of them fails here (the
// command line is checked in tests/cli/train_spec_cli_test.cpp).
#include <gtest/gtest.h>

#include <fstream>
#include <limits>
#include <set>
#include <sstream>

#include "pipeline/pipeline.h"
#include "pipeline/pipeline_train.h"
#include "run/train_spec_text.h"
#include "runtime/training/train_run.h"
#include "support/test_support.h"
#include "support/train_spec_values.h"

namespace graft {
namespace {

TrainSpec specWith(const SpecField& field, const std::string& dir) {
  TrainSpec spec;
  spec.data = dir + "/images";
  test::setFromText(field, test::nonDefaultText(field, dir), spec);
  return spec;
}

TEST(TrainSpec, EveryFieldIsWrittenToAPipelineAndReadBackEqual) {
  test::TempDir dir;
  const std::string base = dir.path().string();
  for (const SpecField& field : trainSpecFields()) {
    const TrainSpec spec = specWith(field, base);
    ASSERT_FALSE(isDefaultValue(field, spec)) << field.key << ": the test value is the default";
    const Json written = trainSpecJson(spec, base);
    EXPECT_TRUE(written.contains(field.key)) << field.key << " not written: " << written.dump();
    const TrainSpec back = parseTrainSpec(written, base, "ci.json");
    EXPECT_TRUE(test::sameValue(field, spec, back))
        << field.key << " read back differently from " << written.dump();
  }
}

TEST(TrainSpec, TheFieldsThatChooseHowToTrainAreTheOnesThatSetChosen) {
  test::TempDir dir;
  const std::string base = dir.path().string();
  for (const SpecField& field : trainSpecFields()) {
    Json json = {{"data", "images"}};
    json[field.key] = trainSpecJson(specWith(field, base), base).at(field.key);
    EXPECT_EQ(parseTrainSpec(json, base, "ci.json").chosen, field.choosesHowToTrain) << field.key;
  }
}

TEST(TrainSpec, EveryFieldReachesTheTrainersOptions) {
  test::TempDir dir;
  const std::string base = dir.path().string();
  const TrainOptions defaults = trainOptionsFrom(TrainSpec{});
  // What the trainer is given, as text: two specs differing in one field must differ here
  // (except the data, the validation folder and split, the log and the plan, which the run
  // itself takes from the spec: runtime/training/train_run.cpp).
  const auto describe = [](const TrainOptions& o) {
    std::ostringstream out;
    out << o.epochs << " " << o.batchSize << " " << o.optimizer.describe() << " "
        << o.optimizer.nesterov << " " << o.labelSmoothing << " " << int(o.schedule.kind) << " "
        << o.schedule.stepEpochs << " " << o.schedule.factor << " " << o.schedule.patience << " "
        << o.schedule.minLearningRate << " " << o.earlyStopping.patience << " "
        << o.earlyStopping.restoreBest << " " << o.seed << " " << o.augment.describe() << " "
        << o.classWeights << " " << o.freezeUpto << " " << o.cacheFrozen << " " << o.freeInputSize
        << " " << o.workers << " " << o.maxUnreadableFraction << " " << o.checkpointPath << " "
        << int(o.checkpointMode) << " " << o.optimizer.weightDecay.value_or(-1) << " "
        << o.optimizer.momentum.value_or(-1) << " " << deviceChoiceText(o.device) << " "
        << precisionName(o.precision) << " " << channelsLastName(o.channelsLast);
    return out.str();
  };
  const std::set<std::string> takenByTheRun = {"data", "val_dir", "val_split",
                                               "log",  "plan",    "train_batch_norm"};
  for (const SpecField& field : trainSpecFields()) {
    if (takenByTheRun.count(field.key)) continue;
    EXPECT_NE(describe(trainOptionsFrom(specWith(field, base))), describe(defaults)) << field.key;
  }
  // And the spec's defaults are the trainer's.
  EXPECT_EQ(describe(defaults), describe(TrainOptions{}));
}

TEST(TrainSpec, ThePipelineDocumentationNamesEveryField) {
  std::ifstream in(test::sourceDir() + "/docs/pipelines.md");
  ASSERT_TRUE(in);
  std::stringstream text;
  text << in.rdbuf();
  for (const SpecField& field : trainSpecFields())
    EXPECT_NE(text.str().find("`" + std::string(field.key) + "`"), std::string::npos)
        << field.key << " is not in docs/pipelines.md";
}

TEST(TrainSpec, EveryFieldReadsAndWritesTheTextTheGuiFormShows) {
  test::TempDir dir;
  const std::string base = dir.path().string();
  for (const SpecField& field : trainSpecFields()) {
    const std::string text = test::nonDefaultText(field, base);
    TrainSpec fromText;
    setSpecValueFromText(field, "  " + text + " ", fromText);
    EXPECT_TRUE(test::sameValue(field, fromText, specWith(field, base))) << field.key;
    EXPECT_EQ(specValueText(field, fromText), text) << field.key;
    // An empty text is the default again.
    setSpecValueFromText(field, "", fromText);
    EXPECT_TRUE(isDefaultValue(field, fromText)) << field.key;
  }
}

TEST(TrainSpec, TextThatIsNotAValueIsNamedByTheFieldsKey) {
  const auto error = [](const std::string& key, const std::string& text) {
    TrainSpec spec;
    try {
      setSpecValueFromText(trainSpecField(key), text, spec);
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_EQ(error("momentum", "2"), "momentum: expected at least 0 and at most 1, found 2");
  EXPECT_EQ(error("epochs", "ten"), "epochs: expected a whole number, found 'ten'");
  EXPECT_EQ(error("epochs", "2.5"), "epochs: expected a whole number, found '2.5'");
  EXPECT_EQ(error("lr", "0"), "lr: expected above 0, found 0");
  // A number option read by the command line ("--lr inf") reaches the range check as a double.
  const SpecRange aboveZero{0.0, std::nullopt, true, false};
  EXPECT_EQ(rangeProblem(aboveZero, std::numeric_limits<double>::infinity()),
            "expected a finite number above 0, found inf");
  EXPECT_EQ(rangeProblem(aboveZero, 0.5), "");
  EXPECT_EQ(error("lr_factor", "0.5x"), "lr_factor: expected a number, found '0.5x'");
  EXPECT_EQ(error("schedule", "linear"),
            "schedule: expected one of constant, step, cosine, plateau, found \"linear\"");
  EXPECT_EQ(error("nesterov", "yes"), "nesterov: expected true or false, found 'yes'");
  EXPECT_EQ(error("momentum", "0.5"), "no error");
}

TEST(TrainSpec, BadValuesAreNamedByTheirJsonPath) {
  const auto error = [](const std::string& fields) {
    try {
      parseTrainSpec(Json::parse("{\"data\": \"d\", " + fields + "}"), ".", "ci.json");
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_EQ(error(R"("epochs": 0)"), "ci.json: train.epochs: expected at least 1, found 0");
  EXPECT_EQ(error(R"("max_unreadable": 1.5)"),
            "ci.json: train.max_unreadable: expected at least 0 and at most 1, found 1.5");
  EXPECT_EQ(error(R"("val_split": 1)"),
            "ci.json: train.val_split: expected at least 0 and below 1, found 1");
  EXPECT_EQ(error(R"("optimizer": "adagrad")"),
            "ci.json: train.optimizer: expected one of sgd, rmsprop, adam, adamw, found "
            "\"adagrad\"");
  EXPECT_EQ(error(R"("workers": "two")"),
            "ci.json: train.workers: expected an integer, found \"two\"");
  EXPECT_NE(error(R"("augment": "flip,spin")").find("ci.json: train.augment: "), std::string::npos);
  EXPECT_NE(error(R"("plan": [1])").find("ci.json: train.plan: expected a plan file name"),
            std::string::npos);
  // A validation folder replaces the split: both given, the split was silently ignored.
  EXPECT_EQ(error(R"("val_dir": "v", "val_split": 0.5)"),
            "ci.json: train.val_split: give val_dir or val_split, not both (val_split would be "
            "ignored)");
  EXPECT_EQ(error(R"("val_dir": "v")"), "no error");
}

// A spec written back never holds both val_dir and val_split (it would not read back).
TEST(TrainSpec, AWrittenSpecWithAValidationFolderHasNoSplit) {
  TrainSpec spec;
  spec.data = "d";
  spec.validationDir = "v";
  spec.validationSplit = 0.3;
  const Json written = trainSpecJson(spec, ".");
  EXPECT_TRUE(written.contains("val_dir")) << written.dump();
  EXPECT_FALSE(written.contains("val_split")) << written.dump();
  EXPECT_EQ(parseTrainSpec(written, ".", "ci.json").validationDir, "v");
}

}  // namespace
}  // namespace graft
