#pragma once
// What the cut-point explorer's measurements (runtime/explore/cut_explorer.h) say about where to
// cut, for the advisor: `graft-cli advise --probe PROBE.json` adds it to the plan's reasons.
#include <string>
#include <vector>

#include "runtime/explore/cut_explorer_report.h"
#include "runtime/training/training_plan.h"

namespace graft {

// `probe --json`'s object read back. Throws graft::Error naming `source` and the JSON path of
// the problem (a missing key, a number out of range).
CutExplorerReport cutExplorerReportFromJson(const Json& json, const std::string& source);

// Sentences on where to cut: the candidate with the best validation accuracy (the shallowest
// of equals) against the deepest one, and the cheapest candidate within `tolerance` of the
// best when that is another. Layers the model lacks (a report about another model) are
// named in a sentence of their own and not advised. Empty for an empty report.
std::vector<std::string> cutAdvice(const CutExplorerReport& report, const Graph& graph,
                                   double tolerance = 0.02);

}  // namespace graft
