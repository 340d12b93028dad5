// Status and Result: how every layer reports failure (base/: below crypto/, used by all,
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

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}          // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {}   // NOLINT: implicit by design

  bool is_ok() const { return std::holds_alternative<T>(v_); }
  explicit operator bool() const { return is_ok(); }
  T& value() & { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  const T& value() const& { return std::get<T>(v_); }
  T* operator->() { return &std::get<T>(v_); }
  T& operator*() { return std::get<T>(v_); }
  Status status() const { return is_ok() ? Status::ok() : std::get<Status>(v_); }

 private:
  std::variant<T, Status> v_;
};

#define FN_RETURN_IF_ERROR(expr)            \
  do {                                      \
    ::fieldnotes::Status fn_st_ = (expr);   \
    if (!fn_st_.is_ok()) return fn_st_;     \
  } while (0)

}  // namespace fieldnotes
