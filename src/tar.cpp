#include "src/tar.h"

#include <archive.h>
#include <archive_entry.h>

#include <memory>
#include <set>

namespace fieldnotes::core {

namespace {

struct ArchiveWriteDeleter {
  void operator()(archive* a) const { archive_write_free(a); }
};
struct ArchiveReadDeleter {
  void operator()(archive* a) const { archive_read_free(a); }
};
struct EntryDeleter {
  void operator()(archive_entry* e) const { archive_entry_free(e); }
};

int64_t write_callback_append(archive*, void* client, const void* buf, size_t n) {
  auto* out = static_cast<std::vector<uint8_t>*>(client);
  const auto* p = static_cast<const uint8_t*>(buf);
  out->insert(out->end(), p, p + n);
  return static_cast<int64_t>(n);
}

}  // namespace

bool is_safe_path(std::string_view path) {
  if (path.empty() || path.size() > 255 || path.front() == '/' || path.back() == '/') return false;
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t slash = path.find('/', start);
    std::string_view seg = path.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    if (seg.empty() || seg == "." || seg == "..") return false;
    for (char c : seg) {
      bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
      if (!ok) return false;
    }
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return true;
}

Result<std::vector<uint8_t>> tar_write(const std::vector<TarEntry>& entries) {
  std::vector<uint8_t> out;
  std::unique_ptr<archive, ArchiveWriteDeleter> a(archive_write_new());
  archive_write_set_format_ustar(a.get());
  archive_write_set_bytes_in_last_block(a.get(), 1);
  if (archive_write_open(a.get(), &out, nullptr, write_callback_append, nullptr) != ARCHIVE_OK)
    return Status{Code::kIo, std::string("cannot write the archive: ") + archive_error_string(a.get())};
  for (const auto& e : entries) {
    if (!is_safe_path(e.path)) return Status{Code::kInvalidInput, "unsafe name in the archive"};
    std::unique_ptr<archive_entry, EntryDeleter> en(archive_entry_new());
    archive_entry_set_pathname(en.get(), e.path.c_str());
    archive_entry_set_size(en.get(), static_cast<la_int64_t>(e.data.size()));
    archive_entry_set_filetype(en.get(), AE_IFREG);
    archive_entry_set_perm(en.get(), 0600);
    archive_entry_set_mtime(en.get(), 0, 0);
    archive_entry_set_uid(en.get(), 0);
    archive_entry_set_gid(en.get(), 0);
    if (archive_write_header(a.get(), en.get()) != ARCHIVE_OK ||
        (!e.data.empty() && archive_write_data(a.get(), e.data.data(), e.data.size()) !=
                                static_cast<la_ssize_t>(e.data.size())))
      return Status{Code::kIo, std::string("cannot write the archive: ") + archive_error_string(a.get())};
  }
  if (archive_write_close(a.get()) != ARCHIVE_OK)
    return Status{Code::kIo, std::string("cannot write the archive: ") + archive_error_string(a.get())};
  return out;
}

Result<std::vector<TarEntry>> tar_read(std::span<const uint8_t> bytes, const TarLimits& limits) {
  auto bad = [](const std::string& why) { return Status{Code::kInvalidInput, "the archive is refused: " + why}; };
  std::unique_ptr<archive, ArchiveReadDeleter> a(archive_read_new());
  archive_read_support_format_tar(a.get());  // tar only: no compression, no other formats
  if (archive_read_open_memory(a.get(), bytes.data(), bytes.size()) != ARCHIVE_OK)
    return bad("not a tar archive");
  std::vector<TarEntry> out;
  std::set<std::string> names;
  std::size_t total = 0;
  for (;;) {
    archive_entry* en = nullptr;
    int r = archive_read_next_header(a.get(), &en);
    if (r == ARCHIVE_EOF) break;
    if (r != ARCHIVE_OK) return bad(std::string("malformed (") + archive_error_string(a.get()) + ")");
    if (out.size() + 1 > limits.max_entries) return bad("more than " + std::to_string(limits.max_entries) + " entries");
    const char* name = archive_entry_pathname(en);
    std::string path = name ? name : "";
    auto type = archive_entry_filetype(en);
    if (type == AE_IFDIR) {
      if (!path.empty() && path.back() == '/') path.pop_back();
      if (!is_safe_path(path)) return bad("an unsafe directory name");
      continue;
    }
    if (type != AE_IFREG) return bad("an entry that is not a regular file (link, device or fifo)");
    if (archive_entry_hardlink(en) != nullptr || archive_entry_symlink(en) != nullptr) return bad("a link");
    if (!is_safe_path(path)) return bad("an unsafe file name (absolute, \"..\", or unusual characters)");
    if (!names.insert(path).second) return bad("a duplicate name");
    la_int64_t size = archive_entry_size(en);
    if (size < 0 || static_cast<uint64_t>(size) > limits.max_entry_bytes) return bad("an entry larger than the limit");
    total += static_cast<std::size_t>(size);
    if (total > limits.max_total_bytes) return bad("more data than the limit");
    TarEntry e;
    e.path = path;
    e.data.resize(static_cast<std::size_t>(size));
    std::size_t got = 0;
    while (got < e.data.size()) {
      la_ssize_t n = archive_read_data(a.get(), e.data.data() + got, e.data.size() - got);
      if (n < 0) return bad(std::string("truncated (") + archive_error_string(a.get()) + ")");
      if (n == 0) return bad("truncated");
      got += static_cast<std::size_t>(n);
    }
    out.push_back(std::move(e));
  }
  // libarchive stops at the end-of-archive blocks; anything but zero padding after them is
  // refused (a tar with appended data is not what a sender wrote).
  la_int64_t consumed = archive_filter_bytes(a.get(), -1);
  if (consumed < 0 || static_cast<std::size_t>(consumed) > bytes.size()) return bad("malformed");
  for (std::size_t i = static_cast<std::size_t>(consumed); i < bytes.size(); ++i)
    if (bytes[i] != 0) return bad("trailing data after the end of the archive");
  return out;
}

}  // namespace fieldnotes::core
