#pragma once
// BMP size check that OpenCV does not do before decoding: its BMP reader runs out of data in a
// cut-off file and prints "imdecode_(''): can't read data: ... Unexpected end of input stream"
// on stderr itself, before Graft could say anything. Such a file is refused in Graft's words.
#include <cstddef>
#include <string>

namespace graft {

// True when `data` starts with "BM" (what OpenCV takes as a BMP).
bool looksLikeBmp(const unsigned char* data, size_t size);

// "" when the header and the pixels it describes (rows padded to 4 bytes, from the header's
// pixel offset; an RLE image's stored size) lie inside the data, otherwise what is missing
// ("its header describes 50x40 pixels at 24 bits, 6080 bytes from byte 54; the file ends at
// byte 3067"), or what in the header OpenCV would assert on, and print (a header size over
// 2^31 - 1 or 0, an unknown compression). Headers OpenCV refuses quietly are left to it.
std::string bmpTruncation(const unsigned char* data, size_t size);

}  // namespace graft
