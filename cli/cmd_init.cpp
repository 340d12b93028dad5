// fieldnotes init [--kdf-profile moderate|sensitive|test]
#include <iostream>

#include "cli/common.h"

namespace fieldnotes::cli {

namespace {
struct InitOptions {
  std::string profile = "moderate";
};

void run_init(const InitOptions& o) {
  auto profile = crypto::profile_from_name(o.profile);
  if (!profile) fail(kExitUsage, "unknown key-derivation profile \"" + o.profile + "\"", "use moderate, sensitive or test");
  std::filesystem::path dir = vault_dir();
  auto state = vault::probe(dir);
  if (state == vault::VaultState::kVault || state == vault::VaultState::kDestroyed)
    fail(kExitPolicy, "a vault already exists in \"" + dir.string() + "\"", "choose another directory with --vault DIR");
  if (state == vault::VaultState::kForeign)
    fail(kExitPolicy, "\"" + dir.string() + "\" is not empty", "choose an empty or new directory with --vault DIR");
  crypto::SecretBuffer pass = read_secret(globals().passphrase_fd, "New passphrase: ", /*confirm=*/true);
  if (pass.empty()) fail(kExitUsage, "the passphrase is empty", "choose a passphrase of several words");
  if (pass.size() < 12) warn("a passphrase under 12 characters is weak against a seized laptop");
  auto recovery = vault::Vault::create(dir, pass, *profile);
  if (!recovery) fail(recovery.status(), "cannot create the vault");
  if (*profile == crypto::KdfProfile::kTest)
    warn("this vault uses the 'test' key-derivation profile: it is not for real testimony");
  std::cerr << "fieldnotes: created a vault in \"" << dir.string() << "\"\n"
            << "fieldnotes: the recovery key below is shown ONCE and never again. Write it on paper and\n"
            << "fieldnotes: keep it away from this laptop; it opens the vault if the passphrase is lost.\n";
  std::cout.write(recovery->view().data(), static_cast<std::streamsize>(recovery->size()));
  std::cout << std::endl;
}
}  // namespace

void register_init(CLI::App& app) {
  auto o = std::make_shared<InitOptions>();
  auto* c = app.add_subcommand("init", "create a new vault and print its recovery key once");
  c->add_option("--kdf-profile", o->profile, "moderate (default), sensitive, or test (for tests only)");
  c->callback([o] { run_init(*o); });
}

}  // namespace fieldnotes::cli
