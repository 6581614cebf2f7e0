// Image decoding as training, prediction and evaluation read images: Graft's decodeImageRgb
// (OpenCV's imgcodecs, EXIF orientation, Graft's JPEG completeness check, channel and depth
// conversion). Refusals are graft::Errors; anything else is a finding.
#include <new>
#include <vector>

#include "graph/diagnostic.h"
#include "runtime/data/image_loader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::vector<unsigned char> bytes(data, data + size);
  try {
    graft::decodeImageRgb(bytes, "fuzz input");
  } catch (const graft::Error&) {
  } catch (const std::bad_alloc&) {
    // Within graft::limits (8 GiB per tensor) but beyond this process's allocation cap
    // (max_allocation_size_mb in run_fuzzers.sh): a legitimate refusal here.
  }
  return 0;
}
