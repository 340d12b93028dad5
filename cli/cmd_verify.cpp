// fieldnotes verify: authenticates every record, person and audit entry.
#include <iostream>

#include <nlohmann/json.hpp>

#include "cli/common.h"

namespace fieldnotes::cli {

namespace {

struct VerifyOptions {
  bool repair = false;
};

void run_verify(const VerifyOptions& o) {
  with_unlocked_vault([&](vault::Vault& v) {
    if (o.repair) {
      Status st = v.repair_key_slots();
      if (!st) fail(st, "cannot rewrite the damaged key-slot copy");
    }
    vault::VerifyReport rep = v.verify();
    if (globals().json) {
      nlohmann::json j = {{"records", rep.records_checked}, {"people", rep.people_checked},
                          {"attachments", rep.attachments_checked},
                          {"audit_entries", rep.audit_checked}, {"problems", rep.problems},
                          {"repaired", rep.repaired}, {"ok", rep.problems.empty()}};
      std::cout << j.dump(2) << "\n";
    } else {
      for (const auto& p : rep.repaired) std::cout << "REPAIRED\t" << p << "\n";
      for (const auto& p : rep.problems) std::cout << "FAILED\t" << p << "\n";
      std::cout << rep.records_checked << " records, " << rep.attachments_checked << " attachments, "
                << rep.people_checked << " people, "
                << rep.audit_checked << " audit entries checked; " << rep.problems.size() << " problems\n";
    }
    if (!rep.problems.empty()) {
      const bool only_key_slots = v.key_slot_problems().size() == rep.problems.size();
      fail(kExitData, std::to_string(rep.problems.size()) + " problem(s) found in the vault",
           only_key_slots ? "run 'fieldnotes verify --repair' to rewrite the damaged key-slot copy from the good one"
                          : "restore the damaged records from a backup");
    }
  });
}

}  // namespace

void register_verify(CLI::App& app) {
  auto o = std::make_shared<VerifyOptions>();
  auto* c = app.add_subcommand("verify", "authenticate every record and both key-slot copies; exit 3 if any fails");
  c->add_flag("--repair", o->repair, "rewrite a damaged key-slot copy from the good one");
  c->callback([o] { run_verify(*o); });
}

}  // namespace fieldnotes::cli
