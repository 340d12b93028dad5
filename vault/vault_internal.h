// Helpers shared by the files of the Vault class (vault/*.cpp only; not part of the API).
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/status.h"
#include "crypto/secret.h"
#include "vault/vault.h"
#include "vault/wipe_json.h"

namespace fieldnotes::vault {

namespace internal {

using json = nlohmann::json;

// Takes the vault's lock (flock on `dir`/lock, waiting up to 10 s for another command):
// the descriptor to close, or kLocked.
Result<int> take_lock(const std::filesystem::path& dir);
using crypto::SecretBuffer;

inline int64_t now_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch()).count();
}

inline std::string to_hex(std::span<const uint8_t> b) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string s;
  s.reserve(b.size() * 2);
  for (uint8_t c : b) {
    s.push_back(kHex[c >> 4]);
    s.push_back(kHex[c & 15]);
  }
  return s;
}

inline std::string new_uuid() {
  std::array<uint8_t, 16> b;
  crypto::random_bytes(b);
  return to_hex(b);
}

inline void append(std::vector<uint8_t>& v, std::string_view s) { v.insert(v.end(), s.begin(), s.end()); }
inline void append_u32(std::vector<uint8_t>& v, uint32_t x) {
  for (int i = 0; i < 4; ++i) v.push_back(static_cast<uint8_t>(x >> (8 * i)));
}
inline void append_u64(std::vector<uint8_t>& v, uint64_t x) {
  for (int i = 0; i < 8; ++i) v.push_back(static_cast<uint8_t>(x >> (8 * i)));
}

inline std::span<const uint8_t> as_bytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

// JSON text of `j`; kInvalidInput (never an exception) when a string in it is not UTF-8.
inline Result<std::string> json_text(const json& j) {
  try {
    return j.dump();
  } catch (const json::exception&) {
    return Status{Code::kInvalidInput, "a title, name or other text given is not valid UTF-8"};
  }
}

// Reads fields of authenticated JSON without letting a type mismatch throw out of the core.
template <typename T>
T json_field(const json& j, const char* key, T fallback) {
  try {
    return j.value(key, fallback);
  } catch (const json::exception&) {
    return fallback;
  }
}

inline Result<std::string> header_to_json(const RecordHeader& h) {
  json j = {{"title", h.title}, {"case", h.case_name}, {"tags", h.tags}, {"people", h.people},
            {"kind", h.kind}, {"created", h.created}, {"updated", h.updated}};
  if (!h.sender.empty()) j["sender"] = h.sender;
  if (!h.verification.empty()) j["verification"] = h.verification;
  auto text = json_text(j);
  wipe_json(j);
  return text;
}

inline Result<RecordHeader> header_from_json(std::string_view s) {
  json j = json::parse(s, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return Status{Code::kCorrupt, "record header is malformed"};
  RecordHeader h;
  try {
    h.title = j.value("title", "");
    h.case_name = j.value("case", "");
    h.tags = j.value("tags", std::vector<std::string>{});
    h.people = j.value("people", std::vector<std::string>{});
    h.kind = j.value("kind", "note");
    h.created = j.value("created", int64_t{0});
    h.updated = j.value("updated", int64_t{0});
    h.sender = j.value("sender", "");
    h.verification = j.value("verification", "");
  } catch (const json::exception&) {
    wipe_json(j);
    return Status{Code::kCorrupt, "record header is malformed"};
  }
  wipe_json(j);
  return h;
}


}  // namespace internal
}  // namespace fieldnotes::vault
