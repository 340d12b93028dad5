// Plaintext: the bytes of testimony (a record's body, the register's JSON, a rendered export or
// bundle, a received record) in ordinary memory that is wiped whenever it is given back — when
// the buffer is destroyed, when it grows into a new allocation, when it is cleared or shrunk.
// Move-only, so that testimony is never copied by accident; clone() says so when it must be.
//
// Keys live in crypto::SecretBuffer (locked, guarded pages); testimony can be megabytes and is
// not locked, but it does not outlive its use in freed heap memory. See SECURITY.md, "Memory".
#pragma once

#include <string.h>  // explicit_bzero (glibc): a wipe the compiler may not remove

#include <cstddef>
#include <cstdint>
#include <new>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace fieldnotes {

// Overwrites memory that is about to be given back. The default; tests substitute one that
// records what it was given.
struct ZeroWiper {
  static void wipe(void* p, std::size_t n) {
    if (p != nullptr && n > 0) explicit_bzero(p, n);
  }
};

// A standard allocator that wipes every block before freeing it.
template <typename T, typename Wiper = ZeroWiper>
struct WipingAllocator {
  using value_type = T;
  template <typename U>
  struct rebind {
    using other = WipingAllocator<U, Wiper>;
  };
  WipingAllocator() = default;
  template <typename U>
  WipingAllocator(const WipingAllocator<U, Wiper>&) noexcept {}
  T* allocate(std::size_t n) { return static_cast<T*>(::operator new(n * sizeof(T))); }
  void deallocate(T* p, std::size_t n) noexcept {
    Wiper::wipe(p, n * sizeof(T));
    ::operator delete(p);
  }
  friend bool operator==(const WipingAllocator&, const WipingAllocator&) { return true; }
};

template <typename Wiper = ZeroWiper>
class BasicPlaintext {
 public:
  BasicPlaintext() = default;
  explicit BasicPlaintext(std::string_view text) : bytes_(text.begin(), text.end()) {}
  BasicPlaintext(BasicPlaintext&&) noexcept = default;
  BasicPlaintext& operator=(BasicPlaintext&& other) noexcept {
    if (this != &other) {
      clear();
      bytes_ = std::move(other.bytes_);
    }
    return *this;
  }
  BasicPlaintext(const BasicPlaintext&) = delete;
  BasicPlaintext& operator=(const BasicPlaintext&) = delete;
  ~BasicPlaintext() = default;  // the allocator wipes the block as it frees it

  // A second copy of the testimony, made on purpose.
  BasicPlaintext clone() const { return BasicPlaintext(view()); }

  std::string_view view() const { return {bytes_.data(), bytes_.size()}; }
  operator std::string_view() const { return view(); }  // NOLINT: reading is the common use
  std::span<const uint8_t> bytes() const {
    return {reinterpret_cast<const uint8_t*>(bytes_.data()), bytes_.size()};
  }
  const char* data() const { return bytes_.data(); }
  char* data() { return bytes_.data(); }
  std::size_t size() const { return bytes_.size(); }
  bool empty() const { return bytes_.empty(); }

  // Growing may move the text to a new block; the old block is wiped by the allocator.
  void append(std::string_view text) { bytes_.insert(bytes_.end(), text.begin(), text.end()); }
  void push_back(char c) { bytes_.push_back(c); }
  void reserve(std::size_t n) { bytes_.reserve(n); }
  void assign(std::string_view text) {
    clear();
    append(text);
  }
  // Shrinking wipes the bytes given up; growing adds zero bytes.
  void resize(std::size_t n) {
    if (n < bytes_.size()) Wiper::wipe(bytes_.data() + n, bytes_.size() - n);
    bytes_.resize(n);
  }
  // Wipes the text; the block is kept for reuse.
  void clear() { resize(0); }

  friend bool operator==(const BasicPlaintext& a, std::string_view b) { return a.view() == b; }

 private:
  std::vector<char, WipingAllocator<char, Wiper>> bytes_;
};

using Plaintext = BasicPlaintext<>;

// For names kept in ordinary containers (the redaction engine's indexes and caches): wipes
// the characters a string holds.
template <typename String>
void wipe_string(String& s) {
  ZeroWiper::wipe(s.data(), s.size() * sizeof(typename String::value_type));
}

// Empties a map keyed by names, wiping every key (taken out of the map first, where it may be
// written) and, through `wipe_value`, every value.
template <typename Map, typename WipeValue>
void wipe_map(Map& m, WipeValue wipe_value) {
  while (!m.empty()) {
    auto node = m.extract(m.begin());
    wipe_string(node.key());
    wipe_value(node.mapped());
  }
}
template <typename Map>
void wipe_map(Map& m) {
  wipe_map(m, [](auto&) {});
}

}  // namespace fieldnotes
