// A model whose input size is free (None x None) remembers the size it was trained at: eval,
// predict and summary then measure it as it learned, without --input-size (eval refused, and
// predict took 224 while the model had learned at another size). Never trained so, eval,
// predict and train all take 224 (the zoo architecture's size for a zoo model) and say it.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <fstream>

#include "support/test_support.h"
#include "tiny_model.h"

namespace graft::test {
namespace {

using nlohmann::json;

// The tiny classifier with a free input: global average pooling makes it take any size.
const char* kFreeTinyModel =
    R"({"class_name": "Sequential", "config": {"name": "free_tiny", "layers": [
  {"class_name": "InputLayer", "config": {"name": "input_1", "batch_input_shape": [null, null, null, 3]}},
  {"class_name": "Conv2D", "config": {"name": "conv1", "filters": 8, "kernel_size": [3, 3],
                                      "strides": [2, 2], "activation": "relu"}},
  {"class_name": "GlobalAveragePooling2D", "config": {"name": "pool"}},
  {"class_name": "Dense", "config": {"name": "predictions", "units": 3, "activation": "softmax"}}
]}})";

class FreeInputSize : public TinyModelCli {
 protected:
  void SetUp() override {
    writeImages(4);
    std::ofstream(free) << kFreeTinyModel;
  }
  std::string free = dir.file("free.json");
};

TEST_F(FreeInputSize, TheSizeTrainedAtIsKeptAndTakenWithoutInputSize) {
  const std::string trained = dir.file("trained.graft");
  auto r = cli({"train", free, "--input-size", "24", "--data", data, "--epochs", "1", "--val-split",
                "0.25", "-o", trained, "-q"});
  ASSERT_EQ(r.exitCode, 0) << r.err;

  r = cli({"summary", trained, "--json", "-q"});
  ASSERT_EQ(r.exitCode, 0) << r.err;
  EXPECT_EQ(json::parse(r.out).at("trained_input_size"), 24);
  r = cli({"summary", trained, "-q"});
  EXPECT_NE(r.out.find("Trained at 24 x 24"), std::string::npos) << r.out;

  // eval measures it at 24 by itself, as when told so.
  const auto itself = cli({"eval", trained, "--data", data, "--json", "-q"});
  ASSERT_EQ(itself.exitCode, 0) << itself.err;
  const auto told = cli({"eval", trained, "--data", data, "--input-size", "24", "--json", "-q"});
  ASSERT_EQ(told.exitCode, 0) << told.err;
  EXPECT_DOUBLE_EQ(json::parse(itself.out).at("loss").get<double>(),
                   json::parse(told.out).at("loss").get<double>());
  const auto elsewhere =
      cli({"eval", trained, "--data", data, "--input-size", "40", "--json", "-q"});
  ASSERT_EQ(elsewhere.exitCode, 0) << elsewhere.err;
  EXPECT_NE(json::parse(itself.out).at("loss").get<double>(),
            json::parse(elsewhere.out).at("loss").get<double>())
      << "the size matters to this model: the check above can tell";

  // predict resizes to it and says why.
  const std::string image = data + "/circle/circle_000.png";
  const auto predicted = cli({"predict", trained, image, "--json"});
  ASSERT_EQ(predicted.exitCode, 0) << predicted.err;
  EXPECT_NE(predicted.err.find("resized to 24 x 24, the size it was trained at"), std::string::npos)
      << predicted.err;

  // Graft's own Keras files keep the size too, and take --input-size as any model file does
  // (the .h5 predicted at 224, and refused --input-size as an edited zoo model).
  for (const std::string format : {"keras-h5", "keras"}) {
    const std::string file = dir.file(format == "keras" ? "exported.keras" : "exported.h5");
    const auto exported = cli({"export", trained, "--format", format, "-o", file, "-q"});
    ASSERT_EQ(exported.exitCode, 0) << exported.err;
    const auto again = cli({"predict", file, image, "--json"});
    ASSERT_EQ(again.exitCode, 0) << again.err;
    EXPECT_NE(again.err.find("resized to 24 x 24, the size it was trained at"), std::string::npos)
        << format << ": " << again.err;
    EXPECT_EQ(again.out, predicted.out) << format;
    const auto sized = cli({"predict", file, image, "--input-size", "24", "--json", "-q"});
    ASSERT_EQ(sized.exitCode, 0) << format << ": " << sized.err;
    EXPECT_EQ(sized.out, predicted.out) << format;
  }
}

// Never trained at a size, train takes the size predict and eval take (224 here) and says so, as
// they do: it refused, and the README's own no-top MobileNet example failed.
TEST_F(FreeInputSize, TrainWithoutASizeTakesPredictsSizeAndSaysIt) {
  const std::string trained = dir.file("default.graft");
  auto r = cli({"train", free, "--data", data, "--epochs", "1", "-o", trained});
  ASSERT_EQ(r.exitCode, 0) << r.err;
  EXPECT_NE(r.err.find("the model's input size is free: images are resized to 224 x 224 "
                       "(--input-size N chooses)"),
            std::string::npos)
      << r.err;
  r = cli({"summary", trained, "--json", "-q"});
  ASSERT_EQ(r.exitCode, 0) << r.err;
  EXPECT_EQ(json::parse(r.out).at("trained_input_size"), 224);
  // probe measures at that size too (it refused), and says so.
  r = cli({"probe", free, "--data", data, "--layers", "conv1,pool", "--json"});
  ASSERT_EQ(r.exitCode, 0) << r.err;
  EXPECT_NE(r.err.find("images are resized to 224 x 224"), std::string::npos) << r.err;
  // A size given is taken without the note.
  r = cli({"train", free, "--input-size", "24", "--data", data, "--epochs", "1", "-o",
           dir.file("sized.graft")});
  ASSERT_EQ(r.exitCode, 0) << r.err;
  EXPECT_EQ(r.err.find("input size is free"), std::string::npos) << r.err;
}

// Never trained at a size: eval takes the size predict takes (224), says so, and measures as
// --input-size 224 does (it refused, though predict went on).
TEST_F(FreeInputSize, EvalOfAnUntrainedFreeSizeTakesPredictsSizeAndSaysIt) {
  const auto itself = cli({"eval", free, "--data", data, "--json"});
  ASSERT_EQ(itself.exitCode, 0) << itself.err;
  EXPECT_NE(itself.err.find("input size is free: images are resized to 224 x 224"),
            std::string::npos)
      << itself.err;
  const auto told = cli({"eval", free, "--data", data, "--input-size", "224", "--json", "-q"});
  ASSERT_EQ(told.exitCode, 0) << told.err;
  EXPECT_DOUBLE_EQ(json::parse(itself.out).at("loss").get<double>(),
                   json::parse(told.out).at("loss").get<double>());
  EXPECT_EQ(told.err.find("input size is free"), std::string::npos) << told.err;
}

}  // namespace
}  // namespace graft::test
