// applyOperation: the one entry point of model surgery. Looks up the handler for "op", lets it
// edit a Draft, and turns refusals into diagnostics so the caller's model is never touched.
#include <utility>

#include "graph/surgery/draft.h"

namespace graft {
namespace {

using Handler = void (*)(surgery::Draft&);

const std::vector<std::pair<std::string, Handler>>& handlers() {
  // A constant table (built once, never changed): operation name -> handler.
  static const std::vector<std::pair<std::string, Handler>> table = {
      {"set_input_shape", surgery::setInputShapeOperation},
      {"cut", surgery::cutOperation},
      {"stack", surgery::stackOperation},
      {"insert", surgery::insertOperation},
      {"remove", surgery::removeOperation},
      {"replace", surgery::replaceOperation},
      {"fuse", surgery::fuseOperation},
      {"freeze", surgery::freezeOperation},
      {"unfreeze", surgery::unfreezeOperation},
      {"set_config", surgery::setConfigOperation},
      {"rename", surgery::renameOperation},
  };
  return table;
}

}  // namespace

const std::vector<std::string>& operationNames() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> n;
    for (const auto& [name, handler] : handlers()) n.push_back(name);
    return n;
  }();
  return names;
}

Expected<EditResult> applyOperation(const Model& model, const Json& operation,
                                    const EditOptions& options) {
  if (!operation.is_object() || !operation.contains("op") || !operation.at("op").is_string())
    return Diagnostic{"op", "an operation is an object with an \"op\" field, got " +
                                operation.dump().substr(0, 200)};
  const std::string op = operation.at("op").get<std::string>();
  Handler handler = nullptr;
  for (const auto& [name, h] : handlers())
    if (name == op) handler = h;
  if (!handler) {
    std::string known;
    for (const auto& n : operationNames()) known += (known.empty() ? "" : ", ") + n;
    return Diagnostic{"op", "unknown operation '" + op + "' (known: " + known + ")"};
  }
  try {
    surgery::Draft draft(model, operation);
    draft.reinitializeMisfits = draft.flag("reinitialize");
    handler(draft);
    return surgery::finish(draft, options);
  } catch (const Error& e) {
    if (!e.diagnostics().empty()) return e.diagnostics();
    return Diagnostic{"", e.what()};
  } catch (const Json::exception& e) {
    // A field of the wrong JSON type deep inside a layer config.
    return Diagnostic{op, std::string("malformed operation: ") + e.what()};
  }
}

}  // namespace graft
