// fieldnotes person add|list|show|edit|rm|import: the identity register.
#include <unistd.h>

#include <iostream>

#include <nlohmann/json.hpp>

#include "cli/common.h"
#include "src/register.h"
#include "src/strings.h"

namespace fieldnotes::cli {

using json = nlohmann::json;
using redact::PersonEntry;

namespace {

struct PersonFields {
  std::optional<std::string> name, role, disclose, pseudonym;
  std::vector<std::string> aliases, phones, emails, handles, identifiers, addresses;
};

void add_field_options(CLI::App* c, PersonFields& f) {
  c->add_option("--alias", f.aliases, "another name, nickname or spelling (repeatable)");
  c->add_option("--role", f.role, "client, relative, witness, lawyer, official or other");
  c->add_option("--phone", f.phones, "phone number (repeatable)");
  c->add_option("--email", f.emails, "e-mail address (repeatable)");
  c->add_option("--handle", f.handles, "messenger handle (repeatable)");
  c->add_option("--identifier", f.identifiers, "document or unit number (repeatable)");
  c->add_option("--address", f.addresses, "address (repeatable)");
  c->add_option("--disclose", f.disclose, "never (default), co-counsel or public");
  c->add_option("--pseudonym", f.pseudonym, "replacement in exports (default: role + letter)");
}

void apply(const PersonFields& f, PersonEntry& p) {
  if (f.name) p.name = *f.name;
  if (f.role) {
    if (!core::is_valid_role(*f.role))
      fail(kExitUsage, "unknown role \"" + *f.role + "\"", "use client, relative, witness, lawyer, official or other");
    p.role = *f.role;
  }
  if (f.disclose) {
    if (*f.disclose == "never") p.disclose = redact::Disclose::kNever;
    else if (*f.disclose == "co-counsel") p.disclose = redact::Disclose::kCoCounsel;
    else if (*f.disclose == "public") p.disclose = redact::Disclose::kPublic;
    else fail(kExitUsage, "unknown consent \"" + *f.disclose + "\"", "use never, co-counsel or public");
  }
  if (f.pseudonym) p.pseudonym = *f.pseudonym;
  auto repl = [](const std::vector<std::string>& from, std::vector<std::string>& to) {
    if (!from.empty()) to = from;
  };
  repl(f.aliases, p.aliases);
  repl(f.phones, p.phones);
  repl(f.emails, p.emails);
  repl(f.handles, p.handles);
  repl(f.identifiers, p.identifiers);
  repl(f.addresses, p.addresses);
}

// The register entry as the vault holds it (stored entries are valid UTF-8).
std::string stored_json(const PersonEntry& p) {
  auto text = core::person_to_json(p);
  if (!text) fail(kExitData, text.status().message(), "names and other fields must be UTF-8 text");
  return std::move(text).value();
}

json entry_json(int64_t id, const PersonEntry& p) {
  json j = json::parse(stored_json(p));
  j["id"] = id;
  return j;
}

// Finds a person by id or by exact name.
std::pair<int64_t, PersonEntry> find_person(vault::Vault& v, const std::string& who) {
  auto people = v.people();
  if (!people) fail(people.status(), "cannot read the register");
  char* end = nullptr;
  long long id = std::strtoll(who.c_str(), &end, 10);
  bool numeric = !who.empty() && *end == '\0';
  std::vector<std::pair<int64_t, PersonEntry>> hits;
  for (const auto& p : *people) {
    auto e = core::parse_person(p.json);
    if (!e) fail(e.status(), "person " + std::to_string(p.id));
    if ((numeric && p.id == id) || (!numeric && e->name == who)) hits.emplace_back(p.id, *e);
  }
  if (hits.empty()) fail(kExitData, "no person \"" + who + "\" in the register", "see 'fieldnotes person list'");
  if (hits.size() > 1) fail(kExitUsage, "several people are called \"" + who + "\"", "give the id from 'fieldnotes person list'");
  return hits.front();
}

struct AddOptions {
  std::string name;
  PersonFields f;
};

void run_add(const AddOptions& o) {
  PersonEntry p;
  p.role = "other";
  PersonFields f = o.f;
  f.name = o.name;
  apply(f, p);
  if (core::trim(p.name).empty()) fail(kExitUsage, "the name is empty");
  const std::string entry = stored_json(p);  // refused before the passphrase is asked
  with_unlocked_vault([&](vault::Vault& v) {
    auto id = v.add_person(entry);
    if (!id) fail(id.status(), "cannot add the person");
    std::cout << *id << "\n";
  });
}

void run_list() {
  with_unlocked_vault([&](vault::Vault& v) {
    auto people = v.people();
    if (!people) fail(people.status(), "cannot read the register");
    json out = json::array();
    for (const auto& p : *people) {
      auto e = core::parse_person(p.json);
      if (!e) fail(e.status(), "person " + std::to_string(p.id));
      if (globals().json) out.push_back(entry_json(p.id, *e));
      else std::cout << p.id << "\t" << e->role << "\t" << e->name << "\t" << core::disclose_name(e->disclose) << "\n";
    }
    if (globals().json) std::cout << out.dump(2) << "\n";
  });
}

struct WhoOptions {
  std::string who;
  bool yes = false;
  PersonFields f;
};

void run_show(const WhoOptions& o) {
  with_unlocked_vault([&](vault::Vault& v) {
    auto [id, p] = find_person(v, o.who);
    std::cout << entry_json(id, p).dump(2) << "\n";
  });
}

void run_edit(const WhoOptions& o) {
  with_unlocked_vault([&](vault::Vault& v) {
    auto [id, p] = find_person(v, o.who);
    apply(o.f, p);
    Status st = v.update_person(id, stored_json(p));
    if (!st) fail(st, "cannot save person " + std::to_string(id));
    if (!globals().quiet) std::cerr << "fieldnotes: person " << id << " saved\n";
  });
}

void run_rm(const WhoOptions& o) {
  if (!o.yes && !isatty(STDIN_FILENO))
    fail(kExitPolicy, "person rm needs confirmation", "add --yes");
  with_unlocked_vault([&](vault::Vault& v) {
    auto [id, p] = find_person(v, o.who);
    if (!o.yes) {
      std::cerr << "Remove person " << id << " from the register for ever? Type yes: " << std::flush;
      std::string answer;
      std::getline(std::cin, answer);
      if (answer != "yes") fail(kExitPolicy, "not confirmed; nothing was removed");
    }
    Status st = v.remove_person(id);
    if (!st) fail(st, "cannot remove person " + std::to_string(id));
    if (!globals().quiet) std::cerr << "fieldnotes: person " << id << " removed\n";
  });
}

struct ImportOptions {
  std::string file;
};

void run_import(const ImportOptions& o) {
  std::string text = read_text_input(o.file, core::kMaxRegisterFileBytes + 1, "the register file");
  auto entries = core::parse_register(text);
  crypto::wipe(text);
  if (!entries) fail(kExitData, "cannot import \"" + o.file + "\": " + entries.status().message(),
                     "the file must be a JSON array of entries as in 'fieldnotes person import --help'; nothing was imported");
  with_unlocked_vault([&](vault::Vault& v) {
    std::vector<std::string> jsons;
    jsons.reserve(entries->size());
    for (const auto& e : *entries) jsons.push_back(stored_json(e));
    auto ids = v.add_people(jsons);
    if (!ids) fail(ids.status(), "cannot import the register; nothing was imported");
    if (!globals().quiet) std::cerr << "fieldnotes: imported " << ids->size() << " people\n";
  });
}

}  // namespace

void register_person(CLI::App& app) {
  auto* person = app.add_subcommand("person", "the identity register (people redacted from exports)");
  person->require_subcommand(1);

  auto a = std::make_shared<AddOptions>();
  auto* ac = person->add_subcommand("add", "add a person; prints the id");
  ac->add_option("name", a->name, "full name")->required();
  add_field_options(ac, a->f);
  ac->callback([a] { run_add(*a); });

  person->add_subcommand("list", "list the register")->callback(run_list);

  auto s = std::make_shared<WhoOptions>();
  auto* sc = person->add_subcommand("show", "print one entry");
  sc->add_option("who", s->who, "id or exact name")->required();
  sc->callback([s] { run_show(*s); });

  auto e = std::make_shared<WhoOptions>();
  auto* ec = person->add_subcommand("edit", "change an entry (each option replaces that field)");
  ec->add_option("who", e->who, "id or exact name")->required();
  ec->add_option("--name", e->f.name, "new name");
  add_field_options(ec, e->f);
  ec->callback([e] { run_edit(*e); });

  auto r = std::make_shared<WhoOptions>();
  auto* rc = person->add_subcommand("rm", "remove a person (crypto-shredded)");
  rc->add_option("who", r->who, "id or exact name")->required();
  rc->add_flag("-y,--yes", r->yes, "do not ask");
  rc->callback([r] { run_rm(*r); });

  auto i = std::make_shared<ImportOptions>();
  auto* ic = person->add_subcommand("import", "add the entries of a JSON array file, all or none");
  ic->add_option("file", i->file, "JSON file")->required();
  ic->callback([i] { run_import(*i); });
}

}  // namespace fieldnotes::cli
