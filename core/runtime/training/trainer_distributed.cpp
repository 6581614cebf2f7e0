#include "runtime/training/trainer_distributed.h"

#include <torch/torch.h>

#include <sstream>

#include "graph/diagnostic.h"

namespace graft {

JobFact textFact(const std::string& name, const std::string& text) {
  uint64_t hash = 1469598103934665603ull;  // FNV-1a
  for (const unsigned char c : text) hash = (hash ^ c) * 1099511628211ull;
  // 52 bits: exactly a double, so the comparison through a float64 broadcast is exact.
  return {name, static_cast<double>(hash & ((uint64_t{1} << 52) - 1)), text};
}

void startDataParallel(DataParallel& group, torch::nn::Module& module,
                       const std::vector<JobFact>& facts) {
  std::vector<double> mine;
  for (const auto& fact : facts) mine.push_back(fact.value);
  auto rankZero = torch::tensor(mine, torch::kFloat64);
  group.broadcastFromRankZero({rankZero}, "comparing the job with rank 0's");
  std::ostringstream differences;
  for (size_t i = 0; i < facts.size(); ++i) {
    const double theirs = rankZero[static_cast<int64_t>(i)].item<double>();
    if (theirs == facts[i].value) continue;
    differences << (differences.tellp() ? ", " : "") << facts[i].name;
    if (facts[i].text.empty())
      differences << " " << facts[i].value << " here but " << theirs << " on rank 0";
    else
      differences << " '" << facts[i].text << "' here, not rank 0's";
  }
  const std::string mismatch = differences.str();
  // Every rank learns whether any rank differs, so all of them stop, not just the odd one.
  const double ranksDiffering =
      group.sumOverRanks({mismatch.empty() ? 0.0 : 1.0}, "comparing the job with rank 0's")[0];
  if (!mismatch.empty())
    throw Error(group.environment().describe() + ": this rank's job differs from rank 0's (" +
                mismatch + "); every rank must get the same model, data and options");
  if (ranksDiffering > 0)
    throw Error(group.environment().describe() + ": " +
                std::to_string(static_cast<int>(ranksDiffering)) +
                " other rank(s) got a different model, data or options (see their messages)");

  std::vector<torch::Tensor> state;
  for (const auto& p : module.parameters()) state.push_back(p);
  for (const auto& b : module.buffers()) state.push_back(b);
  torch::NoGradGuard noGrad;
  group.broadcastFromRankZero(state, "giving every rank rank 0's weights");
}

StepTotals exchangeGradients(DataParallel& group, const std::vector<torch::Tensor>& parameters,
                             const StepTotals& local) {
  torch::NoGradGuard noGrad;
  std::vector<torch::Tensor> buffers;
  buffers.push_back(
      torch::tensor({static_cast<float>(local.images), static_cast<float>(local.lossSum),
                     static_cast<float>(local.correct), local.cancelled ? 1.f : 0.f},
                    torch::kFloat32));
  for (const auto& p : parameters) {
    torch::Tensor grad = p.grad();
    if (!grad.defined()) {
      grad = torch::zeros_like(p);
      p.mutable_grad() = grad;
    }
    grad.mul_(local.images);  // mean over this rank's images -> sum
    buffers.push_back(grad);
  }
  group.allReduceSum(buffers, "exchanging gradients");
  const float* totals = buffers[0].data_ptr<float>();
  StepTotals global;
  global.images = totals[0];
  global.lossSum = totals[1];
  global.correct = totals[2];
  global.cancelled = totals[3] > 0.f;
  if (global.images > 0)
    for (size_t i = 1; i < buffers.size(); ++i) buffers[i].div_(global.images);
  return global;
}

std::optional<StepNumbers> exchangeStep(DataParallel& group,
                                        const std::vector<torch::Tensor>& parameters,
                                        const StepNumbers& mine, bool cancelled) {
  StepTotals local;
  local.images = static_cast<double>(mine.images);
  local.lossSum = mine.loss * static_cast<double>(mine.images);
  local.correct = static_cast<double>(mine.correct);
  local.cancelled = cancelled;
  const StepTotals global = exchangeGradients(group, parameters, local);
  if (global.cancelled) return std::nullopt;
  StepNumbers all;
  all.images = static_cast<int64_t>(global.images);
  all.correct = static_cast<int64_t>(global.correct);
  all.loss = all.images > 0 ? global.lossSum / global.images : 0.0;
  return all;
}

ClassificationMetrics sumOverRanks(DataParallel& group, const ClassificationMetrics& mine,
                                   size_t classes) {
  return ClassificationMetrics::fromCounts(
      classes, group.sumOverRanks(mine.counts(), "summing validation metrics"));
}

std::string dataParallelNote(const DataParallel& group, int64_t batchSize, size_t trainShare) {
  return "data-parallel over " + std::to_string(group.worldSize()) + " processes (" +
         group.exchangeName() + "; " + group.environment().describe() +
         "): " + std::to_string(batchSize) + " images per process and step, " +
         std::to_string(batchSize * group.worldSize()) + " per step; " +
         std::to_string(trainShare) + " training images per process and epoch";
}

void averageBuffers(DataParallel& group, torch::nn::Module& module) {
  std::vector<torch::Tensor> floating;
  for (const auto& b : module.buffers())
    if (b.is_floating_point()) floating.push_back(b);
  if (floating.empty()) return;
  torch::NoGradGuard noGrad;
  group.allReduceSum(floating, "averaging BatchNormalization statistics");
  for (auto& b : floating) b.div_(group.worldSize());
}

}  // namespace graft
