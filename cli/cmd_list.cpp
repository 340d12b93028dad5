// fieldnotes list [--case C] [--tag X] [--json]
// fieldnotes show ID [--json]
#include <ctime>
#include <map>
#include <iostream>

#include <nlohmann/json.hpp>

#include "cli/common.h"
#include "src/strings.h"

namespace fieldnotes::cli {

using json = nlohmann::json;

namespace {

using core::iso_time;

json attachment_json(const vault::AttachmentInfo& a) {
  return {{"id", a.id}, {"name", a.name}, {"type", a.type}, {"size", a.size}};
}

json header_json(const vault::Record& r) {
  return {{"id", r.id}, {"uuid", r.uuid}, {"title", r.header.title}, {"case", r.header.case_name},
          {"tags", r.header.tags}, {"people", r.header.people}, {"kind", r.header.kind},
          {"created", iso_time(r.header.created)}, {"updated", iso_time(r.header.updated)},
          {"sender", r.header.sender}, {"verification", r.header.verification}};
}

void print_line(const vault::Record& r) {
  std::cout << r.id << "\t" << iso_time(r.header.created).substr(0, 10) << "\t" << r.header.title;
  if (!r.header.case_name.empty()) std::cout << "\t[" << r.header.case_name << "]";
  std::cout << "\n";
}

struct ListOptions {
  std::string case_name;
  std::string tag;
};

void run_list(const ListOptions& o) {
  with_unlocked_vault([&](vault::Vault& v) {
    json out = json::array();
    std::map<int64_t, json> atts;
    if (globals().json) {
      auto all = v.attachments(0);
      if (!all) fail(all.status(), "cannot read the attachments");
      for (const auto& a : *all) {
        if (!atts.count(a.record_id)) atts[a.record_id] = json::array();
        atts[a.record_id].push_back(attachment_json(a));
      }
    }
    Status st = v.for_each_record(false, [&](const vault::Record& r) {
      if (!o.case_name.empty() && r.header.case_name != o.case_name) return true;
      if (!o.tag.empty() && std::find(r.header.tags.begin(), r.header.tags.end(), o.tag) == r.header.tags.end())
        return true;
      if (globals().json) {
        json j = header_json(r);
        j["attachments"] = atts.count(r.id) ? atts[r.id] : json::array();
        out.push_back(j);
      }
      else print_line(r);
      return true;
    });
    if (!st) fail(st, "cannot list the records");
    if (globals().json) std::cout << out.dump(2) << "\n";
  });
}

struct ShowOptions {
  std::string id;
};

void run_show(const ShowOptions& o) {
  int64_t id = parse_record_id(o.id);
  with_unlocked_vault([&](vault::Vault& v) {
    auto r = v.get_record(id);
    if (!r) fail(r.status(), "cannot show record " + o.id);
    auto atts = v.attachments(id);
    if (!atts) fail(atts.status(), "cannot read the attachments of record " + o.id);
    if (globals().json) {
      json j = header_json(*r);
      j["attachments"] = json::array();
      for (const auto& a : *atts) j["attachments"].push_back(attachment_json(a));
      j["body"] = r->body;
      std::string s = j.dump(2);
      std::cout << s << "\n";
      crypto::wipe(s);
      return;
    }
    std::cout << "# " << r->header.title << "\n\n"
              << "id: " << r->id << "\n"
              << "created: " << iso_time(r->header.created) << "\n"
              << "updated: " << iso_time(r->header.updated) << "\n";
    if (!r->header.case_name.empty()) std::cout << "case: " << r->header.case_name << "\n";
    if (!r->header.sender.empty())
      std::cout << "received from: " << r->header.sender << " (" << r->header.verification << ")\n";
    if (!r->header.tags.empty()) {
      std::cout << "tags:";
      for (const auto& t : r->header.tags) std::cout << " " << t;
      std::cout << "\n";
    }
    if (!r->header.people.empty()) {
      std::cout << "people:";
      for (const auto& p : r->header.people) std::cout << " " << p << ";";
      std::cout << "\n";
    }
    for (const auto& a : *atts)
      std::cout << "attachment " << a.id << ": " << a.name << " (" << a.type << ", " << a.size << " bytes)\n";
    const std::string_view body = r->body;
    std::cout << "\n" << body;
    if (!body.empty() && body.back() != '\n') std::cout << "\n";
  });
}

}  // namespace

void register_list(CLI::App& app) {
  auto l = std::make_shared<ListOptions>();
  auto* lc = app.add_subcommand("list", "list records (id, date, title)");
  lc->add_option("--case", l->case_name, "only this case");
  lc->add_option("--tag", l->tag, "only records with this tag");
  lc->callback([l] { run_list(*l); });

  auto s = std::make_shared<ShowOptions>();
  auto* sc = app.add_subcommand("show", "print one record");
  sc->add_option("id", s->id, "record id")->required();
  sc->callback([s] { run_show(*s); });
}

}  // namespace fieldnotes::cli
