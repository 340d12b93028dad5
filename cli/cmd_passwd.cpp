// fieldnotes passwd [--new-passphrase-fd N]
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

}  // namespace

void register_passwd(CLI::App& app) {
  auto o = std::make_shared<PasswdOptions>();
  auto* c = app.add_subcommand("passwd", "change the passphrase (rewraps the master key; no data re-encrypted)");
  c->add_option("--new-passphrase-fd", o->new_fd, "read the new passphrase from this file descriptor");
  c->callback([o] { run_passwd(*o); });
}

}  // namespace fieldnotes::cli
