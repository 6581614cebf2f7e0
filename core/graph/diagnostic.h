#pragma once
// Problems found in a graph or a file, addressed to the layer (or file / field) they concern.
#include <stdexcept>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace graft {

struct Diagnostic {
  std::string subject;  // layer name, file, or JSON field the problem belongs to; may be empty
  std::string message;

  std::string str() const { return subject.empty() ? message : subject + ": " + message; }
  bool operator==(const Diagnostic& o) const {
    return subject == o.subject && message == o.message;
  }
};

using Diagnostics = std::vector<Diagnostic>;

std::string joinDiagnostics(const Diagnostics& diagnostics, const std::string& separator = "\n");

// An error the user can act on: bad input file, bad config, impossible edit.
class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message) : std::runtime_error(message) {}
  explicit Error(const Diagnostic& diagnostic) : Error(Diagnostics{diagnostic}) {}
  explicit Error(const Diagnostics& diagnostics)
      : std::runtime_error(joinDiagnostics(diagnostics)), diagnostics_(diagnostics) {}
  const Diagnostics& diagnostics() const { return diagnostics_; }

 private:
  Diagnostics diagnostics_;
};

// A value or the diagnostics explaining why there is none.
template <class T>
class Expected {
 public:
  Expected(T value) : state_(std::move(value)) {}  // NOLINT(google-explicit-constructor)
  Expected(Diagnostics diagnostics)                // NOLINT(google-explicit-constructor)
      : state_(std::move(diagnostics)) {}
  Expected(Diagnostic diagnostic)  // NOLINT(google-explicit-constructor)
      : state_(Diagnostics{std::move(diagnostic)}) {}

  bool ok() const { return std::holds_alternative<T>(state_); }
  explicit operator bool() const { return ok(); }

  const T& value() const& {
    if (!ok()) throw Error(diagnostics());
    return std::get<T>(state_);
  }
  T&& value() && {
    if (!ok()) throw Error(diagnostics());
    return std::get<T>(std::move(state_));
  }
  const T& operator*() const& { return value(); }
  const T* operator->() const { return &value(); }

  const Diagnostics& diagnostics() const {
    static const Diagnostics none;
    return ok() ? none : std::get<Diagnostics>(state_);
  }

 private:
  std::variant<T, Diagnostics> state_;
};

}  // namespace graft
