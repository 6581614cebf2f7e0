// A .graft project file, as `graft-cli summary FILE.graft` and the GUI's Open read it. Any input
// must load or be refused with a graft::Error; anything else is a finding.
#include <hdf5.h>

#include <new>

#include "fuzz_input_file.h"
#include "graph/diagnostic.h"
#include "io/project_file.h"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);  // HDF5's error stacks would flood the log
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    graft::loadProject(graft::fuzz::writeInputFile(data, size, ".graft"));
  } catch (const graft::Error&) {
  } catch (const std::bad_alloc&) {
    // Within graft::limits (8 GiB per tensor) but beyond this process's allocation cap
    // (max_allocation_size_mb in run_fuzzers.sh): a legitimate refusal here.
  }
  return 0;
}
