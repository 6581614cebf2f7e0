#pragma once
// Internal to surgery: the mutable working copy one operation edits before it becomes an
// immutable Graph again. Handlers change a Draft and throw graft::Error (naming layers) to
// refuse; finish() re-infers every shape, settles the weights and builds the EditResult.
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "graph/analysis.h"
#include "graph/surgery/surgery.h"

namespace graft::surgery {

class Draft {
 public:
  Draft(const Model& model, const Json& operation);

  const Model& original() const { return original_; }
  const GraphAnalysis& originalAnalysis() const { return originalAnalysis_; }
  const Json& operation() const { return operation_; }

  // Operation fields, with errors naming the field.
  std::string stringField(const char* key) const;
  bool has(const char* key) const { return operation_.contains(key); }
  // A layer name or a list of layer names (each must be a string).
  std::vector<std::string> nameList(const char* key) const;
  bool flag(const char* key) const;  // a boolean field, false when absent

  bool contains(const std::string& name) const;
  Node& node(const std::string& name);  // throws naming the layer
  const Node& node(const std::string& name) const;
  size_t indexOf(const std::string& name) const;
  // The layers inside the nested model (Node::group) of this name, in model order; empty when
  // there is none.
  std::vector<std::string> layersOfNestedModel(const std::string& name) const;
  std::vector<std::string> consumersOf(const std::string& name) const;
  std::vector<std::string> names() const;
  // The layers' names and those of the nested models they sit in: a new or renamed layer must
  // take none of them (a layer named like a nested model made "freeze sequential_1" freeze the
  // layer instead of the nested model).
  std::vector<std::string> takenNames() const;
  bool isOutput(const std::string& name) const;

  // Every consumer of `from` (and the model output list) uses `to` instead; `except` keeps its
  // input (the new layer that itself reads `from`).
  void redirect(const std::string& from, const std::string& to, const std::string& except = "");
  void insertAt(size_t index, Node node);
  void erase(const std::set<std::string>& names);  // nodes, their weights, their output entries

  // The new layers' names must be free; weights for them are drawn in finish().
  void addFresh(const std::string& name) { fresh.push_back(name); }

  std::vector<Node> nodes;
  std::vector<std::string> outputs;
  WeightStore weights;
  std::vector<std::string> fresh;  // layers that get fresh Keras-default weights
  // Model::untrainedLayers as the edit leaves them (rename renames them); finish() adds the
  // layers it draws weights for and drops those gone.
  std::vector<std::string> untrained;
  std::vector<std::string> notes;
  Json recorded;  // the operation as it will be recorded in the recipe
  // Existing layers whose weights no longer fit get fresh ones (with a note) instead of
  // refusing the edit: with "reinitialize": true, and for set_config unless it says false.
  bool reinitializeMisfits = false;
  // set_config's layers: their own weights follow their new config (fresh where the shapes
  // changed) whatever reinitializeMisfits says of the layers after them.
  std::set<std::string> reconfigured;
  // set_preprocessing's choice: how images become the input (the graph does not change).
  std::optional<Preprocessing> preprocessing;

 private:
  const Model& original_;
  GraphAnalysis originalAnalysis_;
  const Json& operation_;
};

// Builds the result: analysis (refusing with its diagnostics), weights of removed layers
// dropped, fresh weights drawn, misfitting weights refused / re-initialised / deferred.
Expected<EditResult> finish(Draft& draft, const EditOptions& options);

// The layers a Keras layer spec list describes ({"class_name", "config"} objects), named and
// normalized; names are checked against the draft and each other. `exceptNames` may be reused
// (the layers being replaced).
std::vector<Node> newLayers(const Draft& draft, const Json& specs, const char* field,
                            const std::set<std::string>& exceptNames = {});

// The removed/replaced layers ordered as a chain l1 -> ... -> lk, each with one input;
// throws naming the layer that breaks the chain.
std::vector<std::string> chainOf(const Draft& draft, const std::vector<std::string>& layers);

// Handlers, one per operation (grouped by family in ops_*.cpp).
void cutOperation(Draft& d);
void stackOperation(Draft& d);
void insertOperation(Draft& d);
void removeOperation(Draft& d);
void replaceOperation(Draft& d);
void fuseOperation(Draft& d);
void freezeOperation(Draft& d);
void unfreezeOperation(Draft& d);
void setInputShapeOperation(Draft& d);
void renameOperation(Draft& d);
void setConfigOperation(Draft& d);
void setPreprocessingOperation(Draft& d);

}  // namespace graft::surgery
