#include "vault/keyslot_store.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <thread>

#include "vault/format.h"
#include "vault/fs.h"

namespace fieldnotes::vault {

namespace fs = std::filesystem;
using crypto::SecretBuffer;

namespace {

const char* const kCopyNames[2] = {kKeyslotsFile, kKeyslotsSecondFile};

fs::path temp_of(const fs::path& dir, const char* name) { return dir / ("." + std::string(name) + ".tmp"); }

// The key-slot write lock: a POSIX record lock on byte 0 of the vault's lock file, held only
// while copies are renamed into place. It is separate from the flock that every open vault
// holds, so panic can wait for a write in flight without waiting for a long session, and
// F_GETLK names the process that holds it.
struct flock slot_lock_range(short type) {
  struct flock fl {};
  fl.l_type = type;
  fl.l_whence = SEEK_SET;
  fl.l_start = 0;
  fl.l_len = 1;
  return fl;
}

class SlotWriteLock {
 public:
  explicit SlotWriteLock(int fd) : fd_(fd) {}
  SlotWriteLock(const SlotWriteLock&) = delete;
  SlotWriteLock& operator=(const SlotWriteLock&) = delete;
  ~SlotWriteLock() {
    if (held_) {
      struct flock fl = slot_lock_range(F_UNLCK);
      (void)::fcntl(fd_, F_SETLK, &fl);
    }
  }
  Status acquire() {
    struct flock fl = slot_lock_range(F_WRLCK);
    while (::fcntl(fd_, F_SETLKW, &fl) != 0) {
      if (errno == EINTR) continue;
      return {Code::kIo, std::string("cannot lock the key slots for writing: ") + std::strerror(errno)};
    }
    held_ = true;
    return Status::ok();
  }
  // Non-blocking; false while another process holds it.
  bool try_acquire() {
    struct flock fl = slot_lock_range(F_WRLCK);
    held_ = ::fcntl(fd_, F_SETLK, &fl) == 0;
    return held_;
  }
  // The process holding the lock, or 0.
  pid_t holder() const {
    struct flock fl = slot_lock_range(F_WRLCK);
    if (::fcntl(fd_, F_GETLK, &fl) != 0 || fl.l_type == F_UNLCK) return 0;
    return fl.l_pid;
  }

 private:
  int fd_;
  bool held_ = false;
};

Status destroyed_status(const fs::path& dir) {
  return {Code::kDestroyed, "the vault at \"" + dir.string() + "\" was destroyed (its key slots are gone)"};
}

Status destroyed_while_writing(const fs::path& dir) {
  return {Code::kDestroyed, "the vault at \"" + dir.string() + "\" was destroyed by panic while this command ran; "
                            "nothing was written"};
}

SlotCopy read_copy(const fs::path& dir, const char* name) {
  SlotCopy c;
  c.name = name;
  auto bytes = read_file_limited(dir / name, kKeyslotsMaxFileBytes);
  if (!bytes) {
    c.state = bytes.status().code() == Code::kCorrupt ? Status{Code::kCorrupt, "larger than any valid copy"}
                                                      : bytes.status();
    return c;
  }
  c.bytes = std::move(bytes).value();
  auto parsed = KeyslotFile::parse(c.bytes);
  if (!parsed) {
    c.state = parsed.status();
    return c;
  }
  c.file = std::move(parsed).value();
  return c;
}

// The parser's messages start "key-slot file is damaged: "; a report names the copy instead.
std::string why(const Status& s) {
  static constexpr std::string_view kPrefix = "key-slot file is damaged: ";
  std::string m = s.message();
  if (m.rfind(kPrefix, 0) == 0) m.erase(0, kPrefix.size());
  if (s.code() == Code::kNotFound) return "missing";
  return (s.code() == Code::kCorrupt ? "damaged (" : "") + m + (s.code() == Code::kCorrupt ? ")" : "");
}

void scrub_all_copies(const fs::path& dir, Status& first_error) {
  for (const char* name : kCopyNames) {
    for (const fs::path& p : {dir / name, temp_of(dir, name)}) {
      Status s = scrub_and_unlink(p);
      if (!s && first_error) first_error = s;
    }
  }
  // Version 1's replacement link: scrubbing it overwrites whatever it links to, which panic wants.
  Status s = scrub_and_unlink(dir / kKeyslotsOldFile);
  if (!s && first_error) first_error = s;
}

Status leave_destroyed_marker(const fs::path& dir) {
  fs::path p = dir / kDestroyedFile;
  int fd = ::open(p.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return {Code::kIo, "cannot mark the vault destroyed: " + std::string(std::strerror(errno))};
  (void)::fsync(fd);
  ::close(fd);
  return fsync_dir(dir);
}

// Same executable as this process: panic kills only fieldnotes processes.
bool is_fieldnotes_process(pid_t pid) {
  struct stat self {}, other {};
  std::string exe = "/proc/" + std::to_string(pid) + "/exe";
  return ::stat("/proc/self/exe", &self) == 0 && ::stat(exe.c_str(), &other) == 0 &&
         self.st_dev == other.st_dev && self.st_ino == other.st_ino;
}

// Waits for the key-slot write lock; after `grace`, kills the fieldnotes process holding it.
Status wait_for_writers(const fs::path& dir, std::chrono::milliseconds grace, int* fd_out) {
  fs::path p = dir / kLockFile;
  int fd = ::open(p.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return {Code::kIo, "cannot open the vault's lock file: " + std::string(std::strerror(errno))};
  *fd_out = fd;
  SlotWriteLock probe(fd);
  auto start = std::chrono::steady_clock::now();
  bool killed = false;
  for (;;) {
    {
      struct flock fl = slot_lock_range(F_WRLCK);
      if (::fcntl(fd, F_SETLK, &fl) == 0) return Status::ok();   // released by close(fd)
    }
    auto waited = std::chrono::steady_clock::now() - start;
    if (!killed && waited > grace) {
      pid_t pid = probe.holder();
      if (pid > 0 && pid != ::getpid() && is_fieldnotes_process(pid)) (void)::kill(pid, SIGKILL);
      killed = true;
    }
    if (waited > 3 * grace)
      return {Code::kLocked, "a fieldnotes process is still writing key slots; kill it and run panic again"};
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

}  // namespace

bool destroyed_marker_present(const fs::path& dir) {
  struct stat st {};
  return ::lstat((dir / kDestroyedFile).c_str(), &st) == 0;
}

Result<KeyslotStore> KeyslotStore::load(const fs::path& dir) {
  if (destroyed_marker_present(dir)) return destroyed_status(dir);
  KeyslotStore store;
  store.dir_ = dir;
  for (const char* name : kCopyNames) store.copies_.push_back(read_copy(dir, name));
  if (std::any_of(store.copies_.begin(), store.copies_.end(), [](const SlotCopy& c) { return c.file.has_value(); }))
    return store;
  if (std::all_of(store.copies_.begin(), store.copies_.end(),
                  [](const SlotCopy& c) { return c.state.code() == Code::kNotFound; }))
    return destroyed_status(dir);
  for (const SlotCopy& c : store.copies_)
    if (c.state.code() == Code::kUnsupported || c.state.code() == Code::kIo) return c.state;
  std::string msg = "both copies of the key slots are damaged";
  for (const SlotCopy& c : store.copies_) msg += std::string(&c == &store.copies_[0] ? " (" : "; ") + c.name + ": " + why(c.state);
  return Status{Code::kCorrupt, msg + ")"};
}

Result<SecretBuffer> KeyslotStore::unlock(SlotKind kind, std::span<const uint8_t> secret,
                                          const Acceptor& accept) {
  std::vector<std::size_t> order;
  for (std::size_t i = 0; i < copies_.size(); ++i)
    if (copies_[i].file) order.push_back(i);
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return copies_[a].file->sequence > copies_[b].file->sequence;
  });
  SlotKeyCache cache;
  Status refused{Code::kWrongKey, kind == SlotKind::kRecovery ? "wrong recovery key" : "wrong passphrase"};
  std::optional<Status> foreign;
  for (std::size_t pos = 0; pos < order.size(); ++pos) {
    const SlotCopy& c = copies_[order[pos]];
    if (pos > 0 && c.bytes == copies_[order[0]].bytes) continue;   // the same data: tried
    auto master = c.file->open_master(kind, secret, cache);
    if (!master) {
      if (master.status().code() != Code::kWrongKey) return master.status();
      refused = master.status();
      continue;
    }
    // The master key opened; the copies it authenticates, and the database, must agree.
    std::optional<std::size_t> newest;
    for (std::size_t i : order) {
      copies_[i].authentic = copies_[i].file->mac_verifies(*master);
      if (copies_[i].authentic && !newest) newest = i;
    }
    if (!newest) {
      // The slot opened but its copy does not authenticate: modified; the other copy may do.
      foreign = Status{Code::kCorrupt, "the key slots were modified (copy \"" + c.name + "\" does not authenticate)"};
      continue;
    }
    if (Status ok = accept(*master, *copies_[*newest].file); !ok) {
      // A copy of another vault opened with the same passphrase: try the other copy.
      foreign = ok;
      for (SlotCopy& x : copies_) x.authentic = false;
      continue;
    }
    current_ = *newest;
    return master;
  }
  if (foreign) return *foreign;
  return refused;
}

std::vector<std::string> KeyslotStore::problems() const {
  std::vector<std::string> out;
  const SlotCopy& cur = copies_[current_];
  for (const SlotCopy& c : copies_) {
    if (&c == &cur) {
      if (c.file->major != kKeyslotsMajor) out.push_back(c.name + ": written by an older fieldnotes (version 1)");
      continue;
    }
    if (!c.file) out.push_back(c.name + ": " + why(c.state));
    else if (c.file->vault_id != cur.file->vault_id) out.push_back(c.name + ": belongs to another vault");
    else if (!c.authentic) out.push_back(c.name + ": damaged (it does not authenticate)");
    else if (c.bytes != cur.bytes) out.push_back(c.name + ": older than \"" + cur.name + "\" (an interrupted write)");
  }
  return out;
}

bool KeyslotStore::holds_retired_data() const {
  const SlotCopy& cur = copies_[current_];
  if (cur.file->major != kKeyslotsMajor) return true;
  return std::any_of(copies_.begin(), copies_.end(),
                     [&](const SlotCopy& c) { return c.authentic && c.bytes != cur.bytes; });
}

bool KeyslotStore::has_damaged_copy() const {
  return std::any_of(copies_.begin(), copies_.end(), [&](const SlotCopy& c) { return !c.authentic; });
}

KeyslotStore KeyslotStore::empty(const fs::path& dir) {
  KeyslotStore store;
  store.dir_ = dir;
  for (const char* name : kCopyNames) {
    SlotCopy c;
    c.name = name;
    c.state = Status{Code::kNotFound, "missing"};
    store.copies_.push_back(std::move(c));
  }
  return store;
}

Status KeyslotStore::write(KeyslotFile& next, const SecretBuffer& master, int lock_fd) {
  uint64_t top = next.sequence;
  for (const SlotCopy& c : copies_)
    if (c.file) top = std::max(top, c.file->sequence);
  next.sequence = top + 1;
  next.major = kKeyslotsMajor;
  next.minor = kKeyslotsMinor;
  const std::vector<uint8_t> bytes = next.serialize(master);

  // The last good copy is replaced last: first whichever copy is not current data.
  const bool first_good = copies_[0].authentic && copies_[0].bytes == copies_[current_].bytes;
  const bool second_good = copies_[1].authentic && copies_[1].bytes == copies_[current_].bytes;
  const std::size_t first = (second_good && !first_good) ? 0 : 1;
  const std::size_t order[2] = {first, 1 - first};
  SlotWriteLock lock(lock_fd);
  FN_RETURN_IF_ERROR(lock.acquire());
  for (std::size_t i : order) {
    // Checked under the write lock: panic, after leaving its marker, waits for this lock and
    // destroys again, so a copy renamed in before the check is destroyed too.
    if (destroyed_marker_present(dir_)) return destroyed_while_writing(dir_);
    if (Status s = write_file_atomic(dir_ / copies_[i].name, bytes); !s) {
      // panic scrubbed the temp copy under our feet: say what happened, not ENOENT.
      return destroyed_marker_present(dir_) ? destroyed_while_writing(dir_) : s;
    }
    copies_[i].bytes = bytes;
    copies_[i].file = next;
    copies_[i].state = Status::ok();
    copies_[i].authentic = true;
  }
  current_ = order[1];
  return scrub_keyslot_leftovers(dir_, nullptr);
}

Status scrub_keyslot_leftovers(const fs::path& dir, std::vector<std::string>* removed) {
  Status first;
  auto note = [&](const std::string& what) {
    if (removed) removed->push_back(what);
  };
  for (const char* name : kCopyNames) {
    fs::path tmp = temp_of(dir, name);
    struct stat st {};
    if (::lstat(tmp.c_str(), &st) != 0) continue;
    Status s = scrub_and_unlink(tmp);
    if (!s && first) first = s;
    if (s) note(tmp.filename().string() + ": left by an interrupted key-slot write; scrubbed and removed");
  }
  fs::path old = dir / kKeyslotsOldFile;
  struct stat ost {};
  if (::lstat(old.c_str(), &ost) == 0) {
    // Version 1 linked the live file here before replacing it: never overwrite a live copy.
    bool live = false;
    for (const char* name : kCopyNames) {
      struct stat cst {};
      if (::lstat((dir / name).c_str(), &cst) == 0 && cst.st_ino == ost.st_ino && cst.st_dev == ost.st_dev) live = true;
    }
    Status s = live ? (::unlink(old.c_str()) == 0 ? fsync_dir(dir)
                                                  : Status{Code::kIo, "cannot remove \"" + old.string() + "\": " + std::strerror(errno)})
                    : scrub_and_unlink(old);
    if (!s && first) first = s;
    if (s) note(std::string(kKeyslotsOldFile) + ": left by an interrupted key-slot write; removed");
  }
  return first;
}

Status destroy_key_slots(const fs::path& dir, std::chrono::milliseconds grace) {
  Status first = leave_destroyed_marker(dir);
  scrub_all_copies(dir, first);
  int fd = -1;
  Status waited = wait_for_writers(dir, grace, &fd);
  // Whatever a writer renamed in before it saw the marker, or before it was killed.
  scrub_all_copies(dir, first);
  if (fd >= 0) ::close(fd);
  if (!waited) return waited;
  return first;
}

}  // namespace fieldnotes::vault
