// Small file-system helpers with the durability the vault needs.
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include "base/status.h"

namespace fieldnotes::vault {

// Replaces `path` atomically: writes `dir/.name.tmp`, fsyncs it, renames it over `path`,
// fsyncs the directory. On failure the old file is untouched and the temp file removed.
Status write_file_atomic(const std::filesystem::path& path, std::span<const uint8_t> data);

// Reads a whole file, refusing files larger than `limit` bytes (kCorrupt) and missing
// files (kNotFound).
Result<std::vector<uint8_t>> read_file_limited(const std::filesystem::path& path,
                                               std::size_t limit);

Status fsync_dir(const std::filesystem::path& dir);

// Overwrites a file in place with random bytes, fsyncs, unlinks it and fsyncs its directory.
// Missing files are fine. On flash storage and copy-on-write file systems the old blocks may
// survive: SECURITY.md.
Status scrub_and_unlink(const std::filesystem::path& path);

}  // namespace fieldnotes::vault
