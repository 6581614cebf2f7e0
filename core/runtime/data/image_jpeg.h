#pragma once
// JPEG structure checks that OpenCV does not do: libjpeg decodes a truncated file without an
// error (the missing rows come out gray), so a cut-off download would be predicted as if whole.
#include <cstddef>

namespace graft {

// True when `data` starts with a JPEG SOI marker.
bool looksLikeJpeg(const unsigned char* data, size_t size);

// Walks the marker segments and the entropy-coded scans; true when an EOI marker ends the
// image, false when the data runs out first (truncated) or a segment length is impossible.
bool jpegIsComplete(const unsigned char* data, size_t size);

}  // namespace graft
