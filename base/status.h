// Status, Result and Outcome: how every layer reports failure (base/: below crypto/, used by all,
// depending on nothing but the standard library). The core (crypto/, vault/, src/) never
// throws and never calls exit(); the CLI maps codes to exit statuses.
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace fieldnotes {

enum class Code {
  kOk = 0,
  kWrongKey,        // wrong passphrase / recovery key: authentication of a key slot failed
  kNotThisKey,      // this slot or stanza is not for the given key: try the next (non-fatal)
  kDestroyed,       // the vault's key slots were destroyed (panic)
  kLocked,          // another process holds the vault
  kCorrupt,         // authentication of stored data failed, or a format is malformed
  kRollback,        // a vault file is older than the others (put back from an older copy)
  kUnsupported,     // unknown version or parameters out of the accepted range
  kNotFound,
  kInvalidInput,
  kRefused,         // refused by policy
  kIo,
};

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Code code, std::string message) : code_(code), message_(std::move(message)) {}
  static Status ok() { return {}; }

  bool is_ok() const { return code_ == Code::kOk; }
  explicit operator bool() const { return is_ok(); }
  Code code() const { return code_; }
  // A lowercase description naming the object; never key material or testimony text.
  const std::string& message() const { return message_; }

 private:
  Code code_ = Code::kOk;
  std::string message_;
};

// Outcome<T, Failure>: a value, or why there is none. One implementation for both forms:
// - Result<T> = Outcome<T, Status>: the common case, a code and a message naming the object.
// - Outcome<T, Failure> with a typed failure, for operations whose callers must know *why*
//   (decrypting an age file, opening a bundle, share, receive): Failure carries a typed code
//   of that operation (e.g. Failure::error, or AgeRefusal's stage) next to `Failure::status`.
//   Callers branch on the typed code, never on message text.
// status() is ok() exactly when a value is held, so code written against Result<T> (is_ok,
// ->, status().code()) reads any Outcome unchanged.
namespace outcome_detail {
inline const Status& status_of(const Status& s) { return s; }
template <typename Failure>
const Status& status_of(const Failure& f) { return f.status; }
}  // namespace outcome_detail

template <typename T, typename Failure>
class [[nodiscard]] Outcome {
 public:
  Outcome(T value) : v_(std::move(value)) {}            // NOLINT: implicit by design
  Outcome(Failure failure) : v_(std::move(failure)) {}  // NOLINT: implicit by design

  bool is_ok() const { return std::holds_alternative<T>(v_); }
  explicit operator bool() const { return is_ok(); }
  T& value() & { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  const T& value() const& { return std::get<T>(v_); }
  T* operator->() { return &std::get<T>(v_); }
  const T* operator->() const { return &std::get<T>(v_); }
  T& operator*() { return std::get<T>(v_); }
  const T& operator*() const { return std::get<T>(v_); }

  // REQUIRES: !is_ok().
  const Failure& failure() const { return std::get<Failure>(v_); }
  Status status() const { return is_ok() ? Status::ok() : outcome_detail::status_of(std::get<Failure>(v_)); }

 private:
  std::variant<T, Failure> v_;
};

template <typename T>
using Result = Outcome<T, Status>;

#define FN_RETURN_IF_ERROR(expr)            \
  do {                                      \
    ::fieldnotes::Status fn_st_ = (expr);   \
    if (!fn_st_.is_ok()) return fn_st_;     \
  } while (0)

}  // namespace fieldnotes
