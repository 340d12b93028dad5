// fieldnotes passwd [--new-passphrase-fd N]
// fieldnotes recovery --reset
#include <iostream>

#include "cli/common.h"

namespace fieldnotes::cli {

namespace {
struct PasswdOptions {
  int new_fd = -1;
};

void run_passwd(const PasswdOptions& o) {
  with_unlocked_vault([&](vault::Vault& v) {
    crypto::SecretBuffer pass = read_secret(o.new_fd, "New passphrase: ", /*confirm=*/true);
    if (pass.empty()) fail(kExitUsage, "the new passphrase is empty");
    if (pass.size() < 12) warn("a passphrase under 12 characters is weak against a seized laptop");
    Status st = v.change_passphrase(pass);
    if (!st) fail(st, "cannot change the passphrase");
    if (!globals().quiet) std::cerr << "fieldnotes: passphrase changed; the old one no longer opens the vault\n";
  });
}

struct RecoveryOptions {
  bool reset = false;
};

void run_recovery(const RecoveryOptions& o) {
  if (!o.reset) fail(kExitUsage, "nothing to do", "use 'fieldnotes recovery --reset' to replace the recovery key");
  with_unlocked_vault([&](vault::Vault& v) {
    auto key = v.reset_recovery_key();
    if (!key) fail(key.status(), "cannot replace the recovery key");
    std::cerr << "fieldnotes: the old recovery key no longer opens the vault. The new one is shown ONCE:\n";
    std::cout.write(key->view().data(), static_cast<std::streamsize>(key->size()));
    std::cout << std::endl;
  });
}
}  // namespace

void register_passwd(CLI::App& app) {
  auto o = std::make_shared<PasswdOptions>();
  auto* c = app.add_subcommand("passwd", "change the passphrase (rewraps the master key; no data re-encrypted)");
  c->add_option("--new-passphrase-fd", o->new_fd, "read the new passphrase from this file descriptor");
  c->callback([o] { run_passwd(*o); });

  auto r = std::make_shared<RecoveryOptions>();
  auto* rc = app.add_subcommand("recovery", "manage the recovery key");
  rc->add_flag("--reset", r->reset, "replace the recovery key and print the new one once");
  rc->callback([r] { run_recovery(*r); });
}

}  // namespace fieldnotes::cli
