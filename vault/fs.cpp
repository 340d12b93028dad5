#include "vault/fs.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "crypto/secret.h"

namespace fieldnotes::vault {

namespace fs = std::filesystem;

namespace {

Status io_error(const char* what, const fs::path& p, int err) {
  return {Code::kIo, std::string("cannot ") + what + " \"" + p.string() + "\": " + std::strerror(err)};
}

bool write_all(int fd, const uint8_t* p, std::size_t n) {
  while (n > 0) {
    ssize_t w = ::write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    p += w;
    n -= static_cast<std::size_t>(w);
  }
  return true;
}

}  // namespace

Status fsync_dir(const fs::path& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return io_error("open directory", dir, errno);
  int rc = ::fsync(fd);
  int err = errno;
  ::close(fd);
  if (rc != 0) return io_error("sync directory", dir, err);
  return Status::ok();
}

Status write_file_atomic(const fs::path& path, std::span<const uint8_t> data) {
  fs::path dir = path.parent_path().empty() ? fs::path(".") : path.parent_path();
  fs::path tmp = dir / ("." + path.filename().string() + ".tmp");
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return io_error("create", tmp, errno);
  if (!write_all(fd, data.data(), data.size()) || ::fsync(fd) != 0) {
    int err = errno;
    ::close(fd);
    ::unlink(tmp.c_str());
    return io_error("write", tmp, err);
  }
  if (::close(fd) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    return io_error("write", tmp, err);
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    return io_error("replace", path, err);
  }
  return fsync_dir(dir);
}

Result<std::vector<uint8_t>> read_file_limited(const fs::path& path, std::size_t limit) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) {
    if (errno == ENOENT) return Status{Code::kNotFound, "\"" + path.string() + "\" does not exist"};
    return io_error("open", path, errno);
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return Status{Code::kCorrupt, "\"" + path.string() + "\" is not a regular file"};
  }
  if (static_cast<std::size_t>(st.st_size) > limit) {
    ::close(fd);
    return Status{Code::kCorrupt, "\"" + path.string() + "\" is larger than expected"};
  }
  std::vector<uint8_t> out(static_cast<std::size_t>(st.st_size));
  std::size_t got = 0;
  while (got < out.size()) {
    ssize_t r = ::read(fd, out.data() + got, out.size() - got);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    got += static_cast<std::size_t>(r);
  }
  ::close(fd);
  out.resize(got);
  return out;
}

Status scrub_and_unlink(const fs::path& path) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) {
    if (errno == ENOENT) return Status::ok();
    // Cannot overwrite (e.g. read-only): still unlink.
  } else {
    struct stat st {};
    if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
      std::vector<uint8_t> noise(static_cast<std::size_t>(st.st_size));
      crypto::random_bytes(noise);
      (void)write_all(fd, noise.data(), noise.size());
      (void)::fsync(fd);
    }
    ::close(fd);
  }
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) return io_error("remove", path, errno);
  fs::path dir = path.parent_path().empty() ? fs::path(".") : path.parent_path();
  return fsync_dir(dir);
}

}  // namespace fieldnotes::vault
