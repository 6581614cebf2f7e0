# NCCL for the CUDA ranks of a data-parallel run (core/runtime/distributed/data_parallel.cpp):
# on when the LibTorch found has CUDA and its c10d ProcessGroupNCCL compiles and links with the
# very calls Graft makes. The check is the guard: a LibTorch without NCCL, or one whose API
# differs, configures with NCCL off (Gloo exchanges CUDA tensors through host memory then)
# instead of failing to build.
include(CheckCXXSourceCompiles)

function(graft_check_nccl result)
  set(${result} OFF PARENT_SCOPE)
  if(NOT GRAFT_CUDA OR Torch_VERSION VERSION_LESS 2.0)
    return()
  endif()
  set(CMAKE_REQUIRED_LIBRARIES torch)
  set(CMAKE_REQUIRED_DEFINITIONS -DUSE_C10D_NCCL)
  set(CMAKE_REQUIRED_QUIET ON)
  check_cxx_source_compiles([[
#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
int main() {
  c10::intrusive_ptr<c10d::Store> store;
  auto options = c10d::ProcessGroupNCCL::Options::create();
  options->timeout = std::chrono::milliseconds(1000);
  auto group = c10::make_intrusive<c10d::ProcessGroupNCCL>(
      c10::make_intrusive<c10d::PrefixStore>("nccl", store), 0, 1, options);
  std::vector<at::Tensor> tensors;
  c10d::BroadcastOptions broadcast;
  c10::intrusive_ptr<c10d::Work> work = group->allreduce(tensors);
  work = group->broadcast(tensors, broadcast);
  return work->wait() ? 0 : 1;
}
]] GRAFT_NCCL_COMPILES)
  if(GRAFT_NCCL_COMPILES)
    set(${result} ON PARENT_SCOPE)
  endif()
endfunction()
