#include "cli/common.h"

#include <fcntl.h>
#include <signal.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <iostream>

#include "vault/backup.h"

namespace fieldnotes::cli {

namespace fs = std::filesystem;

GlobalOptions& globals() {
  static GlobalOptions g;
  return g;
}

void fail(int exit_code, std::string error, std::string hint) {
  throw Failure{exit_code, std::move(error), std::move(hint)};
}

void fail(const Status& status, const std::string& context) {
  std::string msg = context.empty() ? status.message() : context + ": " + status.message();
  switch (status.code()) {
    case Code::kWrongKey:
      fail(kExitLocked, msg, globals().recovery_key_fd >= 0
                                 ? "check the recovery key, group by group"
                                 : "try again; if it is lost, unlock with --recovery-key-fd and run 'fieldnotes passwd'");
    case Code::kDestroyed:
      fail(kExitLocked, msg, "nothing can open it any more; restore from a backup made with its own key slots");
    case Code::kLocked:
      fail(kExitLocked, msg, "wait for the other fieldnotes command to finish, then try again");
    case Code::kNotFound:
      fail(kExitData, msg, "");
    case Code::kCorrupt:
      fail(kExitData, msg, "run 'fieldnotes verify' and restore damaged files from a backup");
    case Code::kRollback:
      fail(kExitData, msg,
           "keep this directory as it is (it shows what was done to it); restore the newest backup into a new "
           "directory with 'fieldnotes restore --vault NEW BACKUP' and compare");
    case Code::kUnsupported:
      fail(kExitData, msg, "this file was written by another version of fieldnotes, or was tampered with");
    case Code::kInvalidInput:
      fail(kExitData, msg, "");
    case Code::kRefused:
      fail(kExitPolicy, msg, "");
    case Code::kIo:
      fail(kExitIo, msg, "check free space and permissions of the vault directory");
    case Code::kNotThisKey:
    case Code::kOk:
      break;
  }
  fail(kExitIo, msg);
}

void print_error(const std::string& error, const std::string& hint) {
  std::cerr << "fieldnotes: error: " << error << "\n";
  if (!hint.empty()) std::cerr << "fieldnotes: hint: " << hint << "\n";
}

void warn(const std::string& message) {
  if (!globals().quiet) std::cerr << "fieldnotes: warning: " << message << "\n";
}

fs::path vault_dir() {
  if (!globals().vault.empty()) return globals().vault;
  if (const char* v = std::getenv("FIELDNOTES_VAULT"); v && *v) return v;
  if (const char* x = std::getenv("XDG_DATA_HOME"); x && *x) return fs::path(x) / "fieldnotes" / "default";
  if (const char* h = std::getenv("HOME"); h && *h) return fs::path(h) / ".local/share/fieldnotes/default";
  fail(kExitUsage, "no vault directory", "give --vault DIR or set FIELDNOTES_VAULT");
}

namespace {

constexpr std::size_t kMaxSecret = 1024;

// Terminal state to restore when interrupted while echo is off.
int g_tty_fd = -1;
struct termios g_saved_tty;
volatile sig_atomic_t g_tty_modified = 0;

void restore_tty_and_die(int sig) {
  if (g_tty_modified) tcsetattr(g_tty_fd, TCSAFLUSH, &g_saved_tty);
  signal(sig, SIG_DFL);
  raise(sig);
}

// Reads one line into secure memory, byte by byte (no stdio buffers holding the secret).
crypto::SecretBuffer read_line(int fd) {
  crypto::SecretBuffer buf(kMaxSecret);
  std::size_t n = 0;
  for (;;) {
    uint8_t c;
    ssize_t r = ::read(fd, &c, 1);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0 || c == '\n') break;
    if (n == kMaxSecret) fail(kExitUsage, "the passphrase is longer than 1024 bytes");
    buf.data()[n++] = c;
  }
  if (n > 0 && buf.data()[n - 1] == '\r') --n;
  buf.truncate(n);
  return buf;
}

crypto::SecretBuffer prompt_tty(const char* prompt) {
  int fd = ::open("/dev/tty", O_RDWR | O_CLOEXEC);
  if (fd < 0)
    fail(kExitUsage, "no terminal to ask for the passphrase",
         "give it on a file descriptor with --passphrase-fd N");
  (void)!::write(fd, prompt, std::strlen(prompt));
  struct termios t;
  bool is_tty = tcgetattr(fd, &t) == 0;
  if (is_tty) {
    g_tty_fd = fd;
    g_saved_tty = t;
    signal(SIGINT, restore_tty_and_die);
    signal(SIGTERM, restore_tty_and_die);
    t.c_lflag &= static_cast<tcflag_t>(~ECHO);
    t.c_lflag |= ECHONL;
    tcsetattr(fd, TCSAFLUSH, &t);
    g_tty_modified = 1;
  }
  crypto::SecretBuffer s = read_line(fd);
  if (is_tty) {
    tcsetattr(fd, TCSAFLUSH, &g_saved_tty);
    g_tty_modified = 0;
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
  }
  ::close(fd);
  return s;
}

}  // namespace

crypto::SecretBuffer read_secret(int fd, const char* prompt, bool confirm) {
  if (fd >= 0) {
    if (fcntl(fd, F_GETFD) < 0)
      fail(kExitUsage, "file descriptor " + std::to_string(fd) + " is not open");
    return read_line(fd);
  }
  crypto::SecretBuffer s = prompt_tty(prompt);
  if (confirm) {
    crypto::SecretBuffer again = prompt_tty("Repeat: ");
    if (!crypto::ct_equal(s.bytes(), again.bytes()))
      fail(kExitUsage, "the two entries differ", "run the command again");
  }
  return s;
}

void with_unlocked_vault(const std::function<void(vault::Vault&)>& fn) {
  fs::path dir = vault_dir();
  if (vault::is_interrupted_backup(dir))
    fail(kExitData, "\"" + dir.string() + "\" holds a backup whose writing was interrupted",
         "run 'fieldnotes backup " + dir.string() + "' from the vault again to complete it");
  if (vault::probe(dir) == vault::VaultState::kMissing || vault::probe(dir) == vault::VaultState::kEmpty)
    fail(kExitData, "no vault at \"" + dir.string() + "\"",
         "create one with 'fieldnotes init --vault " + dir.string() + "', or give --vault DIR");
  if (vault::probe(dir) == vault::VaultState::kDestroyed)
    fail(Status{Code::kDestroyed, "the vault at \"" + dir.string() + "\" was destroyed (its key slots are gone)"});
  vault::Credential cred = read_credential();
  with_unlocked_vault(cred, [&](vault::Vault& v, const vault::Credential&) { fn(v); });
}

vault::Credential read_credential() {
  vault::Credential cred;
  if (globals().recovery_key_fd >= 0) {
    cred.kind = vault::SlotKind::kRecovery;
    cred.secret = read_secret(globals().recovery_key_fd, "Recovery key: ");
  } else {
    cred.secret = read_secret(globals().passphrase_fd, "Passphrase: ");
  }
  return cred;
}

void with_unlocked_vault(const vault::Credential& cred,
                         const std::function<void(vault::Vault&, const vault::Credential&)>& fn) {
  fs::path dir = vault_dir();
  auto v = vault::Vault::open(dir, cred);
  if (!v) fail(v.status(), "cannot open the vault");
  if ((*v)->is_test_profile())
    warn("this vault uses the 'test' key-derivation profile: it is not for real testimony");
  for (const auto& p : (*v)->key_slot_problems())
    warn("key-slot copy " + p + "; the other copy opened the vault: run 'fieldnotes verify --repair'");
  fn(**v, cred);
}

std::string read_text_input(const std::string& file, std::size_t limit, const char* what) {
  int fd = 0;
  if (!file.empty() && file != "-") {
    fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) fail(kExitIo, std::string("cannot read ") + what + " \"" + file + "\": " + std::strerror(errno));
  }
  std::string out;
  char buf[65536];
  for (;;) {
    ssize_t r = ::read(fd, buf, sizeof buf);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) fail(kExitIo, std::string("cannot read ") + what + ": " + std::strerror(errno));
    if (r == 0) break;
    if (out.size() + static_cast<std::size_t>(r) > limit) {
      crypto::wipe(out);
      fail(kExitData, std::string(what) + " is larger than " + std::to_string(limit >> 20) + " MiB");
    }
    out.append(buf, static_cast<std::size_t>(r));
  }
  crypto::wipe(buf, sizeof buf);
  if (fd != 0) ::close(fd);
  return out;
}

void confirm_full(bool full, bool confirm_flag, const std::string& what) {
  if (confirm_flag && !full) fail(kExitUsage, "--confirm-full without --full");
  if (!full || confirm_flag) return;
  if (!isatty(STDIN_FILENO))
    fail(kExitPolicy, "an unredacted " + what + " needs confirmation",
         "add --confirm-full if every name in these records may leave the vault");
  std::cerr << "This " << what << " keeps every name, phone and address. Type full to confirm: " << std::flush;
  std::string answer;
  std::getline(std::cin, answer);
  if (answer != "full") fail(kExitPolicy, "not confirmed; nothing left the vault");
}

redact::Audience parse_audience(const std::string& name) {
  if (name == "public") return redact::Audience::kPublic;
  if (name == "co-counsel") return redact::Audience::kCoCounsel;
  fail(kExitUsage, "unknown audience \"" + name + "\"", "use public or co-counsel");
}

int64_t parse_record_id(const std::string& s) {
  char* end = nullptr;
  errno = 0;
  long long v = std::strtoll(s.c_str(), &end, 10);
  if (s.empty() || *end != '\0' || errno != 0 || v <= 0)
    fail(kExitUsage, "\"" + s + "\" is not a record id", "record ids are the numbers shown by 'fieldnotes list'");
  return v;
}

}  // namespace fieldnotes::cli
