// What every command shares: global options, exit codes, messages, secret input, and
// with_unlocked_vault() — the one place that unlocks a vault.
#pragma once

#include <CLI/CLI.hpp>

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "base/status.h"
#include "crypto/secret.h"
#include "src/redact/engine.h"
#include "vault/vault.h"

namespace fieldnotes::cli {

// Documented exit codes (README.md, "Exit codes").
enum Exit : int {
  kExitOk = 0,
  kExitUsage = 1,
  kExitLocked = 2,     // wrong passphrase, locked, destroyed
  kExitData = 3,       // data or format error
  kExitPolicy = 4,     // refused by policy
  kExitIo = 5,
};

struct GlobalOptions {
  std::string vault;             // --vault
  int passphrase_fd = -1;        // --passphrase-fd
  int recovery_key_fd = -1;      // --recovery-key-fd
  bool json = false;
  bool quiet = false;
};

GlobalOptions& globals();

// Thrown by commands; caught in main() and turned into messages and an exit code.
struct Failure {
  int exit_code;
  std::string error;
  std::string hint;
};

[[noreturn]] void fail(int exit_code, std::string error, std::string hint = {});
// Maps a core Status to an exit code and a hint, and throws.
[[noreturn]] void fail(const Status& status, const std::string& context = {});

void print_error(const std::string& error, const std::string& hint);
void warn(const std::string& message);

std::filesystem::path vault_dir();

// Reads a secret from fd N (up to the first newline) or, if fd < 0, from /dev/tty with echo
// off (restored on Ctrl-C). `confirm` asks twice on a terminal.
crypto::SecretBuffer read_secret(int fd, const char* prompt, bool confirm = false);

// Unlocks the vault with --recovery-key-fd if given, else the passphrase, and runs fn.
void with_unlocked_vault(const std::function<void(vault::Vault&)>& fn);
// The secret every command unlocks with: the recovery key from --recovery-key-fd if given,
// else the passphrase (--passphrase-fd or the terminal).
vault::Credential read_credential();
// As above with a credential already read (REQUIRES: the vault directory holds a vault);
// fn gets it too, for commands that open a second vault with it (backup).
void with_unlocked_vault(const vault::Credential& cred,
                         const std::function<void(vault::Vault&, const vault::Credential&)>& fn);

// Reads all of FILE (or stdin for "" / "-"), refusing more than `limit` bytes and invalid UTF-8.
std::string read_text_input(const std::string& file, std::size_t limit, const char* what);

// --full needs --confirm-full, or "full" typed on a terminal. `what` names the output
// ("export", "share") in the messages. Fails (exit 1 or 4) unless confirmed.
void confirm_full(bool full, bool confirm_flag, const std::string& what);

// "public" or "co-counsel" (--audience): whose consent lets a name stay. Exit 1 otherwise.
redact::Audience parse_audience(const std::string& name);

// Parses a record id given on the command line.
int64_t parse_record_id(const std::string& s);

// Progress of a backup or restore on stderr, for copies that take longer than a second; empty
// (no progress) with --quiet or when stderr is not a terminal. Defined in cmd_backup.cpp.
std::function<void(uint64_t, uint64_t)> backup_progress_printer();

// Every command file registers itself through one of these.
void register_init(CLI::App& app);
void register_passwd(CLI::App& app);
void register_recovery(CLI::App& app);
void register_panic(CLI::App& app);
void register_add(CLI::App& app);
void register_list(CLI::App& app);
void register_search(CLI::App& app);
void register_shred(CLI::App& app);
void register_verify(CLI::App& app);
void register_log(CLI::App& app);
void register_edit(CLI::App& app);
void register_person(CLI::App& app);
void register_redact(CLI::App& app);
void register_export(CLI::App& app);
void register_identity(CLI::App& app);
void register_contact(CLI::App& app);
void register_share(CLI::App& app);
void register_receive(CLI::App& app);
void register_attach(CLI::App& app);
void register_backup(CLI::App& app);
void register_restore(CLI::App& app);

}  // namespace fieldnotes::cli
