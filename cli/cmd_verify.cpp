// fieldnotes verify: authenticates every record, person and audit entry.
// fieldnotes log: prints the audit log (operations, record ids, times; no content).
#include <ctime>
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

void run_log() {
  with_unlocked_vault([&](vault::Vault& v) {
    auto log = v.audit_log();
    if (!log) fail(log.status(), "cannot read the audit log");
    nlohmann::json out = nlohmann::json::array();
    for (const auto& e : *log) {
      std::time_t t = static_cast<std::time_t>(e.time);
      std::tm tm{};
      gmtime_r(&t, &tm);
      char buf[32];
      std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
      if (globals().json) {
        out.push_back({{"seq", e.seq}, {"time", buf}, {"operation", e.operation}, {"record", e.record_id}});
      } else {
        std::cout << e.seq << "\t" << buf << "\t" << e.operation;
        if (e.record_id != 0) std::cout << "\t" << e.record_id;
        std::cout << "\n";
      }
    }
    if (globals().json) std::cout << out.dump(2) << "\n";
  });
}

}  // namespace

void register_verify(CLI::App& app) {
  auto o = std::make_shared<VerifyOptions>();
  auto* c = app.add_subcommand("verify", "authenticate every record and both key-slot copies; exit 3 if any fails");
  c->add_flag("--repair", o->repair, "rewrite a damaged key-slot copy from the good one");
  c->callback([o] { run_verify(*o); });
  app.add_subcommand("log", "print the audit log (no content)")->callback(run_log);
}

}  // namespace fieldnotes::cli
