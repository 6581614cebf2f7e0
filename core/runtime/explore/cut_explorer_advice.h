#pragma once
// What the cut-point explorer's measurements (runtime/explore/cut_explorer.h) say about where to
// cut, for the advisor: `graft-cli advise --probe PROBE.json` adds it to the plan's reasons.
#include <optional>
#include <string>
#include <vector>

#include "runtime/explore/cut_explorer_report.h"
#include "runtime/training/training_plan.h"

namespace graft {

// `probe --json`'s object read back. Throws graft::Error naming `source` and the JSON path of
// the problem (a missing key, a number out of range).
CutExplorerReport cutExplorerReportFromJson(const Json& json, const std::string& source);

// Why `report` says nothing about a folder of `classes`: it was measured on other classes
// (names or order); nothing for a report that does not say (written before it did).
std::optional<std::string> measuredOnOtherClasses(const CutExplorerReport& report,
                                                  const std::vector<std::string>& classes);

// The candidate the advice names best: the highest validation accuracy, the shallowest of
// equals. Null for an empty report.
const CutCandidateResult* bestCutCandidate(const CutExplorerReport& report);

// Sentences on where to cut: the candidate with the best validation accuracy (the shallowest
// of equals) against the deepest one, and the cheapest candidate within `tolerance` of the
// best when that is another. Layers the model lacks (a report about another model) are
// named in a sentence of their own and not advised. Empty for an empty report.
std::vector<std::string> cutAdvice(const CutExplorerReport& report, const Graph& graph,
                                   double tolerance = 0.02);

}  // namespace graft
