#pragma once
// "did you mean": the name a mistyped layer name most likely meant (conv_pw_13_Relu ->
// conv_pw_13_relu, global_avg_pooling2d_1 -> global_average_pooling2d_1).
#include <optional>
#include <string>
#include <vector>

#include "graph/graph.h"

namespace graft {

// The name in `names` closest to `wanted` by edit distance, ignoring letter case, when it is
// close enough to be a slip (at most a fifth of the name's letters, and at least 2, differ);
// nothing otherwise, or when two names are equally close.
std::optional<std::string> nearestName(const std::string& wanted,
                                       const std::vector<std::string>& names);

// "; did you mean 'conv_pw_9'?" for the layer of `graph` nearest `wanted` (nearestName), ""
// when none is close: the end of a message about a name no layer has.
std::string didYouMean(const Graph& graph, const std::string& wanted);

}  // namespace graft
