// fieldnotes panic [--yes]: destroys every key slot without asking for the passphrase.
#include <unistd.h>

#include <iostream>

#include "cli/common.h"

namespace fieldnotes::cli {

namespace {
struct PanicOptions {
  bool yes = false;
};

void run_panic(const PanicOptions& o) {
  std::filesystem::path dir = vault_dir();
  auto state = vault::probe(dir);
  if (state == vault::VaultState::kDestroyed) {
    // Destroy again all the same: a panic cut short (power loss) may have left its marker and
    // not yet every copy.
    Status st = vault::Vault::destroy_key_slots(dir);
    if (!st) fail(st, "cannot destroy every key slot");
    if (!globals().quiet) std::cerr << "fieldnotes: the vault was already destroyed\n";
    return;
  }
  if (state != vault::VaultState::kVault)
    fail(kExitData, "no vault at \"" + dir.string() + "\"", "give --vault DIR");
  if (!o.yes) {
    if (!isatty(STDIN_FILENO))
      fail(kExitPolicy, "panic needs confirmation", "add --yes to destroy the vault without a question");
    std::cerr << "Destroy the vault in \"" << dir.string() << "\" for everyone, for ever? Type yes: " << std::flush;
    std::string answer;
    std::getline(std::cin, answer);
    if (answer != "yes") fail(kExitPolicy, "not confirmed; nothing was destroyed");
  }
  Status st = vault::Vault::destroy_key_slots(dir);
  if (!st) fail(st, "cannot destroy every key slot");
  if (!globals().quiet)
    std::cerr << "fieldnotes: key slots destroyed; no passphrase or recovery key opens this vault now\n";
}
}  // namespace

void register_panic(CLI::App& app) {
  auto o = std::make_shared<PanicOptions>();
  auto* c = app.add_subcommand("panic", "destroy every key slot now (no passphrase needed)");
  c->add_flag("-y,--yes", o->yes, "do not ask");
  c->callback([o] { run_panic(*o); });
}

}  // namespace fieldnotes::cli
