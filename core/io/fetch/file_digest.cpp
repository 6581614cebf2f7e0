#include "io/fetch/file_digest.h"

#include <openssl/evp.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <memory>
#include <vector>

#include "graph/diagnostic.h"

namespace graft::fetch {

DigestAlgorithm digestAlgorithmFor(const std::string& expectedHex) {
  const bool hex = std::all_of(expectedHex.begin(), expectedHex.end(),
                               [](unsigned char c) { return std::isxdigit(c) != 0; });
  if (hex && expectedHex.size() == 64) return DigestAlgorithm::Sha256;
  if (hex && expectedHex.size() == 32) return DigestAlgorithm::Md5;
  throw Error("expected hash '" + expectedHex +
              "': expected 64 hexadecimal digits (sha256) or 32 (md5)");
}

const char* digestName(DigestAlgorithm algorithm) {
  return algorithm == DigestAlgorithm::Sha256 ? "sha256" : "md5";
}

std::string fileDigestHex(const std::string& path, DigestAlgorithm algorithm) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(Diagnostic{path, "cannot open the file to check its hash"});
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> context(EVP_MD_CTX_new(),
                                                                  &EVP_MD_CTX_free);
  const EVP_MD* md = algorithm == DigestAlgorithm::Sha256 ? EVP_sha256() : EVP_md5();
  if (!context || EVP_DigestInit_ex(context.get(), md, nullptr) != 1)
    throw Error(Diagnostic{path, std::string("OpenSSL cannot compute ") + digestName(algorithm)});
  std::vector<char> buffer(1 << 20);
  while (in) {
    in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    const auto n = static_cast<size_t>(in.gcount());
    if (n > 0) EVP_DigestUpdate(context.get(), buffer.data(), n);
  }
  if (in.bad()) throw Error(Diagnostic{path, "read error while checking the hash"});
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_DigestFinal_ex(context.get(), digest, &length);
  static const char* kHex = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < length; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 15];
  }
  return out;
}

}  // namespace graft::fetch
