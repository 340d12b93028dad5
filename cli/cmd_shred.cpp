// fieldnotes shred ID [--yes]: crypto-shreds one record.
#include <unistd.h>

#include <iostream>

#include "cli/common.h"

namespace fieldnotes::cli {

namespace {
struct ShredOptions {
  std::string id;
  bool yes = false;
};

void run_shred(const ShredOptions& o) {
  int64_t id = parse_record_id(o.id);
  if (!o.yes && !isatty(STDIN_FILENO))
    fail(kExitPolicy, "shred needs confirmation", "add --yes to shred record " + o.id + " without a question");
  with_unlocked_vault([&](vault::Vault& v) {
    if (!o.yes) {
      auto r = v.get_record(id);
      if (!r) fail(r.status(), "cannot shred record " + o.id);
      std::cerr << "Shred record " << id << " for ever? It cannot be recovered. Type yes: " << std::flush;
      std::string answer;
      std::getline(std::cin, answer);
      if (answer != "yes") fail(kExitPolicy, "not confirmed; nothing was shredded");
    }
    Status st = v.shred_record(id);
    if (!st) fail(st, "cannot shred record " + o.id);
    if (!globals().quiet) std::cerr << "fieldnotes: record " << id << " shredded\n";
  });
}
}  // namespace

void register_shred(CLI::App& app) {
  auto o = std::make_shared<ShredOptions>();
  auto* c = app.add_subcommand("shred", "destroy one record for ever (crypto-shred)");
  c->add_option("id", o->id, "record id")->required();
  c->add_flag("-y,--yes", o->yes, "do not ask");
  c->callback([o] { run_shred(*o); });
}

}  // namespace fieldnotes::cli
