// Hostile inputs are refused with a message before anything large is allocated.
#include <gtest/gtest.h>

#include <chrono>

#include "graph/analysis.h"
#include "graph/graph_builder.h"
#include "graph/keras_json.h"
#include "graph/limits.h"

namespace graft {
namespace {

TEST(Limits, AbsurdWeightShapesAreDiagnosedNotAllocated) {
  GraphBuilder b("huge");
  auto x = b.input("in", {kUnknown, 1000000});
  b.add("Dense", "giant", {{"units", 1000000}}, x);  // 10^12 weights
  const GraphAnalysis a = analyze(b.build());
  ASSERT_EQ(a.diagnostics.size(), 1u);
  EXPECT_EQ(a.diagnostics[0].subject, "giant");
  EXPECT_NE(a.diagnostics[0].message.find("more than Graft accepts"), std::string::npos)
      << a.diagnostics[0].message;
}

// An input size typed by mistake (1,000,000 px) was accepted; the first prediction then failed
// to allocate 12 TB and blamed the image.
TEST(Limits, AnAbsurdInputSizeIsDiagnosedWhereTheTensorIsMade) {
  GraphBuilder b("wide");
  auto x = b.input("in", {kUnknown, 1000000, 1000000, 3});
  b.add("Conv2D", "conv", {{"filters", 8}, {"kernel_size", 3}}, x);
  const GraphAnalysis a = analyze(b.build());
  ASSERT_FALSE(a.diagnostics.empty());
  EXPECT_EQ(a.diagnostics[0].subject, "in");
  EXPECT_NE(a.diagnostics[0].message.find("(None, 1000000, 1000000, 3) holds more values for one "
                                          "image than Graft accepts"),
            std::string::npos)
      << a.diagnostics[0].message;
  // Large but real: 4096 px with 64 channels, and sizes not known until an image comes.
  GraphBuilder big("big");
  auto y = big.input("in", {kUnknown, 4096, 4096, 3});
  big.add("Conv2D", "conv", {{"filters", 64}, {"kernel_size", 3}, {"padding", "same"}}, y);
  EXPECT_TRUE(analyze(big.build()).ok());
  GraphBuilder open("open");
  auto z = open.input("in", {kUnknown, kUnknown, kUnknown, 3});
  open.add("Conv2D", "conv", {{"filters", 64}, {"kernel_size", 3}}, z);
  EXPECT_TRUE(analyze(open.build()).ok());
}

TEST(Limits, ElementCountOverflowIsAnError) {
  EXPECT_THROW(elementCount({int64_t{1} << 40, int64_t{1} << 40}), Error);
  EXPECT_THROW(elementCount({3, -2}), Error);
  EXPECT_EQ(elementCount({2, 3, 4}), 24);
}

TEST(Limits, DeeplyNestedJsonIsRefused) {
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  try {
    graphFromKerasJsonText(deep);
    FAIL() << "nested document accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("nested more than"), std::string::npos) << e.what();
  }
}

// Files people write name each key once per object: a second "learning_rate" pasted below the
// first used to replace it without a word. The error names where, as a JSON path.
TEST(Limits, ADuplicateKeyInAFilePeopleWriteIsRefusedWithItsPath) {
  const auto refusal = [](const std::string& text) {
    try {
      const Json parsed = Json::parse(text, jsonInputGuard("f.json"));
      (void)parsed;
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  EXPECT_EQ(refusal(R"({"a": 1, "a": 2})"),
            R"(f.json: $ has the key "a" twice (JSON would keep only the last one): remove one)");
  EXPECT_EQ(refusal(R"({"a": [1, {"b": 2, "c": [3]}, {"c": 1, "c": 2}]})").substr(0, 40),
            R"(f.json: $.a[2] has the key "c" twice (JS)");
  EXPECT_EQ(
      refusal(R"({"s": [[1, 2], {"x": {"k": 1}, "y": {"k": 1, "z": [], "k": 2}}]})").substr(0, 36),
      R"(f.json: $.s[1].y has the key "k" twi)");
  // Equal keys in different objects, and the same key again after an object closed, are fine.
  EXPECT_EQ(refusal(R"({"a": {"k": 1}, "b": {"k": 2}, "c": [{"k": 1}, {"k": 2}]})"), "accepted");
  // The bound on nesting still holds.
  EXPECT_NE(refusal(std::string(1000, '[') + std::string(1000, ']')).find("nested more than"),
            std::string::npos);
  // Keras's own files keep Python's leniency: the last key wins.
  EXPECT_EQ(parseBoundedJson(R"({"a": 1, "a": 2})", "config")["a"], 2);
}

TEST(Limits, TensOfThousandsOfLayersAreRefused) {
  std::string text = R"({"class_name": "Functional", "config": {"name": "m", "layers": [)";
  for (int i = 0; i < 30000; ++i)
    text += std::string(i ? "," : "") + R"({"class_name": "ReLU", "name": "r)" + std::to_string(i) +
            R"(", "config": {}, "inbound_nodes": []})";
  text += "]}}";
  try {
    graphFromKerasJsonText(text);
    FAIL() << "30000 layers accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("more than Graft accepts"), std::string::npos) << e.what();
  }
}

TEST(Limits, CyclicConfigIsRefused) {
  const char* text = R"({"class_name": "Functional", "config": {"name": "m", "layers": [
    {"class_name": "InputLayer", "config": {"batch_input_shape": [null, 4]}, "name": "in", "inbound_nodes": []},
    {"class_name": "Dense", "config": {"units": 4}, "name": "a", "inbound_nodes": [[["b", 0, 0, {}]]]},
    {"class_name": "Dense", "config": {"units": 4}, "name": "b", "inbound_nodes": [[["a", 0, 0, {}]]]}]}})";
  EXPECT_THROW(graphFromKerasJsonText(text), Error);
}

}  // namespace
}  // namespace graft
