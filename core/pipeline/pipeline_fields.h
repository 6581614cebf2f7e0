#pragma once
// Reading one JSON object of a pipeline with every problem named by its JSON path
// ("train.epochs: expected an integer"), and unknown fields refused so that a typo is caught.
#include <cstdint>
#include <initializer_list>
#include <set>
#include <string>

#include "graph/diagnostic.h"
#include "graph/model.h"

namespace graft {

class PipelineFields {
 public:
  // `path` is this object's JSON path ("" for the document, "train", "checks[2]").
  PipelineFields(const Json& object, std::string source, std::string path);

  std::string pathOf(const std::string& key) const;
  [[noreturn]] void fail(const std::string& key, const std::string& message) const;

  bool has(const std::string& key) const;
  // Marks a key the caller reads itself (not refused by refuseUnknown).
  void known(const std::string& key) { read_.insert(key); }
  const Json& at(const std::string& key) const;  // throws naming the key when it is absent
  std::string string(const std::string& key, const std::string& fallback = "");
  double number(const std::string& key, double fallback);
  int64_t integer(const std::string& key, int64_t fallback);
  // An integer in [min, max], refused by name otherwise (JSON's integers are 64-bit: without
  // this, 4294967297 epochs would silently become 1).
  int64_t integerIn(const std::string& key, int64_t fallback, int64_t min, int64_t max);
  // A seed: any integer from 0 to 2^64 - 1, as graft-cli's --seed takes.
  uint64_t seed(const std::string& key, uint64_t fallback);
  bool boolean(const std::string& key, bool fallback);
  // A path relative to the pipeline's folder; "" when absent.
  std::string filePath(const std::string& key, const std::string& baseDir);
  // Runs `read`; a graft::Error from a core parser (optimizer name, augment list, ...) is
  // re-thrown with the field's JSON path in front, so the user knows where to look.
  template <class F>
  auto reading(const std::string& key, F&& read) const {
    try {
      return read();
    } catch (const Error& e) {
      fail(key, e.what());
    }
  }
  // Keys this object may hold that are read only in some cases (a zoo model's "alpha"): named
  // in refuseUnknown's list of what the object takes.
  void alsoKnown(std::initializer_list<const char*> keys);
  // After reading: every key that was not asked for is an error naming it.
  void refuseUnknown() const;

 private:
  const Json& object_;
  std::string source_;
  std::string path_;
  std::set<std::string> read_;
  std::set<std::string> mentioned_;  // alsoKnown
};

// `path` resolved against `baseDir` unless it is absolute.
std::string resolveAgainst(const std::string& baseDir, const std::string& path);
// The other way, for writing: inside `baseDir` relative to it (the pipeline moves with its
// folder), elsewhere absolute.
std::string portablePath(const std::string& path, const std::string& baseDir);

}  // namespace graft
