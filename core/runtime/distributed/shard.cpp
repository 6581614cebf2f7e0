#include "runtime/distributed/shard.h"

namespace graft {

std::vector<size_t> shardOfOrder(const std::vector<size_t>& order, int rank, int worldSize,
                                 bool padToEqualShares) {
  const size_t ranks = static_cast<size_t>(worldSize);
  size_t total = order.size();
  if (padToEqualShares && !order.empty()) total = (order.size() + ranks - 1) / ranks * ranks;
  std::vector<size_t> shard;
  for (size_t i = static_cast<size_t>(rank); i < total; i += ranks)
    shard.push_back(order[i % order.size()]);
  return shard;
}

}  // namespace graft
