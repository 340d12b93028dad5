#include "src/export.h"

#include <ctime>

#include <nlohmann/json.hpp>

#include "src/register.h"
#include "src/strings.h"

namespace fieldnotes::core {

namespace {

std::string date_of(int64_t t) { return iso_time(t).substr(0, 10); }

}  // namespace

std::string render_export(const std::vector<vault::Record>& records, ExportFormat format,
                          redact::Session* session) {
  auto clean = [&](const std::string& s) { return session ? session->redact(s) : s; };
  if (format == ExportFormat::kJson) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& r : records) {
      nlohmann::json tags = nlohmann::json::array(), people = nlohmann::json::array();
      for (const auto& t : r.header.tags) tags.push_back(clean(t));
      for (const auto& p : r.header.people) people.push_back(clean(p));
      out.push_back({{"id", r.id}, {"title", clean(r.header.title)}, {"case", clean(r.header.case_name)},
                     {"tags", tags}, {"people", people}, {"date", date_of(r.header.created)},
                     {"redacted", session != nullptr}, {"body", clean(r.body)}});
    }
    return out.dump(2) + "\n";
  }
  std::string o;
  bool md = format == ExportFormat::kMarkdown;
  for (std::size_t i = 0; i < records.size(); ++i) {
    const auto& r = records[i];
    if (i > 0) o += md ? "\n---\n\n" : "\n\n";
    o += (md ? "# " : "") + clean(r.header.title) + "\n\n";
    o += (md ? "- date: " : "date: ") + date_of(r.header.created) + "\n";
    if (!r.header.case_name.empty()) o += (md ? "- case: " : "case: ") + clean(r.header.case_name) + "\n";
    if (!r.header.tags.empty()) {
      o += md ? "- tags:" : "tags:";
      for (const auto& t : r.header.tags) o += " " + clean(t);
      o += "\n";
    }
    if (!r.header.people.empty()) {
      o += md ? "- people:" : "people:";
      for (const auto& p : r.header.people) o += " " + clean(p) + ";";
      o += "\n";
    }
    o += "\n" + clean(r.body);
    if (o.empty() || o.back() != '\n') o += "\n";
  }
  return o;
}

Result<std::vector<redact::PersonEntry>> load_register(vault::Vault& v) {
  auto people = v.people();
  if (!people) return people.status();
  std::vector<redact::PersonEntry> out;
  out.reserve(people->size());
  for (const auto& p : *people) {
    auto e = parse_person(p.json);
    if (!e) return e.status();
    out.push_back(std::move(e).value());
  }
  return out;
}

}  // namespace fieldnotes::core
