// applyOperation: the one entry point of model surgery. Looks up the handler for "op", lets it
// edit a Draft, and turns refusals into diagnostics so the caller's model is never touched.
#include <algorithm>
#include <optional>
#include <utility>

#include "graph/nearest_name.h"
#include "graph/surgery/draft.h"
#include "graph/surgery/operation_form.h"

namespace graft {
namespace {

using Handler = void (*)(surgery::Draft&);

struct OperationKind {
  const char* name;
  Handler handler;
  // The fields it reads besides "op", "seed" and "reinitialize": any other field is refused, so a
  // typo ("methd", "upto_") cannot silently give an edit nobody asked for.
  std::vector<std::string> fields;
  // Fields that say the same thing two ways (insert's "layer" or "layers"): at most one of each
  // group, so an operation giving both is refused instead of one of them being dropped.
  std::vector<std::vector<std::string>> atMostOneOf = {};
};

const std::vector<OperationKind>& kinds() {
  // A constant table (built once, never changed), in the order DESIGN.md lists the operations.
  static const std::vector<OperationKind> table = {
      {"set_input_shape", surgery::setInputShapeOperation, {"shape", "input"}},
      {"cut", surgery::cutOperation, {"at", "drop_branches"}},
      {"stack", surgery::stackOperation, {"after", "layers"}},
      {"insert",
       surgery::insertOperation,
       {"after", "before", "between", "layer", "layers"},
       {{"layer", "layers"}}},  // after / before / between: insertOperation says which
      {"remove", surgery::removeOperation, {"layers", "layer"}, {{"layers", "layer"}}},
      {"replace", surgery::replaceOperation, {"layers", "layer", "with"}, {{"layers", "layer"}}},
      // samples, relative_error and held_out_error: what a least-squares fusion records
      // (runtime/fusion).
      {"fuse",
       surgery::fuseOperation,
       {"layers", "method", "samples", "relative_error", "held_out_error"}},
      {"freeze",
       surgery::freezeOperation,
       {"layers", "upto", "from", "types", "type"},
       {{"types", "type"}}},
      {"unfreeze",
       surgery::unfreezeOperation,
       {"layers", "upto", "from", "types", "type"},
       {{"types", "type"}}},
      {"set_config",
       surgery::setConfigOperation,
       {"layer", "config", "layers"},
       {{"layers", "layer"}, {"layers", "config"}}},
      {"rename", surgery::renameOperation, {"layer", "to"}},
      {"set_preprocessing", surgery::setPreprocessingOperation, {"preprocessing"}},
  };
  return table;
}

std::string joined(const std::vector<std::string>& names) {
  std::string text;
  for (const auto& n : names) text += (text.empty() ? "" : ", ") + n;
  return text;
}

std::optional<Diagnostic> unknownField(const OperationKind& kind, const Json& operation) {
  for (auto it = operation.begin(); it != operation.end(); ++it) {
    const std::string& key = it.key();
    if (key == "op" || key == "seed" || key == "reinitialize") continue;
    if (std::find(kind.fields.begin(), kind.fields.end(), key) != kind.fields.end()) continue;
    return Diagnostic{key, "not a field of " + std::string(kind.name) +
                               " (it takes: " + joined(kind.fields) + ", seed, reinitialize)"};
  }
  return std::nullopt;
}

std::optional<Diagnostic> conflictingFields(const OperationKind& kind, const Json& operation) {
  for (const auto& group : kind.atMostOneOf) {
    std::vector<std::string> given;
    for (const auto& key : group)
      if (operation.contains(key)) given.push_back(key);
    if (given.size() > 1)
      return Diagnostic{given[1], "given together with " + given[0] + ": " + kind.name +
                                      " takes one of " + joined(group)};
  }
  return std::nullopt;
}

}  // namespace

const std::vector<std::string>& operationNames() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> n;
    for (const auto& kind : kinds()) n.push_back(kind.name);
    return n;
  }();
  return names;
}

std::optional<Diagnostic> operationFormProblem(const Json& operation) {
  if (!operation.is_object() || !operation.contains("op") || !operation.at("op").is_string())
    return Diagnostic{"op", "an operation is an object with an \"op\" field, got " +
                                operation.dump().substr(0, 200)};
  const std::string op = operation.at("op").get<std::string>();
  const auto kind = std::find_if(kinds().begin(), kinds().end(),
                                 [&](const OperationKind& k) { return op == k.name; });
  if (kind == kinds().end()) {
    const auto nearest = nearestName(op, operationNames());
    return Diagnostic{"op", "unknown operation '" + op + "'" +
                                (nearest ? "; did you mean '" + *nearest + "'?" : "") +
                                " (known: " + joined(operationNames()) + ")"};
  }
  if (auto unknown = unknownField(*kind, operation)) return unknown;
  return conflictingFields(*kind, operation);
}

Expected<EditResult> applyOperation(const Model& model, const Json& operation,
                                    const EditOptions& options) {
  if (auto problem = operationFormProblem(operation)) return *problem;
  const std::string op = operation.at("op").get<std::string>();
  const auto kind = std::find_if(kinds().begin(), kinds().end(),
                                 [&](const OperationKind& k) { return op == k.name; });
  // Checked for every operation, also one that draws no weights (a cut), so that a recipe that
  // works today does not fail the day an edit before it gives the step something to draw.
  if (const auto seed = operation.find("seed"); seed != operation.end() &&
                                                !seed->is_number_unsigned() &&
                                                !(seed->is_number_integer() && *seed >= 0))
    return Diagnostic{"seed", "must be a non-negative integer, got " + seed->dump()};
  try {
    surgery::Draft draft(model, operation);
    draft.reinitializeMisfits = draft.flag("reinitialize");
    kind->handler(draft);
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
