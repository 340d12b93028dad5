// Word lists shipped with the engine (given names and their diminutives in Russian,
// Ukrainian and English; places; words that are never names; ranks, titles and call-sign
// cues), compiled once per process into hash sets keyed by the comparison key.
// The lists live in data/*.inc and are embedded in the binary.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace fieldnotes::redact {

struct Gazetteer {
  // Comparison key of every case form of every given name / diminutive -> its name group,
  // and the scripts the form was written in (a Latin-only name such as "Matt" must not make
  // the Cyrillic word "мать" a name). Keys shorter than 3 letters are left out.
  struct GivenEntry {
    std::uint32_t group = 0;
    bool cyrillic = false;
    bool latin = false;
  };
  std::unordered_map<std::string, GivenEntry> given;
  // The given-name entry for a word of the given script, or nullptr.
  const GivenEntry* given_name(const std::string& key, bool latin_word) const {
    auto it = given.find(key);
    if (it == given.end()) return nullptr;
    if (!latin_word && !it->second.cyrillic) return nullptr;
    return &it->second;
  }
  // Keys of forms that are also ordinary words (Надежда, Роман, May...).
  std::unordered_set<std::string> ambiguous;
  // Name groups: the variants (lower-case, as written in the list) of one name.
  std::vector<std::vector<std::u32string>> groups;
  // Base key of each variant -> every group it belongs to (Слава: Вячеслав and Ярослав).
  std::unordered_map<std::string, std::vector<std::uint32_t>> groups_of;
  std::unordered_set<std::string> places;     // keys of place names in all case forms
  std::unordered_set<std::string> non_names;  // keys of capitalised words that are never names
  std::unordered_set<std::string> makers;     // car makes ('+' in non_names.inc), with case forms
  std::unordered_set<std::string> models;     // car models ('^'): kept right after a make
  std::unordered_set<std::string> titles;     // keys of ranks and titles (with case forms)
  std::unordered_set<std::string> callsign_cues;

  // The process-wide instance (built on first use; immutable afterwards, thread-safe).
  static const Gazetteer& get();
};

}  // namespace fieldnotes::redact
