#include "runtime/explore/cut_explorer_advice.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "graph/diagnostic.h"
#include "graph/summary.h"

namespace graft {

namespace {

std::string oneDecimalPercent(double accuracy) {
  char text[16];
  std::snprintf(text, sizeof text, "%.1f %%", accuracy * 100.0);
  return text;
}

std::string milliseconds(double ms) {
  char text[32];
  std::snprintf(text, sizeof text, "%.2f ms", ms);
  return text;
}

// "7.64 M"; a count under 100,000 in full ("544"): the first cuts of a small network kept
// "0.00 M".
std::string millions(int64_t params) {
  if (params < 100000) return withThousands(params);
  char text[32];
  std::snprintf(text, sizeof text, "%.2f M", static_cast<double>(params) / 1e6);
  return text;
}

}  // namespace

CutExplorerReport cutExplorerReportFromJson(const Json& json, const std::string& source) {
  const auto fail = [&](const std::string& path, const std::string& what) {
    return Error(source + ": " + path + ": " + what);
  };
  if (!json.is_object()) throw fail("$", "expected probe --json's object");
  if (!json.contains("candidates") || !json["candidates"].is_array())
    throw fail("$.candidates", "missing (an array of candidates)");
  CutExplorerReport report;
  const auto& list = json["candidates"];
  for (size_t i = 0; i < list.size(); ++i) {
    const std::string at = "$.candidates[" + std::to_string(i) + "]";
    const Json& c = list[i];
    if (!c.is_object()) throw fail(at, "expected an object");
    const auto number = [&](const char* key, double lo, double hi) {
      if (!c.contains(key) || !c[key].is_number()) throw fail(at + "." + key, "missing number");
      const double v = c[key].get<double>();
      if (!std::isfinite(v) || v < lo || v > hi)
        throw fail(at + "." + key, "out of range: " + c[key].dump());
      return v;
    };
    if (!c.contains("layer") || !c["layer"].is_string() || c["layer"].get<std::string>().empty())
      throw fail(at + ".layer", "missing layer name");
    CutCandidateResult r;
    r.layer = c["layer"].get<std::string>();
    r.valAccuracy = number("val_accuracy", 0.0, 1.0);
    r.featureSize = static_cast<int64_t>(number("feature_size", 0.0, 1e12));
    // Absent from reports written before the field was: read as "pooled".
    r.keepsMap = c.contains("features") && c["features"] == "pooled_and_map";
    r.prefixParams = static_cast<int64_t>(number("prefix_params", 0.0, 1e15));
    r.msPerImage = number("ms_per_image", 0.0, 1e9);
    report.candidates.push_back(r);
  }
  // Absent from reports written before the field was: nothing to compare then.
  if (json.contains("classes")) {
    const Json& classes = json["classes"];
    const auto isName = [](const Json& name) { return name.is_string(); };
    if (!classes.is_array() || !std::all_of(classes.begin(), classes.end(), isName))
      throw fail("$.classes", "expected an array of class names");
    report.classes = classes.get<std::vector<std::string>>();
  }
  return report;
}

std::optional<std::string> measuredOnOtherClasses(const CutExplorerReport& report,
                                                  const std::vector<std::string>& classes) {
  if (report.classes.empty() || report.classes == classes) return std::nullopt;
  const auto list = [](const std::vector<std::string>& names) {
    std::string text;
    const size_t shown = std::min<size_t>(names.size(), 6);
    for (size_t i = 0; i < shown; ++i) text += (i == 0 ? "" : ", ") + names[i];
    if (names.size() > shown) text += ", ... (" + std::to_string(names.size()) + " in all)";
    return text;
  };
  return "the explorer's report was measured on the classes " + list(report.classes) +
         ", and this folder has " + list(classes) +
         ": its accuracies say where to cut for those; measure this folder with graft-cli probe";
}

const CutCandidateResult* bestCutCandidate(const CutExplorerReport& report) {
  const CutCandidateResult* best = nullptr;
  for (const auto& candidate : report.candidates)
    if (!best || candidate.valAccuracy > best->valAccuracy) best = &candidate;  // shallowest
  return best;
}

std::vector<std::string> cutAdvice(const CutExplorerReport& report, const Graph& graph,
                                   double tolerance) {
  std::vector<std::string> sentences;
  CutExplorerReport known;
  std::string missing;
  for (const auto& c : report.candidates) {
    if (graph.find(c.layer))
      known.candidates.push_back(c);
    else
      missing += (missing.empty() ? "" : ", ") + c.layer;
  }
  if (!missing.empty())
    sentences.push_back("The explorer's report names layers this model lacks (" + missing +
                        "): it was measured on another model, and they are left out.");
  if (known.candidates.empty()) return sentences;
  const CutCandidateResult* best = bestCutCandidate(known);
  const CutCandidateResult* deepest = &known.candidates.back();
  // The figure is a classifier fitted to convergence; a new head from random weights trained by
  // the default plan stayed near chance on a small folder where the explorer measured 100 %.
  const std::string startFromTheFit =
      " A head that starts as the classifier fitted there has that accuracy at once (graft-cli "
      "probe --cut best -o OUT.graft); a new head from random weights needs far more training.";
  if (best == deepest) {
    sentences.push_back("The explorer measured " + deepest->layer +
                        ", the deepest candidate, best (" + oneDecimalPercent(best->valAccuracy) +
                        " validation accuracy of a linear classifier on its features): keep the "
                        "base up to there." +
                        startFromTheFit);
  } else {
    sentences.push_back("The explorer measured " + best->layer + " best (" +
                        oneDecimalPercent(best->valAccuracy) +
                        " validation accuracy of a linear "
                        "classifier on its features, against " +
                        oneDecimalPercent(deepest->valAccuracy) + " at the deepest candidate, " +
                        deepest->layer + "): cut at " + best->layer +
                        " (recipe {\"op\": \"cut\", "
                        "\"at\": \"" +
                        best->layer + "\"}), which keeps " + millions(best->prefixParams) + " of " +
                        millions(deepest->prefixParams) + " parameters." + startFromTheFit);
  }
  const CutCandidateResult* cheapest = best;
  for (const auto& c : known.candidates)
    if (c.valAccuracy >= best->valAccuracy - tolerance && c.prefixParams < cheapest->prefixParams)
      cheapest = &c;
  if (cheapest != best)
    sentences.push_back(cheapest->layer + " scores within " + oneDecimalPercent(tolerance) +
                        " of the best (" + oneDecimalPercent(cheapest->valAccuracy) + ") with " +
                        millions(cheapest->prefixParams) + " parameters and " +
                        milliseconds(cheapest->msPerImage) +
                        " per image: the cheaper cut if size or speed matters.");
  return sentences;
}

}  // namespace graft
