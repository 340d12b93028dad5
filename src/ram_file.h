// A private in-memory file (memfd): attachment plaintext passes through RAM on its way between
// the vault's sealed streams and a bundle, never through a temporary file on disk
// (DESIGN.md, "On disk": plaintext never touches the disk).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "base/status.h"

namespace fieldnotes::core {

// Owns the descriptor: closed (and the memory freed by the kernel) when destroyed. Move-only.
class RamFile {
 public:
  // kIo, "cannot create an in-memory file: <reason>", when the kernel refuses one.
  static Result<RamFile> create();

  RamFile(RamFile&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  RamFile& operator=(RamFile&& other) noexcept;
  RamFile(const RamFile&) = delete;
  RamFile& operator=(const RamFile&) = delete;
  ~RamFile();

  int fd() const { return fd_; }

  // Writes all of `bytes`, then rewinds to the start for a reader. kIo on failure.
  Status write_all_and_rewind(std::span<const uint8_t> bytes);
  // Reads the whole file (whatever the current offset). kInvalidInput over `limit` bytes,
  // kIo when it cannot be read. The caller wipes the returned plaintext.
  Result<std::vector<uint8_t>> read_all(std::size_t limit) const;

 private:
  explicit RamFile(int fd) : fd_(fd) {}
  int fd_ = -1;
};

}  // namespace fieldnotes::core
