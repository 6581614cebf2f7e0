// The Keras .h5 importer, as `graft-cli summary FILE.h5` reaches it: a full model (model_config
// plus weights) or a weights-only file to recognise. Any input must load or be refused with a
// graft::Error; anything else (a crash, a sanitizer report, another exception) is a finding.
#include <hdf5.h>

#include <new>

#include "fuzz_input_file.h"
#include "graph/diagnostic.h"
#include "io/model_source.h"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);  // HDF5's error stacks would flood the log
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  graft::ModelSpec spec;
  spec.source = graft::fuzz::writeInputFile(data, size, ".h5");
  try {
    graft::loadModel(spec);
  } catch (const graft::Error&) {
  } catch (const std::bad_alloc&) {
    // Within graft::limits (8 GiB per tensor) but beyond this process's allocation cap
    // (max_allocation_size_mb in run_fuzzers.sh): a legitimate refusal here.
  }
  return 0;
}
