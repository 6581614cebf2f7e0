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
