#pragma once
// Netpbm size check that OpenCV does not do before decoding: its PxM and PAM readers run out of
// data in a cut-off file and print "imdecode_(''): can't read data: ... Unexpected end of input
// stream" on stderr themselves, before Graft could say anything. Such a file is refused in
// Graft's words.
#include <cstddef>
#include <string>

namespace graft {

// True when `data` starts as a Netpbm file OpenCV reads: "P1".."P7" and a whitespace.
bool looksLikePnm(const unsigned char* data, size_t size);

// "" when the header is whole and the samples it describes lie inside the data; otherwise what
// is missing ("its header describes 50x40 pixels of 3 samples up to 255, 6000 bytes from byte
// 13; the file ends at byte 3006"), or what in the header OpenCV would throw on, and print (a
// byte where a number should stand, a number over 2^31 - 1, a maxval over 65535). Plain (ASCII)
// files are counted number by number, as OpenCV reads them: each number but a P1 digit needs a
// byte after it. Headers OpenCV refuses quietly (a zero width) are left to it.
std::string pnmTruncation(const unsigned char* data, size_t size);

}  // namespace graft
