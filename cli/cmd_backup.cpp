// fieldnotes backup DEST: a verified, incremental, still-encrypted copy of the vault in DEST.
#include <unistd.h>

#include <chrono>
#include <ctime>
#include <iostream>

#include <nlohmann/json.hpp>

#include "cli/common.h"
#include "src/strings.h"
#include "vault/backup.h"

namespace fieldnotes::cli {

namespace {

struct BackupOptions {
  std::string dest;
};

std::string mebibytes(uint64_t bytes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f MiB", static_cast<double>(bytes) / (1024.0 * 1024.0));
  return buf;
}

void run_backup(const BackupOptions& o) {
  std::filesystem::path dest(o.dest);
  vault::Credential cred = read_credential();
  with_unlocked_vault(cred, [&](vault::Vault& v, const vault::Credential& c) {
    std::error_code ec;
    if (std::filesystem::equivalent(dest, v.dir(), ec))
      fail(kExitUsage, "the backup directory is the vault itself", "give a directory on another disk, e.g. a USB stick");
    auto report = v.backup(dest, c, backup_progress_printer());
    if (!report) {
      if (report.status().code() == Code::kRefused)
        fail(kExitPolicy, "cannot back up into \"" + dest.string() + "\": " + report.status().message(),
             "give an empty directory, or one that holds a backup of this vault");
      if (report.status().code() == Code::kIo)
        fail(kExitIo, "the backup into \"" + dest.string() + "\" failed: " + report.status().message(),
             "check that the backup directory can be written and has room (is the stick read-only or "
             "full?); the vault is unchanged, and the next backup into it completes it");
      fail(report.status(), "the backup into \"" + dest.string() + "\" failed");
    }
    const vault::BackupReport& r = *report;
    if (globals().json) {
      nlohmann::json j = {{"files_written", r.files_written}, {"bytes_written", r.bytes_written},
                          {"attachment_streams_written", r.streams_written},
                          {"attachment_streams_kept", r.streams_kept},
                          {"attachment_streams_removed", r.streams_removed},
                          {"records_verified", r.verified.records_checked},
                          {"attachments_verified", r.verified.attachments_checked}};
      j["replaced"] = r.replaced ? nlohmann::json(*r.replaced) : nlohmann::json(nullptr);
      std::cout << j.dump(2) << "\n";
      return;
    }
    if (r.replaced)
      std::cout << "replaced the backup of " << core::local_time(*r.replaced) << "\n";
    std::cout << "wrote " << r.files_written << " files (" << mebibytes(r.bytes_written) << "): "
              << r.streams_written << " attachment streams copied, " << r.streams_kept
              << " already there, " << r.streams_removed << " removed\n"
              << "verified: " << r.verified.records_checked << " records, " << r.verified.attachments_checked
              << " attachments, " << r.verified.people_checked << " people\n";
  });
}

}  // namespace

std::function<void(uint64_t, uint64_t)> backup_progress_printer() {
  if (globals().quiet || !isatty(STDERR_FILENO)) return {};
  auto start = std::chrono::steady_clock::now();
  return [start](uint64_t done, uint64_t total) {
    // Only for copies that take longer than a second.
    if (std::chrono::steady_clock::now() - start < std::chrono::seconds(1)) return;
    int percent = total == 0 ? 100 : static_cast<int>(done * 100 / total);
    std::cerr << "\rcopied " << mebibytes(done) << " of " << mebibytes(total) << " (" << percent << "%)"
              << (done >= total ? "\n" : "") << std::flush;
  };
}

void register_backup(CLI::App& app) {
  auto o = std::make_shared<BackupOptions>();
  auto* c = app.add_subcommand("backup", "copy the vault, still encrypted, into DEST (incremental) and verify the copy");
  c->add_option("dest", o->dest, "backup directory (created if missing), e.g. on a USB stick")->required();
  c->callback([o] { run_backup(*o); });
}

}  // namespace fieldnotes::cli
