#pragma once
// Hashes of files, the way Keras's get_file checks a download: the algorithm follows from the
// length of the expected hex digest (64 digits sha256, 32 md5). OpenSSL's EVP does the work.
#include <string>

namespace graft::fetch {

enum class DigestAlgorithm { Md5, Sha256 };

// Throws graft::Error when the hash is neither 32 nor 64 hexadecimal digits.
DigestAlgorithm digestAlgorithmFor(const std::string& expectedHex);
const char* digestName(DigestAlgorithm algorithm);  // "md5", "sha256"

// Lower-case hex digest of the file's bytes; throws graft::Error naming the file if unreadable.
std::string fileDigestHex(const std::string& path, DigestAlgorithm algorithm);

}  // namespace graft::fetch
