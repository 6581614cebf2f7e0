#pragma once
// PNG structure checks that OpenCV does not do before decoding. libpng reads a cut-off file to
// its end, or meets a chunk whose CRC fails, and prints "libpng error: PNG input buffer is
// incomplete" / "libpng error: IDAT: CRC error" on stderr itself, before Graft could say
// anything. Such a file is refused in Graft's words. An ancillary chunk (tEXt, gAMA, ...) whose
// CRC fails is one libpng discards after printing "libpng warning: tEXt: CRC error": Graft drops
// it first, so the image reads as OpenCV reads it, silently.
#include <cstddef>
#include <string>
#include <vector>

namespace graft {

// True when `data` starts with the 8-byte PNG signature.
bool looksLikePng(const unsigned char* data, size_t size);

// Walks the chunks from the signature to IEND; "" when every chunk (IEND's CRC included) lies
// inside the data and every critical chunk's (IHDR, PLTE, IDAT, IEND) CRC holds, otherwise what
// is wrong ("its IDAT chunk at byte 57 declares 8192 bytes, the file ends at byte 3054", "no
// IEND chunk: the file ends after its IDAT chunk", "its IDAT chunk at byte 33 fails its CRC
// check").
std::string pngDefect(const unsigned char* data, size_t size);

// `png` (one pngDefect passed) without its ancillary chunks whose CRC fails; empty when it has
// none, so the caller decodes the original.
std::vector<unsigned char> pngWithoutDamagedAncillaryChunks(const std::vector<unsigned char>& png);

}  // namespace graft
