#include "runtime/training/training_findings_json.h"

#include <algorithm>

namespace graft {

void addTrainingFindings(Json& out, const std::vector<PlanWarning>& warnings,
                         const std::vector<Diagnosis>& diagnoses) {
  Json warned = Json::array();
  for (const PlanWarning& w : warnings)
    warned.push_back({{"kind", w.kind}, {"message", w.message}});
  out["warnings"] = std::move(warned);
  // The doctor repeats a finding every epoch it lasts: its latest numbers are what matter.
  std::vector<const Diagnosis*> latest;
  for (const Diagnosis& d : diagnoses) {
    const auto same = std::find_if(latest.begin(), latest.end(),
                                   [&](const Diagnosis* seen) { return seen->code == d.code; });
    if (same == latest.end())
      latest.push_back(&d);
    else
      *same = &d;
  }
  Json found = Json::array();
  for (const Diagnosis* d : latest)
    found.push_back(
        {{"code", d->code}, {"epoch", d->epoch}, {"message", d->message}, {"fix", d->fix}});
  out["diagnoses"] = std::move(found);
}

}  // namespace graft
