#include "crypto/secret.h"

#include <sodium.h>

#include <cstdlib>
#include <string>
#include <utility>

namespace fieldnotes::crypto {

bool init() { return sodium_init() >= 0; }

SecretBuffer::SecretBuffer(std::size_t size) : size_(size), capacity_(size) {
  data_ = static_cast<uint8_t*>(sodium_malloc(size == 0 ? 1 : size));
  if (data_ == nullptr) std::abort();  // no secure memory: never continue without it
  sodium_memzero(data_, size == 0 ? 1 : size);
}

SecretBuffer::~SecretBuffer() {
  if (data_ != nullptr) sodium_free(data_);  // sodium_free wipes before unmapping
}

SecretBuffer::SecretBuffer(SecretBuffer&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)),
      size_(std::exchange(other.size_, 0)),
      capacity_(std::exchange(other.capacity_, 0)) {}

SecretBuffer& SecretBuffer::operator=(SecretBuffer&& other) noexcept {
  if (this != &other) {
    if (data_ != nullptr) sodium_free(data_);
    data_ = std::exchange(other.data_, nullptr);
    size_ = std::exchange(other.size_, 0);
    capacity_ = std::exchange(other.capacity_, 0);
  }
  return *this;
}

SecretBuffer SecretBuffer::random(std::size_t size) {
  SecretBuffer b(size);
  randombytes_buf(b.data_, size);
  return b;
}

SecretBuffer SecretBuffer::copy_of(std::span<const uint8_t> bytes) {
  SecretBuffer b(bytes.size());
  if (!bytes.empty()) std::copy(bytes.begin(), bytes.end(), b.data_);
  return b;
}

void SecretBuffer::truncate(std::size_t n) {
  if (n > size_) std::abort();
  sodium_memzero(data_ + n, size_ - n);
  size_ = n;
}

void SecretBuffer::resize_for_overwrite(std::size_t n) {
  if (n <= capacity_ && data_ != nullptr) {
    size_ = n;
    return;
  }
  SecretBuffer bigger(n + n / 2);
  *this = std::move(bigger);
  size_ = n;
}

bool ct_equal(std::span<const uint8_t> a, std::span<const uint8_t> b) {
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

void wipe(void* p, std::size_t n) {
  if (p != nullptr && n > 0) sodium_memzero(p, n);
}

void wipe(std::string& s) {
  wipe(s.data(), s.capacity());
  s.clear();
}

void random_bytes(std::span<uint8_t> out) {
  // An empty span may have a null data(); randombytes_buf must not see it.
  if (!out.empty()) randombytes_buf(out.data(), out.size());
}

}  // namespace fieldnotes::crypto
