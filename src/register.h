// The identity register's JSON form (DESIGN.md, "Identity register and redaction"):
// parsing with limits, validation, and the canonical form stored sealed in the vault.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "src/redact/engine.h"

namespace fieldnotes::core {

constexpr std::size_t kMaxRegisterFileBytes = 16u << 20;
constexpr std::size_t kMaxRegisterEntries = 100000;
constexpr std::size_t kMaxFieldBytes = 1024;
constexpr std::size_t kMaxListItems = 256;

// Parses a JSON array of entries. Refuses (kInvalidInput, naming the entry and field)
// anything else: not an array, unknown keys, wrong types, empty names, bad roles, sizes over
// the limits, invalid UTF-8.
Result<std::vector<redact::PersonEntry>> parse_register(std::string_view json_text);
// Parses one entry object (as stored in the vault).
Result<redact::PersonEntry> parse_person(std::string_view json_object);
// The canonical JSON object of an entry.
// kInvalidInput (never an exception) when a name, alias or other field is not valid UTF-8.
Result<std::string> person_to_json(const redact::PersonEntry& p);

const char* disclose_name(redact::Disclose d);
bool is_valid_role(std::string_view role);

}  // namespace fieldnotes::core
