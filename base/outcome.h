// Outcome<T, Failure>: Result<T> with a typed failure, for operations whose callers must
// know *why* they failed (decrypting an age file, opening a bundle, share, receive). On
// failure it carries a typed code (an enum of that operation, e.g. Failure::error, or the
// stage of AgeRefusal) next to the Status underneath (Failure::status: its code and a message
// naming the object). Callers branch on the typed code, never on message text.
//
// Same contract as Result<T> (base/status.h): status() is ok() exactly when a value is held,
// so code written against Result<T> (is_ok, ->, status().code()) reads an Outcome unchanged.
#pragma once

#include <utility>
#include <variant>

#include "base/status.h"

namespace fieldnotes {

template <typename T, typename Failure>
class [[nodiscard]] Outcome {
 public:
  Outcome(T value) : v_(std::move(value)) {}        // NOLINT: implicit by design
  Outcome(Failure failure) : v_(std::move(failure)) {}  // NOLINT: implicit by design

  bool is_ok() const { return std::holds_alternative<T>(v_); }
  explicit operator bool() const { return is_ok(); }
  T& value() & { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  const T& value() const& { return std::get<T>(v_); }
  T* operator->() { return &std::get<T>(v_); }
  const T* operator->() const { return &std::get<T>(v_); }
  T& operator*() { return std::get<T>(v_); }

  // REQUIRES: !is_ok().
  const Failure& failure() const { return std::get<Failure>(v_); }
  Status status() const { return is_ok() ? Status::ok() : std::get<Failure>(v_).status; }

 private:
  std::variant<T, Failure> v_;
};

}  // namespace fieldnotes
