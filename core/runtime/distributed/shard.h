#pragma once
// How a data-parallel run splits an epoch's samples, as torch.utils.data.DistributedSampler
// does: every rank computes the same seeded order; rank r takes positions r, r + W, r + 2W, ...
// (W ranks). For training the order is first padded by repeating its start until W divides it,
// so every rank runs the same number of steps (DistributedSampler's drop_last=False); a few
// samples then count twice in an epoch. Validation is not padded: each image counts once.
#include <cstddef>
#include <vector>

namespace graft {

std::vector<size_t> shardOfOrder(const std::vector<size_t>& order, int rank, int worldSize,
                                 bool padToEqualShares);

}  // namespace graft
