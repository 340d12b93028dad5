// Secret memory: move-only buffers on sodium_malloc (guard pages, mlock, wiped on free).
// No implicit conversion to std::string; compare only with ct_equal().
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace fieldnotes::crypto {

// Must be called once before any other crypto function. Returns false if libsodium
// could not initialise (no entropy source).
[[nodiscard]] bool init();

class SecretBuffer {
 public:
  SecretBuffer() = default;
  // Allocates `size` bytes of secure memory, zero-filled. Aborts if allocation fails
  // (running without secure memory is never silently acceptable).
  explicit SecretBuffer(std::size_t size);
  ~SecretBuffer();
  SecretBuffer(SecretBuffer&& other) noexcept;
  SecretBuffer& operator=(SecretBuffer&& other) noexcept;
  SecretBuffer(const SecretBuffer&) = delete;
  SecretBuffer& operator=(const SecretBuffer&) = delete;

  static SecretBuffer random(std::size_t size);
  static SecretBuffer copy_of(std::span<const uint8_t> bytes);

  uint8_t* data() { return data_; }
  const uint8_t* data() const { return data_; }
  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  std::span<const uint8_t> bytes() const { return {data_, size_}; }
  std::span<uint8_t> mutable_bytes() { return {data_, size_}; }
  // Shrinks the visible size (e.g. after reading a passphrase). REQUIRES: n <= size().
  void truncate(std::size_t n);
  // Sets the size to n, reallocating (and wiping the old memory) only when n exceeds the
  // capacity: lets hot loops reuse one secure allocation. Contents are unspecified after.
  void resize_for_overwrite(std::size_t n);
  // A view for passing to libraries that need text (e.g. passphrases). Do not copy it.
  std::string_view view() const { return {reinterpret_cast<const char*>(data_), size_}; }

 private:
  uint8_t* data_ = nullptr;
  std::size_t size_ = 0;
  std::size_t capacity_ = 0;
};

// Constant-time equality of two byte strings of the same length (false if lengths differ).
bool ct_equal(std::span<const uint8_t> a, std::span<const uint8_t> b);

// Overwrites ordinary memory that held plaintext.
void wipe(void* p, std::size_t n);
void wipe(std::string& s);

void random_bytes(std::span<uint8_t> out);

}  // namespace fieldnotes::crypto
