#include "src/ram_file.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "crypto/secret.h"

namespace fieldnotes::core {

Result<RamFile> RamFile::create() {
  int fd = memfd_create("fieldnotes", MFD_CLOEXEC);
  if (fd < 0) return Status{Code::kIo, std::string("cannot create an in-memory file: ") + std::strerror(errno)};
  return RamFile(fd);
}

RamFile& RamFile::operator=(RamFile&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = other.fd_;
    other.fd_ = -1;
  }
  return *this;
}

RamFile::~RamFile() {
  if (fd_ >= 0) ::close(fd_);
}

Status RamFile::write_all_and_rewind(std::span<const uint8_t> bytes) {
  std::size_t done = 0;
  while (done < bytes.size()) {
    ssize_t w = ::write(fd_, bytes.data() + done, bytes.size() - done);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return Status{Code::kIo, "cannot write to an in-memory file"};
    done += static_cast<std::size_t>(w);
  }
  if (::lseek(fd_, 0, SEEK_SET) != 0) return Status{Code::kIo, "cannot rewind an in-memory file"};
  return Status::ok();
}

Result<std::vector<uint8_t>> RamFile::read_all(std::size_t limit) const {
  off_t size = ::lseek(fd_, 0, SEEK_END);
  if (size < 0) return Status{Code::kIo, "cannot read an in-memory file"};
  if (static_cast<std::size_t>(size) > limit) return Status{Code::kInvalidInput, "the in-memory file is over the limit"};
  std::vector<uint8_t> out(static_cast<std::size_t>(size));
  std::size_t got = 0;
  while (got < out.size()) {
    ssize_t r = ::pread(fd_, out.data() + got, out.size() - got, static_cast<off_t>(got));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) {
      crypto::wipe(out.data(), got);
      return Status{Code::kIo, "cannot read an in-memory file"};
    }
    got += static_cast<std::size_t>(r);
  }
  return out;
}

}  // namespace fieldnotes::core
