#pragma once
// PNG structure check that OpenCV does not do before decoding: libpng reads a cut-off file to
// its end and then prints "libpng error: PNG input buffer is incomplete" on stderr itself, before
// Graft could say anything. A file whose chunks do not reach IEND is refused in Graft's words.
#include <cstddef>
#include <string>

namespace graft {

// True when `data` starts with the 8-byte PNG signature.
bool looksLikePng(const unsigned char* data, size_t size);

// Walks the chunks from the signature to IEND; "" when every chunk (IEND's CRC included) lies
// inside the data, otherwise what is missing ("its IDAT chunk at byte 57 declares 8192 bytes,
// the file ends at byte 3054", "no IEND chunk: the file ends after its IDAT chunk").
std::string pngTruncation(const unsigned char* data, size_t size);

}  // namespace graft
