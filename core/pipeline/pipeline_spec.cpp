#include "pipeline/pipeline_spec.h"

namespace graft {

std::string readSpecList(PipelineFields& f, const std::string& key) {
  f.known(key);
  if (!f.has(key)) return "";
  const Json& a = f.at(key);
  if (a.is_string()) return a.get<std::string>();
  if (!a.is_array()) f.fail(key, "expected a list of names, found " + a.dump());
  std::string list;
  for (const auto& item : a) {
    if (!item.is_string()) f.fail(key, "expected a list of names, found " + a.dump());
    list += (list.empty() ? "" : ",") + item.get<std::string>();
  }
  return list;
}

Json readSpecPlan(PipelineFields& f, const std::string& key, const std::string& baseDir) {
  f.known(key);
  if (!f.has(key)) return Json();
  const Json& plan = f.at(key);
  if (plan.is_string()) return f.filePath(key, baseDir);
  if (!plan.is_object())
    f.fail(key,
           "expected a plan file name or a plan {\"graft_plan\": 1, ...}, found " + plan.dump());
  return plan;
}

}  // namespace graft
