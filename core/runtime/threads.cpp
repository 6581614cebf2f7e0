#include "runtime/threads.h"

#include <ATen/Parallel.h>

#include <thread>

namespace graft {

int useAllCoresForTorch() {
  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  at::set_num_threads(static_cast<int>(cores));
  return at::get_num_threads();
}

}  // namespace graft
