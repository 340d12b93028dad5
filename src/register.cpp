#include "src/register.h"

#include <nlohmann/json.hpp>

#include "src/strings.h"

namespace fieldnotes::core {

using json = nlohmann::json;
using redact::Disclose;
using redact::PersonEntry;

namespace {

constexpr const char* kRoles[] = {"client", "relative", "witness", "lawyer", "official", "other"};

Status bad(std::size_t index, const std::string& what) {
  return {Code::kInvalidInput, "register entry " + std::to_string(index + 1) + ": " + what};
}

Status read_string(const json& j, std::size_t index, const char* key, std::string* out) {
  if (!j.is_string()) return bad(index, std::string("\"") + key + "\" must be a string");
  const auto& s = j.get_ref<const std::string&>();
  if (s.size() > kMaxFieldBytes) return bad(index, std::string("\"") + key + "\" is too long");
  *out = s;
  return Status::ok();
}

Status read_list(const json& j, std::size_t index, const char* key, std::vector<std::string>* out) {
  if (!j.is_array()) return bad(index, std::string("\"") + key + "\" must be an array of strings");
  if (j.size() > kMaxListItems) return bad(index, std::string("\"") + key + "\" has too many items");
  for (const auto& item : j) {
    std::string s;
    FN_RETURN_IF_ERROR(read_string(item, index, key, &s));
    if (!s.empty()) out->push_back(std::move(s));
  }
  return Status::ok();
}

Result<PersonEntry> from_json(const json& j, std::size_t index) {
  if (!j.is_object()) return bad(index, "must be an object");
  PersonEntry p;
  p.role = "other";
  bool have_name = false;
  for (auto it = j.begin(); it != j.end(); ++it) {
    const std::string& k = it.key();
    const json& v = it.value();
    if (k == "name") {
      FN_RETURN_IF_ERROR(read_string(v, index, "name", &p.name));
      have_name = true;
    } else if (k == "aliases") {
      FN_RETURN_IF_ERROR(read_list(v, index, "aliases", &p.aliases));
    } else if (k == "role") {
      FN_RETURN_IF_ERROR(read_string(v, index, "role", &p.role));
      if (!is_valid_role(p.role))
        return bad(index, "unknown role (use client, relative, witness, lawyer, official or other)");
    } else if (k == "phones") {
      FN_RETURN_IF_ERROR(read_list(v, index, "phones", &p.phones));
    } else if (k == "emails") {
      FN_RETURN_IF_ERROR(read_list(v, index, "emails", &p.emails));
    } else if (k == "handles") {
      FN_RETURN_IF_ERROR(read_list(v, index, "handles", &p.handles));
    } else if (k == "identifiers") {
      FN_RETURN_IF_ERROR(read_list(v, index, "identifiers", &p.identifiers));
    } else if (k == "addresses") {
      FN_RETURN_IF_ERROR(read_list(v, index, "addresses", &p.addresses));
    } else if (k == "pseudonym") {
      FN_RETURN_IF_ERROR(read_string(v, index, "pseudonym", &p.pseudonym));
    } else if (k == "disclose") {
      if (v.is_boolean()) {
        p.disclose = v.get<bool>() ? Disclose::kPublic : Disclose::kNever;
      } else if (v.is_string() && v == "never") {
        p.disclose = Disclose::kNever;
      } else if (v.is_string() && v == "co-counsel") {
        p.disclose = Disclose::kCoCounsel;
      } else if (v.is_string() && v == "public") {
        p.disclose = Disclose::kPublic;
      } else {
        return bad(index, "\"disclose\" must be true, false, \"never\", \"co-counsel\" or \"public\"");
      }
    } else {
      return bad(index, "unknown field \"" + k.substr(0, 40) + "\"");
    }
  }
  if (!have_name) return bad(index, "\"name\" is required");
  if (trim(p.name).empty()) return bad(index, "\"name\" is empty");
  return p;
}

}  // namespace

bool is_valid_role(std::string_view role) {
  for (const char* r : kRoles)
    if (role == r) return true;
  return false;
}

const char* disclose_name(Disclose d) {
  switch (d) {
    case Disclose::kNever: return "never";
    case Disclose::kCoCounsel: return "co-counsel";
    case Disclose::kPublic: return "public";
  }
  return "never";
}

Result<std::vector<PersonEntry>> parse_register(std::string_view text) {
  if (text.size() > kMaxRegisterFileBytes) return Status{Code::kInvalidInput, "the register file is larger than 16 MiB"};
  if (!is_valid_utf8(text)) return Status{Code::kInvalidInput, "the register file is not valid UTF-8"};
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return Status{Code::kInvalidInput, "the register file is not valid JSON"};
  if (!j.is_array()) return Status{Code::kInvalidInput, "the register file must be a JSON array of entries"};
  if (j.size() > kMaxRegisterEntries) return Status{Code::kInvalidInput, "the register file has more than 100000 entries"};
  std::vector<PersonEntry> out;
  out.reserve(j.size());
  for (std::size_t i = 0; i < j.size(); ++i) {
    auto p = from_json(j[i], i);
    if (!p) return p.status();
    out.push_back(std::move(p).value());
  }
  return out;
}

Result<PersonEntry> parse_person(std::string_view text) {
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded()) return Status{Code::kCorrupt, "a register entry is not valid JSON"};
  return from_json(j, 0);
}

Result<std::string> person_to_json(const PersonEntry& p) {
  json j = {{"name", p.name}, {"role", p.role}};
  auto put = [&](const char* k, const std::vector<std::string>& v) {
    if (!v.empty()) j[k] = v;
  };
  put("aliases", p.aliases);
  put("phones", p.phones);
  put("emails", p.emails);
  put("handles", p.handles);
  put("identifiers", p.identifiers);
  put("addresses", p.addresses);
  j["disclose"] = disclose_name(p.disclose);
  if (!p.pseudonym.empty()) j["pseudonym"] = p.pseudonym;
  try {
    return j.dump();
  } catch (const json::exception&) {
    return Status{Code::kInvalidInput, "a name, alias or other field given is not valid UTF-8"};
  }
}

}  // namespace fieldnotes::core
