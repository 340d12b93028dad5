// Tar archives for bundles, through libarchive (POSIX ustar/pax). Reading is for untrusted
// input: hard limits, regular files only, no path traversal, no duplicates.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "base/status.h"

namespace fieldnotes::core {

struct TarEntry {
  std::string path;
  std::vector<uint8_t> data;
};

struct TarLimits {
  std::size_t max_entries = 10000;
  std::size_t max_entry_bytes = std::size_t{256} << 20;
  std::size_t max_total_bytes = std::size_t{1} << 30;
};

// A ustar archive of regular files, mode 0600, owner 0, time 0 (nothing about the sender's
// machine leaks through the archive's metadata).
Result<std::vector<uint8_t>> tar_write(const std::vector<TarEntry>& entries);

// Reads an archive. kInvalidInput (naming the problem, never file content) for: links,
// devices, directories other than plain ones, absolute paths, "..", names outside
// [A-Za-z0-9._/-], duplicate names, more entries or bytes than the limits, truncation,
// trailing garbage after the end-of-archive blocks.
Result<std::vector<TarEntry>> tar_read(std::span<const uint8_t> archive, const TarLimits& limits = {});

// True iff `path` is a safe relative name: [A-Za-z0-9._-] segments separated by '/', no
// empty, "." or ".." segment, at most 255 bytes.
bool is_safe_path(std::string_view path);

}  // namespace fieldnotes::core
