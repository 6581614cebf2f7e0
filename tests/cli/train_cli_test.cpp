// graft-cli sample-data, train and eval end to end, and their bad-input behaviour.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "support/test_support.h"
#include "tiny_model.h"

namespace graft::test {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::vector<json> readJsonLines(const std::string& path) {
  std::ifstream in(path);
  std::vector<json> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(json::parse(line));
  return lines;
}

using TrainCli = TinyModelCli;  // each test makes the images it needs

TEST_F(TrainCli, SampleDataThenTrainThenEvalAboveChance) {
  const std::string data = dir.file("shapes");
  auto made = cli({"sample-data", data, "--images-per-class", "30"});
  ASSERT_EQ(made.exitCode, 0) << made.err;
  EXPECT_NE(made.out.find("90 images of 3 classes"), std::string::npos) << made.out;

  const std::string out = dir.file("trained.graft");
  const std::string log = dir.file("run.jsonl");
  auto trained = cli({"train", model, "--preprocessing", "tf", "--data", data, "--epochs", "2",
                      "--batch-size", "8", "--lr", "0.02", "--seed", "1", "-o", out, "--log", log});
  ASSERT_EQ(trained.exitCode, 0) << trained.err;
  EXPECT_TRUE(fs::exists(out));
  EXPECT_NE(trained.out.find("saved " + out), std::string::npos) << trained.out;
  // stderr is not a terminal here: epoch lines, but no progress bar.
  EXPECT_EQ(trained.err.find('\r'), std::string::npos);
  EXPECT_NE(trained.err.find("epoch 2/2"), std::string::npos) << trained.err;

  const auto events = readJsonLines(log);
  int batches = 0, epochs = 0;
  for (const auto& e : events) {
    if (e.at("event") == "batch") {
      ++batches;
      for (const char* key : {"epoch", "batch", "loss", "accuracy"})
        EXPECT_TRUE(e.contains(key)) << key << " in " << e.dump();
      EXPECT_TRUE(e.at("loss").is_number());
    } else if (e.at("event") == "epoch") {
      ++epochs;
      for (const char* key : {"epoch", "loss", "accuracy", "val_loss", "val_accuracy",
                              "images_per_second", "seconds"})
        EXPECT_TRUE(e.contains(key) && e.at(key).is_number()) << key << " in " << e.dump();
      ASSERT_EQ(e.at("val_class_accuracy").size(), 3u) << e.dump();
      for (const auto& recall : e.at("val_class_accuracy"))
        EXPECT_TRUE(recall.is_number() && recall >= 0.0 && recall <= 1.0) << e.dump();
    }
  }
  EXPECT_EQ(epochs, 2);
  EXPECT_EQ(batches, 2 * 9);  // 72 training images (80 %) in batches of 8
  EXPECT_EQ(events.front().at("event"), "start");
  EXPECT_EQ(events.back().at("event"), "end");
  EXPECT_EQ(events.back().at("status"), "completed");

  // The project carries the class names and the preprocessing.
  auto eval = cli({"eval", out, "--data", data, "--json"});
  ASSERT_EQ(eval.exitCode, 0) << eval.err;
  const json report = json::parse(eval.out);
  EXPECT_EQ(report.at("count"), 90);
  EXPECT_EQ(report.at("classes"), json::parse(R"(["circle", "square", "triangle"])"));
  EXPECT_GT(report.at("accuracy").get<double>(), 0.6);  // chance: 1/3
  ASSERT_EQ(report.at("per_class").size(), 3u);
  for (const auto& c : report.at("per_class")) {
    for (const char* key : {"class", "precision", "recall", "count"})
      EXPECT_TRUE(c.contains(key)) << key;
    EXPECT_EQ(c.at("count"), 30);
  }
  EXPECT_EQ(report.at("confusion_matrix").size(), 3u);

  auto table = cli({"eval", out, "--data", data});
  ASSERT_EQ(table.exitCode, 0) << table.err;
  EXPECT_NE(table.out.find("confusion matrix"), std::string::npos);
  EXPECT_NE(table.out.find("triangle"), std::string::npos);

  // A folder none of whose images can be read gives no accuracy: an error, not 0 %.
  const std::string unreadable = dir.file("unreadable");
  for (const char* name : {"circle", "square", "triangle"}) {
    std::filesystem::create_directories(unreadable + "/" + name);
    std::ofstream(unreadable + "/" + name + "/a.png") << "not a png";
  }
  // Names for another count of classes are the labels' fault, not the folder's.
  std::ofstream(dir.file("four.txt")) << "a\nb\nc\nd\n";
  auto fourNames = cli({"eval", out, "--data", data, "--labels", dir.file("four.txt")});
  EXPECT_EQ(fourNames.exitCode, 1);
  EXPECT_NE(fourNames.err.find("four.txt: 4 class names, but the model's output has 3 classes"),
            std::string::npos)
      << fourNames.err;

  auto none = cli({"eval", out, "--data", unreadable, "-q"});
  EXPECT_EQ(none.exitCode, 1) << none.out;
  EXPECT_NE(none.err.find("none of the 3 images in " + unreadable + " could be read"),
            std::string::npos)
      << none.err;

  // Keras-layout weights instead: the architecture comes from the same JSON, and the same
  // weights give the same report.
  // (A labels file is of no use to train, whose classes are the folders: said, not refused.)
  const std::string h5 = dir.file("trained.h5");
  const auto trainedH5 =
      cli({"train", model, "--preprocessing", "tf", "--data", data, "--epochs", "2", "--batch-size",
           "8", "--lr", "0.02", "--seed", "1", "-o", h5, "--labels", dir.file("four.txt")});
  ASSERT_EQ(trainedH5.exitCode, 0) << trainedH5.err;
  EXPECT_NE(trainedH5.err.find("--labels: train names the classes after the folders of --data; " +
                               dir.file("four.txt") + " is not used"),
            std::string::npos)
      << trainedH5.err;
  // Early stopping without validation images watches the training loss: said before the run.
  const auto unvalidated =
      cli({"train", model, "--preprocessing", "tf", "--data", data, "--epochs", "1", "--val-split",
           "0", "--early-stopping", "2", "-o", dir.file("unvalidated.h5")});
  ASSERT_EQ(unvalidated.exitCode, 0) << unvalidated.err;
  EXPECT_NE(unvalidated.err.find("no validation images (val_split 0, or too few images to "
                                 "split): early stopping watches the training loss instead"),
            std::string::npos)
      << unvalidated.err;
  auto evalH5 =
      cli({"eval", model, "--preprocessing", "tf", "--weights", h5, "--data", data, "--json"});
  ASSERT_EQ(evalH5.exitCode, 0) << evalH5.err;
  EXPECT_EQ(json::parse(evalH5.out).at("confusion_matrix"), report.at("confusion_matrix"));
}

// The training doctor: a finding is a "diagnosis" event in the log every epoch it holds, and one
// warning on stderr.
TEST_F(TrainCli, DoctorsFindingsAreLoggedEveryEpochAndWarnedOnce) {
  const std::string data = dir.file("shapes");
  ASSERT_EQ(cli({"sample-data", data, "--images-per-class", "12"}).exitCode, 0);
  const std::string log = dir.file("run.jsonl");
  const auto r =
      cli({"train", model, "--preprocessing", "tf", "--data", data, "--epochs", "4", "--batch-size",
           "8", "--lr", "1e-12", "-o", dir.file("o.graft"), "--log", log, "--json"});
  ASSERT_EQ(r.exitCode, 0) << r.err;
  // --json says them for a script, once each, with the latest epoch's numbers.
  const json result = json::parse(r.out);
  ASSERT_EQ(result.at("diagnoses").size(), 1u) << r.out;
  EXPECT_EQ(result.at("diagnoses")[0].at("code"), "flat_loss");
  EXPECT_EQ(result.at("diagnoses")[0].at("epoch"), 4);
  EXPECT_TRUE(result.at("diagnoses")[0].at("fix").is_string());
  EXPECT_TRUE(result.at("warnings").is_array());
  std::vector<int> flatEpochs;
  for (const auto& e : readJsonLines(log)) {
    if (e.at("event") != "diagnosis") continue;
    for (const char* key : {"code", "message", "fix"})
      EXPECT_TRUE(e.at(key).is_string()) << key << " in " << e.dump();
    if (e.at("code") == "flat_loss") flatEpochs.push_back(e.at("epoch").get<int>());
  }
  EXPECT_EQ(flatEpochs, (std::vector<int>{3, 4}));
  const std::string warning = "graft-cli: warning: the training loss has stayed at";
  const size_t at = r.err.find(warning);
  ASSERT_NE(at, std::string::npos) << r.err;
  EXPECT_EQ(r.err.find(warning, at + 1), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("[flat_loss]; fix: raise the learning rate", at), std::string::npos)
      << r.err;
}

TEST_F(TrainCli, BadInputsNameWhatIsWrong) {
  const std::string data = dir.file("shapes");
  ASSERT_EQ(cli({"sample-data", data, "--images-per-class", "3"}).exitCode, 0);

  auto missing = cli({"train", model, "--data", dir.file("nowhere"), "-o", dir.file("o.h5")});
  EXPECT_EQ(missing.exitCode, 1);
  EXPECT_NE(missing.err.find(dir.file("nowhere")), std::string::npos) << missing.err;

  auto badOut = cli({"train", model, "--data", data, "-o", dir.file("o.onnx")});
  EXPECT_EQ(badOut.exitCode, 1);
  EXPECT_NE(badOut.err.find("o.onnx"), std::string::npos) << badOut.err;

  auto badAugment =
      cli({"train", model, "--data", data, "--augment", "flip,warp", "-o", dir.file("o.h5")});
  EXPECT_EQ(badAugment.exitCode, 2);  // a usage error naming the flag, as a bad --optimizer
  EXPECT_NE(badAugment.err.find("--augment"), std::string::npos) << badAugment.err;
  EXPECT_NE(badAugment.err.find("warp"), std::string::npos) << badAugment.err;

  auto badLayer =
      cli({"train", model, "--data", data, "--freeze-upto", "conv9", "-o", dir.file("o.h5")});
  EXPECT_EQ(badLayer.exitCode, 1);
  EXPECT_NE(badLayer.err.find("conv9"), std::string::npos) << badLayer.err;
  EXPECT_FALSE(fs::exists(dir.file("o.h5")));

  EXPECT_EQ(cli({"train", model, "-o", dir.file("o.h5")}).exitCode, 2);  // no --data
  EXPECT_EQ(cli({"train", model, "--data", data, "--optimizer", "lbfgs", "-o", dir.file("o.h5")})
                .exitCode,
            2);

  auto again = cli({"sample-data", data});
  EXPECT_EQ(again.exitCode, 1);
  EXPECT_NE(again.err.find(data), std::string::npos) << again.err;

  // Four classes in the folder, three in the model.
  fs::create_directories(fs::path(data) / "star");
  fs::copy_file(fs::path(data) / "circle" / "circle_000.png", fs::path(data) / "star" / "s.png");
  auto mismatch = cli({"train", model, "--data", data, "-o", dir.file("o.h5")});
  EXPECT_EQ(mismatch.exitCode, 1);
  EXPECT_NE(mismatch.err.find("predicts 3 classes but the data has 4"), std::string::npos)
      << mismatch.err;
}

TEST_F(TrainCli, UnreadableFilesAreReportedAndTrainingGoesOn) {
  const std::string data = dir.file("shapes");
  ASSERT_EQ(cli({"sample-data", data, "--images-per-class", "4"}).exitCode, 0);
  std::ofstream(fs::path(data) / "square" / "broken.jpg") << "\xff\xd8\xff garbage";
  std::ofstream(fs::path(data) / "square" / "README.txt") << "notes";
  const std::string log = dir.file("run.jsonl");
  auto r = cli({"train", model, "--data", data, "--epochs", "1", "--val-split", "0", "-o",
                dir.file("o.h5"), "--log", log});
  ASSERT_EQ(r.exitCode, 0) << r.err;
  EXPECT_NE(r.err.find("broken.jpg"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("1 file(s) could not be read"), std::string::npos) << r.err;
  int skipped = 0;
  for (const auto& e : readJsonLines(log))
    if (e.at("event") == "skipped") {
      ++skipped;
      EXPECT_NE(e.at("file").get<std::string>().find("broken.jpg"), std::string::npos);
    }
  EXPECT_EQ(skipped, 1);

  // --json names them too, as eval's and probe's do.
  r = cli({"train", model, "--data", data, "--epochs", "1", "--val-split", "0", "-o",
           dir.file("o.h5"), "--json", "-q"});
  ASSERT_EQ(r.exitCode, 0) << r.err;
  const json printed = json::parse(r.out);
  ASSERT_EQ(printed.at("skipped").size(), 1u) << r.out;
  EXPECT_NE(printed.at("skipped")[0].at("file").get<std::string>().find("broken.jpg"),
            std::string::npos);
  EXPECT_FALSE(printed.at("skipped")[0].at("reason").get<std::string>().empty());
}

// Files that do not begin as an image are left out of the counts the run starts with, as its
// warning says ("training on 47 images, validating on 11" counted 10 empty files among the 58).
TEST_F(TrainCli, CountsLeaveOutFilesThatAreNoImage) {
  const std::string data = dir.file("shapes");
  ASSERT_EQ(cli({"sample-data", data, "--images-per-class", "10"}).exitCode, 0);
  std::ofstream(fs::path(data) / "circle" / "zz_empty.png").flush();
  auto r = cli({"train", model, "--data", data, "--epochs", "1", "--val-split", "0", "-o",
                dir.file("o.h5")});
  ASSERT_EQ(r.exitCode, 0) << r.err;
  EXPECT_NE(r.err.find("1 of the 31 files named as images do not begin as one"), std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("training on 30 images"), std::string::npos) << r.err;
}

// A class with no validation images has no validation accuracy: null in the log, not a 0 that
// reads as "never right".
TEST_F(TrainCli, AClassWithoutValidationImagesHasNoValidationAccuracy) {
  const std::string data = dir.file("shapes");
  ASSERT_EQ(cli({"sample-data", data, "--images-per-class", "6"}).exitCode, 0);
  const std::string val = dir.file("val");
  fs::copy(data, val, fs::copy_options::recursive);
  for (const auto& image : fs::directory_iterator(fs::path(val) / "triangle"))
    fs::remove(image.path());
  const std::string log = dir.file("run.jsonl");
  auto r = cli({"train", model, "--data", data, "--val-dir", val, "--epochs", "1", "-o",
                dir.file("o.h5"), "--log", log, "--json"});
  ASSERT_EQ(r.exitCode, 0) << r.err;
  // Said before the run: its validation figures leave the class out; --json says it too (a
  // script checking val_accuracy learns what it was measured on).
  const std::string missing = "the validation images have none of 1 of the 3 classes ('triangle')";
  EXPECT_NE(r.err.find("warning: " + missing), std::string::npos) << r.err;
  const json result = json::parse(r.out);
  ASSERT_EQ(result.at("warnings").size(), 1u) << r.out;
  EXPECT_EQ(result.at("warnings")[0].at("kind"), "validation_missing_classes");
  EXPECT_EQ(result.at("warnings")[0].at("message").get<std::string>().rfind(missing, 0), 0u)
      << r.out;
  int epochs = 0;
  for (const auto& e : readJsonLines(log)) {
    if (e.at("event") != "epoch") continue;
    ++epochs;
    const json& perClass = e.at("val_class_accuracy");
    ASSERT_EQ(perClass.size(), 3u) << e.dump();
    EXPECT_TRUE(perClass[0].is_number()) << e.dump();  // circle
    EXPECT_TRUE(perClass[1].is_number()) << e.dump();  // square
    EXPECT_TRUE(perClass[2].is_null()) << e.dump();    // triangle: no validation images
  }
  EXPECT_EQ(epochs, 1);
}

// One class folder: nothing to tell apart. Training used to "succeed" with loss 0 and accuracy 1
// and the advisor to suggest a one-class top; both refuse, naming the folder.
TEST_F(TrainCli, AFolderWithOneClassIsRefusedByTrainAndAdvise) {
  const std::string data = dir.file("shapes");
  ASSERT_EQ(cli({"sample-data", data, "--images-per-class", "4"}).exitCode, 0);
  fs::remove_all(fs::path(data) / "square");
  fs::remove_all(fs::path(data) / "triangle");
  const std::string expected =
      data + ": has one class folder ('circle'); a classifier learns to tell classes apart";
  auto trained = cli({"train", model, "--data", data, "--epochs", "1", "-o", dir.file("o.h5")});
  EXPECT_EQ(trained.exitCode, 1) << trained.err;
  EXPECT_NE(trained.err.find(expected), std::string::npos) << trained.err;
  EXPECT_FALSE(fs::exists(dir.file("o.h5")));
  auto advised = cli({"advise", model, "--data", data});
  EXPECT_EQ(advised.exitCode, 1) << advised.err;
  EXPECT_NE(advised.err.find(expected), std::string::npos) << advised.err;
}

}  // namespace
}  // namespace graft::test
