// fieldnotes restore SRC: the backup in SRC, authenticated, into the new vault directory --vault.
#include <iostream>

#include <nlohmann/json.hpp>

#include "cli/common.h"
#include "vault/backup.h"

namespace fieldnotes::cli {

namespace {

struct RestoreOptions {
  std::string source;
};

void run_restore(const RestoreOptions& o) {
  std::filesystem::path target = vault_dir();
  std::filesystem::path source(o.source);
  // Refusals that need no secret come before the passphrase prompt.
  vault::VaultState state = vault::probe(target);
  if (state == vault::VaultState::kVault || state == vault::VaultState::kDestroyed)
    fail(kExitPolicy, "a vault already exists in \"" + target.string() + "\"; restore never overwrites one",
         "give a new directory with --vault NEW, or move the existing vault away first");
  if (state == vault::VaultState::kForeign)
    fail(kExitPolicy, "\"" + target.string() + "\" is not empty", "give a new or empty directory with --vault NEW");
  vault::VaultState from = vault::probe(source);
  if (from == vault::VaultState::kMissing || from == vault::VaultState::kEmpty)
    fail(kExitData, "no backup at \"" + source.string() + "\"", "give the directory written by 'fieldnotes backup'");

  vault::Credential cred = read_credential();
  auto report = vault::restore(source, target, cred, backup_progress_printer());
  if (!report) {
    if (report.status().code() == Code::kRefused)
      fail(kExitPolicy, report.status().message(), "give a new or empty directory with --vault NEW");
    if (report.status().code() == Code::kCorrupt)
      fail(kExitData, "cannot restore: " + report.status().message(),
           "nothing was restored; run 'fieldnotes --vault " + source.string() + " verify' to see what is damaged, "
           "or restore from another backup");
    fail(report.status(), "cannot restore from \"" + source.string() + "\"");
  }
  if (globals().json) {
    std::cout << nlohmann::json({{"vault", target.string()}, {"records", report->verified.records_checked},
                                 {"attachments", report->verified.attachments_checked},
                                 {"people", report->verified.people_checked}})
                     .dump(2)
              << "\n";
    return;
  }
  std::cout << "restored " << report->verified.records_checked << " records, " << report->verified.attachments_checked
            << " attachments, " << report->verified.people_checked << " people into \"" << target.string()
            << "\" (verified)\n";
}

}  // namespace

void register_restore(CLI::App& app) {
  auto o = std::make_shared<RestoreOptions>();
  auto* c = app.add_subcommand("restore", "restore the backup SRC into a new or empty vault directory (--vault)");
  c->add_option("src", o->source, "backup directory written by 'fieldnotes backup'")->required();
  c->callback([o] { run_restore(*o); });
}

}  // namespace fieldnotes::cli
