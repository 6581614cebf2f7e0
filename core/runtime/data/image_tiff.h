#pragma once
// What a TIFF's first image holds, read from its header. OpenCV 4.6 makes colour of 32- and
// 64-bit samples only in SGI LogLuv TIFFs (what its own imwrite writes for floats); on any
// other it fails inside imdecode, which prints its own line on stderr ("imdecode_(''): can't
// read data: ...", "[ WARN ...] ... can not handle images with 32-bit samples") before Graft
// could say anything. Such a file is refused by Graft first, in its own words.
#include <cstddef>
#include <optional>
#include <string>

namespace graft {

struct TiffSamples {
  int bitsPerSample = 1;    // of the first channel
  int samplesPerPixel = 1;  // channels, alpha included
  int sampleFormat = 1;     // 1 unsigned integer, 2 signed integer, 3 floating point
  int photometric = -1;     // the colour model's tag value; -1 when absent
};

// True when `data` starts with a classic TIFF header ("II*\0" or "MM\0*").
bool looksLikeTiff(const unsigned char* data, size_t size);

// The first image's samples, from its first IFD (TIFF's defaults where a tag is absent);
// nullopt when the header or that IFD is cut off or points outside the data (OpenCV then says
// it is corrupt).
std::optional<TiffSamples> tiffSamples(const unsigned char* data, size_t size);

// What Graft cannot read in such a TIFF ("32-bit floating-point samples in 1 channel"), or ""
// when OpenCV decodes it to colour (8- and 16-bit samples; LogLuv floats).
std::string unreadableTiffSamples(const TiffSamples& samples);

}  // namespace graft
