// fieldnotes log: prints the audit log (operations, record ids, times; no content).
#include <ctime>
#include <iostream>

#include <nlohmann/json.hpp>

#include "cli/common.h"

namespace fieldnotes::cli {

namespace {

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

void register_log(CLI::App& app) {
  app.add_subcommand("log", "print the audit log (no content)")->callback(run_log);
}

}  // namespace fieldnotes::cli
