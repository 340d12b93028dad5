// fieldnotes export ID... [--format md|txt|json] [-o FILE] [--full [--confirm-full]] [--audience A]
//
// Redacted by default. --full (unredacted) needs an explicit confirmation — typed on the
// terminal, or --confirm-full in scripts — and is recorded in the audit log.
#include <unistd.h>

#include <iostream>

#include "cli/common.h"
#include "src/export.h"
#include "vault/fs.h"

namespace fieldnotes::cli {

namespace {

struct ExportOptions {
  std::vector<std::string> ids;
  std::string format = "md";
  std::string output;
  bool full = false;
  bool confirm_full = false;
  std::string audience = "public";
};

void run_export(const ExportOptions& o) {
  core::ExportFormat fmt;
  if (o.format == "md") fmt = core::ExportFormat::kMarkdown;
  else if (o.format == "txt") fmt = core::ExportFormat::kText;
  else if (o.format == "json") fmt = core::ExportFormat::kJson;
  else fail(kExitUsage, "unknown format \"" + o.format + "\"", "use md, txt or json");
  redact::Options opts;
  opts.audience = parse_audience(o.audience);
  std::vector<int64_t> ids;
  for (const auto& s : o.ids) ids.push_back(parse_record_id(s));
  confirm_full(o.full, o.confirm_full, "export");
  with_unlocked_vault([&](vault::Vault& v) {
    std::vector<vault::Record> records;
    for (int64_t id : ids) {
      auto r = v.get_record(id);
      if (!r) fail(r.status(), "cannot export record " + std::to_string(id));
      records.push_back(std::move(r).value());
    }
    Plaintext out;  // wiped when it goes, on failure too (fail() throws)
    if (o.full) {
      out = core::render_export(records, fmt, nullptr);
    } else {
      auto reg = core::load_register(v);
      if (!reg) fail(reg.status(), "cannot read the register; nothing was exported");
      auto engine = redact::Engine::compile(*reg);
      redact::Session session(*engine, opts);
      out = core::render_export(records, fmt, &session);
    }
    if (Status st = v.audit_each(o.full ? "export-full" : "export", ids); !st)
      fail(st, "cannot record the export in the audit log; nothing was exported");
    if (o.output.empty() || o.output == "-") {
      std::cout.write(out.data(), static_cast<std::streamsize>(out.size()));
      std::cout.flush();
    } else {
      // Atomic: no partial file on failure.
      Status st = vault::write_file_atomic(o.output, out.bytes());
      if (!st) fail(st, "cannot write the export");
    }
  });
}

}  // namespace

void register_export(CLI::App& app) {
  auto o = std::make_shared<ExportOptions>();
  auto* c = app.add_subcommand("export", "export records, redacted unless --full");
  c->add_option("ids", o->ids, "record ids")->required();
  c->add_option("--format", o->format, "md (default), txt or json");
  c->add_option("-o,--output", o->output, "output file (default: standard output)");
  c->add_flag("--full", o->full, "do not redact (asks for confirmation; audited)");
  c->add_flag("--confirm-full", o->confirm_full, "confirm --full without a question");
  c->add_option("--audience", o->audience, "public (default) or co-counsel: whose consent applies");
  c->callback([o] { run_export(*o); });
}

}  // namespace fieldnotes::cli
