// Class names beside a model: Teachable Machine's indexed labels.txt, plain lists, and which
// file a model folder offers.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "io/labels_file.h"
#include "io/model_source.h"
#include "support/test_support.h"

namespace graft {
namespace {

TEST(LabelsFile, TeachableMachinesIndexedLinesLoseTheirIndex) {
  EXPECT_EQ(parseLabels("0 Class 1\r\n1 Class 2\r\n2 dog\r\n"),
            (std::vector<std::string>{"Class 1", "Class 2", "dog"}));
}

TEST(LabelsFile, PlainNamesStayAsTheyAreEvenWhenSomeStartWithNumbers) {
  EXPECT_EQ(parseLabels("cat\ndog\n\n"), (std::vector<std::string>{"cat", "dog"}));
  EXPECT_EQ(parseLabels("\xEF\xBB\xBF"
                        "cat\r\ndog\r\n"),
            (std::vector<std::string>{"cat", "dog"}));
  // Only a full run of 0, 1, 2 ... prefixes is an index column.
  EXPECT_EQ(parseLabels("1 dollar\n5 dollars\n"),
            (std::vector<std::string>{"1 dollar", "5 dollars"}));
  EXPECT_EQ(parseLabels("0 zero\n2 two\n"), (std::vector<std::string>{"0 zero", "2 two"}));
}

TEST(LabelsFile, FoundBesideTheModelInTheOrderToolsWriteThem) {
  test::TempDir dir;
  const std::string model = dir.file("model.h5");
  EXPECT_FALSE(findLabelsBeside(model).has_value());
  std::ofstream(dir.file("classes.txt")) << "a\nb\n";
  EXPECT_EQ(findLabelsBeside(model), dir.file("classes.txt"));
  std::ofstream(dir.file("labels.txt")) << "0 a\n1 b\n";
  EXPECT_EQ(findLabelsBeside(model), dir.file("labels.txt"));
  // A folder of several models: each one's own file comes before the shared names.
  std::ofstream(dir.file("model_labels.txt")) << "x\ny\n";
  EXPECT_EQ(findLabelsBeside(model), dir.file("model_labels.txt"));
  EXPECT_EQ(findLabelsBeside(dir.file("other.keras")), dir.file("labels.txt"));
}

// A three-class Keras Sequential (model_config JSON, random weights).
constexpr const char* kThreeClasses = R"({"class_name": "Sequential", "config": {"name": "s",
  "layers": [{"class_name": "InputLayer", "config": {"name": "in", "batch_input_shape": [null, 4, 4, 1]}},
             {"class_name": "Flatten", "config": {"name": "flat"}},
             {"class_name": "Dense", "config": {"name": "out", "units": 3, "activation": "softmax"}}]}})";

TEST(LabelsFile, AModelOpensWithTheClassNamesBesideItAndSaysSo) {
  test::TempDir dir;
  std::ofstream(dir.file("model.json")) << kThreeClasses;
  std::ofstream(dir.file("labels.txt")) << "0 circle\n1 square\n2 triangle\n";
  ModelSpec spec;
  spec.source = dir.file("model.json");
  const LoadedModel loaded = loadModel(spec);
  EXPECT_EQ(loaded.model.labels, (std::vector<std::string>{"circle", "square", "triangle"}));
  bool said = false;
  for (const std::string& note : loaded.notes) said |= note.find("labels.txt") != std::string::npos;
  EXPECT_TRUE(said);
}

TEST(LabelsFile, ALabelsFileWithTheWrongCountIsNotUsedAndSaysWhy) {
  test::TempDir dir;
  std::ofstream(dir.file("model.json")) << kThreeClasses;
  std::ofstream(dir.file("cls_classes.txt")) << "cat\ndog\n";
  ModelSpec spec;
  spec.source = dir.file("model.json");
  const LoadedModel loaded = loadModel(spec);
  EXPECT_TRUE(loaded.model.labels.empty());
  ASSERT_FALSE(loaded.notes.empty());
  EXPECT_NE(loaded.notes.back().find("cls_classes.txt"), std::string::npos) << loaded.notes.back();
}

}  // namespace
}  // namespace graft
