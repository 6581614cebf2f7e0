#include "pipeline/pipeline_fields.h"

#include <cstdint>
#include <filesystem>

namespace graft {

PipelineFields::PipelineFields(const Json& object, std::string source, std::string path)
    : object_(object), source_(std::move(source)), path_(std::move(path)) {
  if (!object_.is_object())
    throw Error(source_ + ": " + (path_.empty() ? std::string("the document") : path_) +
                ": expected a JSON object, found " + object_.dump());
}

std::string PipelineFields::pathOf(const std::string& key) const {
  return path_.empty() ? key : path_ + "." + key;
}

void PipelineFields::fail(const std::string& key, const std::string& message) const {
  throw Error(source_ + ": " + pathOf(key) + ": " + message);
}

bool PipelineFields::has(const std::string& key) const {
  return object_.contains(key);
}

const Json& PipelineFields::at(const std::string& key) const {
  if (!has(key)) fail(key, "missing (required)");
  return object_.at(key);
}

std::string PipelineFields::string(const std::string& key, const std::string& fallback) {
  read_.insert(key);
  if (!has(key)) return fallback;
  const Json& v = object_.at(key);
  if (!v.is_string()) fail(key, "expected a string, found " + v.dump());
  return v.get<std::string>();
}

double PipelineFields::number(const std::string& key, double fallback) {
  read_.insert(key);
  if (!has(key)) return fallback;
  const Json& v = object_.at(key);
  if (!v.is_number()) fail(key, "expected a number, found " + v.dump());
  return v.get<double>();
}

int64_t PipelineFields::integer(const std::string& key, int64_t fallback) {
  read_.insert(key);
  if (!has(key)) return fallback;
  const Json& v = object_.at(key);
  if (!v.is_number_integer()) fail(key, "expected an integer, found " + v.dump());
  if (v.is_number_unsigned() && v.get<uint64_t>() > uint64_t{INT64_MAX})
    fail(key, "expected an integer, found " + v.dump() + " (too large)");
  return v.get<int64_t>();
}

int64_t PipelineFields::integerIn(const std::string& key, int64_t fallback, int64_t min,
                                  int64_t max) {
  const int64_t value = integer(key, fallback);
  if (has(key) && (value < min || value > max))
    fail(key, "expected " +
                  (max == INT64_MAX
                       ? "at least " + std::to_string(min)
                       : "an integer from " + std::to_string(min) + " to " + std::to_string(max)) +
                  ", found " + object_.at(key).dump());
  return value;
}

uint64_t PipelineFields::seed(const std::string& key, uint64_t fallback) {
  read_.insert(key);
  if (!has(key)) return fallback;
  const Json& v = object_.at(key);
  if (!v.is_number_integer()) fail(key, "expected an integer, found " + v.dump());
  if (!v.is_number_unsigned() && v.get<int64_t>() < 0)
    fail(key, "expected at least 0, found " + v.dump());
  return v.get<uint64_t>();
}

void PipelineFields::alsoKnown(std::initializer_list<const char*> keys) {
  for (const char* key : keys) mentioned_.insert(key);
}

bool PipelineFields::boolean(const std::string& key, bool fallback) {
  read_.insert(key);
  if (!has(key)) return fallback;
  const Json& v = object_.at(key);
  if (!v.is_boolean()) fail(key, "expected true or false, found " + v.dump());
  return v.get<bool>();
}

std::string PipelineFields::filePath(const std::string& key, const std::string& baseDir) {
  const std::string value = string(key);
  if (has(key) && value.empty()) fail(key, "expected a file or folder name, found \"\"");
  // Checked before it becomes "<folder>/-": as the table checks a command line's (spec_fields.h).
  if (value == "-")
    fail(key,
         "\"-\" (standard input or output) is not taken here: give a file name (./- for "
         "a file named \"-\")");
  return value.empty() ? value : resolveAgainst(baseDir, value);
}

void PipelineFields::refuseUnknown() const {
  for (const auto& item : object_.items())
    if (!read_.count(item.key())) {
      std::set<std::string> all = read_;
      all.insert(mentioned_.begin(), mentioned_.end());
      std::string known;
      for (const auto& k : all) known += (known.empty() ? "" : ", ") + k;
      fail(item.key(), "unknown field (expected one of: " + known + ")");
    }
}

std::string resolveAgainst(const std::string& baseDir, const std::string& path) {
  const std::filesystem::path p(path);
  if (p.is_absolute() || baseDir.empty()) return path;
  return (std::filesystem::path(baseDir) / p).lexically_normal().string();
}

std::string portablePath(const std::string& path, const std::string& baseDir) {
  namespace fs = std::filesystem;
  if (path.empty()) return path;
  const fs::path absolute = fs::absolute(path).lexically_normal();
  const fs::path base = fs::absolute(baseDir.empty() ? "." : baseDir).lexically_normal();
  const fs::path relative = absolute.lexically_relative(base);
  if (relative.empty() || *relative.begin() == "..") return absolute.string();
  return relative.string();
}

}  // namespace graft
