#pragma once
// Whether a file begins as an image Graft decodes does (JPEG, PNG, GIF, BMP, PPM/PGM/PBM, TIFF,
// WebP), from its first bytes: a git-lfs pointer never pulled, an HTML error page saved as
// .jpg or an empty file is no image, told without decoding (a folder of thousands is read in a
// moment). A file that passes can still be damaged further on; decoding tells that.
#include <string>

namespace graft {

// False as well when the file cannot be opened.
bool beginsAsAnImage(const std::string& path);

// What the first bytes of a file that does not begin as an image look like, for a message:
// "a git-lfs pointer", "an empty file", "HTML", "text"; "" when nothing recognizable.
std::string whatTheFileLooksLike(const std::string& path);

}  // namespace graft
