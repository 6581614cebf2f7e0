#pragma once
// Puts the weights of a Keras .h5 file into a model: by layer name first, else by Keras's own
// order rule (the layers that have weights, in order), and says which rule was used.
#include <map>
#include <set>
#include <string>
#include <vector>

#include "graph/model.h"
#include "io/keras_h5_reader.h"

namespace graft {

// How a file's weights were matched to the model's layers: by layer name (Keras 2's layout),
// by the order of the layers with weights (a Keras 2 file of the same architecture whose names
// differ, as Keras's load_weights does), or by position in the model's layer tree (Keras 3's
// layout, whose groups are named by class and counter).
enum class MatchRule { ByName, ByOrder, ByPosition };

struct WeightLoadReport {
  MatchRule rule = MatchRule::ByName;
  std::vector<std::string> loaded;          // model layers that received weights
  std::vector<std::string> missing;         // model layers with weights the file does not have
  std::vector<std::string> unused;          // file layers with weights the model does not have
  std::vector<std::string> kernelsFlipped;  // convolutions of a Theano-backend file
  std::string describe() const;             // one line for the user
};

struct WeightLoadOptions {
  // When false, every model layer with weights must be found in the file.
  bool allowMissing = false;
  // Model layer -> the name an older Keras gave the same layer in its files, tried when the
  // model's own name is not in the file (Keras's published DenseNet files say conv1/conv for
  // today's conv1_conv).
  std::map<std::string, std::string> fileNames;
  // When not empty, only these model layers are read (matched as for the whole model): the
  // layers another file lacks, without reading the rest.
  std::set<std::string> only;
  // The Keras model's nested models the graph left out (Model::kerasLeftOut).
  std::vector<LeftOutModel> leftOut;
};

// Reads the matching datasets into `store` (Keras layout). Checks every dataset's shape
// against the model before reading; a mismatch throws graft::Error naming the layer, the
// weight and both shapes. BatchNormalization weights are placed by their stored names
// (gamma, beta, moving_mean, moving_variance), other layers by position. Convolution kernels of
// a file from the Theano backend are flipped, as Keras 1 and 2 flipped them on loading.
WeightLoadReport loadKerasWeights(const KerasH5Reader& file, const Graph& graph,
                                  const GraphAnalysis& analysis, WeightStore& store,
                                  const WeightLoadOptions& options = {});

}  // namespace graft
