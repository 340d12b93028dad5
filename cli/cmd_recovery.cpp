// fieldnotes recovery --reset
#include <iostream>

#include "cli/common.h"

namespace fieldnotes::cli {

namespace {

struct RecoveryOptions {
  bool reset = false;
};

void run_recovery(const RecoveryOptions& o) {
  if (!o.reset) fail(kExitUsage, "nothing to do", "use 'fieldnotes recovery --reset' to replace the recovery key");
  with_unlocked_vault([&](vault::Vault& v) {
    // The new slot is durable before the key is shown, and the old one is retired only after
    // the key was written out: an interruption leaves the old key or the shown one working.
    auto key = v.begin_recovery_reset();
    if (!key && key.status().code() == Code::kDestroyed) fail(key.status());
    if (!key) fail(key.status(), "cannot replace the recovery key; the old one still opens the vault");
    std::cerr << "fieldnotes: the new recovery key is shown ONCE; write it down and keep it away from the laptop:\n";
    std::cout.write(key->view().data(), static_cast<std::streamsize>(key->size()));
    std::cout << std::endl;
    if (!std::cout) {
      (void)v.abandon_recovery_reset();
      fail(kExitIo, "cannot write the new recovery key to the output; the old one still opens the vault");
    }
    Status st = v.finish_recovery_reset();
    if (!st) fail(st, "the new recovery key opens the vault, but the old one could not be retired (run it again)");
    if (!globals().quiet) std::cerr << "fieldnotes: the old recovery key no longer opens the vault\n";
  });
}

}  // namespace

void register_recovery(CLI::App& app) {
  auto r = std::make_shared<RecoveryOptions>();
  auto* rc = app.add_subcommand("recovery", "manage the recovery key");
  rc->add_flag("--reset", r->reset, "replace the recovery key and print the new one once");
  rc->callback([r] { run_recovery(*r); });
}

}  // namespace fieldnotes::cli
