#include "src/export.h"

#include <ctime>

#include <nlohmann/json.hpp>

#include "crypto/secret.h"
#include "src/register.h"
#include "vault/wipe_json.h"
#include "src/strings.h"

namespace fieldnotes::core {

namespace {

std::string date_of(int64_t t) { return iso_time(t).substr(0, 10); }

// Appends `text` as it leaves: redacted through `session`, or whole when there is none.
// Every intermediate copy of testimony is wiped.
void put(Plaintext& out, std::string_view text, redact::Session* session) {
  if (session == nullptr) {
    out.append(text);
    return;
  }
  std::string redacted = session->redact(text);
  out.append(redacted);
  crypto::wipe(redacted);
}

// The JSON form: one object per record. The DOM's strings are wiped before it is freed.
Plaintext render_json(const std::vector<vault::Record>& records, redact::Session* session) {
  auto clean = [&](std::string_view s) {
    Plaintext p;
    put(p, s, session);
    return std::string(p.view());
  };
  nlohmann::json out = nlohmann::json::array();
  for (const auto& r : records) {
    nlohmann::json tags = nlohmann::json::array(), people = nlohmann::json::array();
    for (const auto& t : r.header.tags) tags.push_back(clean(t));
    for (const auto& p : r.header.people) people.push_back(clean(p));
    out.push_back({{"id", r.id}, {"title", clean(r.header.title)}, {"case", clean(r.header.case_name)},
                   {"tags", tags}, {"people", people}, {"date", date_of(r.header.created)},
                   {"redacted", session != nullptr}, {"body", clean(r.body)}});
  }
  std::string text = out.dump(2) + "\n";
  Plaintext rendered(text);
  crypto::wipe(text);
  vault::wipe_json(out);
  return rendered;
}

}  // namespace

Plaintext render_export(const std::vector<vault::Record>& records, ExportFormat format,
                        redact::Session* session) {
  if (format == ExportFormat::kJson) return render_json(records, session);
  Plaintext o;
  const bool md = format == ExportFormat::kMarkdown;
  auto field = [&](std::string_view label, std::string_view value) {
    o.append(md ? "- " : "");
    o.append(label);
    o.append(": ");
    put(o, value, session);
    o.append("\n");
  };
  for (std::size_t i = 0; i < records.size(); ++i) {
    const auto& r = records[i];
    if (i > 0) o.append(md ? "\n---\n\n" : "\n\n");
    o.append(md ? "# " : "");
    put(o, r.header.title, session);
    o.append("\n\n");
    o.append(md ? "- date: " : "date: ");
    o.append(date_of(r.header.created));
    o.append("\n");
    if (!r.header.case_name.empty()) field("case", r.header.case_name);
    if (!r.header.tags.empty()) {
      o.append(md ? "- tags:" : "tags:");
      for (const auto& t : r.header.tags) {
        o.append(" ");
        put(o, t, session);
      }
      o.append("\n");
    }
    if (!r.header.people.empty()) {
      o.append(md ? "- people:" : "people:");
      for (const auto& p : r.header.people) {
        o.append(" ");
        put(o, p, session);
        o.append(";");
      }
      o.append("\n");
    }
    o.append("\n");
    put(o, r.body, session);
    if (o.empty() || o.view().back() != '\n') o.append("\n");
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
