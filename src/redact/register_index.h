// The compiled identity register: every case form, transliteration, diminutive and likely
// typo of each registered name, indexed by comparison key, and the register's phones, e-mails,
// handles, identifiers and addresses in the forms the matchers look up. Built once by
// Engine::compile; immutable afterwards (shared between sessions and threads).
// See docs/REDACTION.md, "Register".
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "src/redact/engine.h"
#include "src/redact/patterns.h"
#include "src/redact/spelling_hash.h"

namespace fieldnotes::redact {

// The parts of a name, in the order a full Russian name gives them.
enum Part : std::uint8_t { kGiven = 0, kPatronymic = 1, kFamily = 2, kPartCount = 3 };

// Surname keys this long or longer are also matched with one letter missing, extra or changed.
constexpr std::size_t kTypoMinKey = 7;

struct RegisterIndex {
  struct Person {
    std::string role;
    std::string pseudonym;
    Disclose disclose = Disclose::kNever;
    // Base keys of each part (every variant), for initials.
    std::array<std::vector<std::string>, kPartCount> bases;
    std::array<bool, kPartCount> has{};
  };
  // One register person a comparison key can name, and as which part of the name.
  struct Hit {
    std::uint32_t person;
    Part part;
    bool primary;  // a form of the person's own gender: preferred when a word fits several people
                   // of a family
  };
  // An identifier or address in compact form (letters and digits only, see text::compact).
  struct Compact {
    std::u32string text;
    std::uint32_t person;
    patterns::Kind kind;
  };
  static constexpr std::size_t kCompactPrefix = 5;

  // Builds the index of `people` (Engine::compile). Bad entries are ignored, never fatal.
  static RegisterIndex build(const std::vector<PersonEntry>& people);

  RegisterIndex() = default;
  RegisterIndex(RegisterIndex&&) = default;
  RegisterIndex& operator=(RegisterIndex&&) = default;
  RegisterIndex(const RegisterIndex&) = delete;
  RegisterIndex& operator=(const RegisterIndex&) = delete;
  ~RegisterIndex();  // wipes every name, form and identifier it holds

  std::vector<Person> people;
  // Key of every form of every name part -> the people it names, sorted by person, then part.
  std::unordered_map<std::string, std::vector<Hit>> forms;
  std::unordered_map<std::string, std::vector<Hit>> typo;  // one-deletion variants of long surname keys
  // First two bytes of every key a typo can be compared with: a cheap filter that spares most
  // words the one-deletion look-ups.
  std::unordered_set<std::uint16_t> typo_prefixes;
  static std::uint16_t prefix2(std::string_view k) {
    return k.size() < 2 ? 0 : static_cast<std::uint16_t>(static_cast<unsigned char>(k[0]) << 8 | static_cast<unsigned char>(k[1]));
  }
  std::unordered_map<std::string, std::uint32_t> phones;   // normalised digits
  std::unordered_map<std::string, std::uint32_t> emails;   // lower-case
  std::unordered_map<std::string, std::uint32_t> handles;  // lower-case, without '@'
  std::vector<Compact> compacts;
  std::unordered_map<std::u32string, std::vector<std::uint32_t>> compact_by_prefix;  // first 5 chars
  // First key letters of initials-only mentions ("S.K.", "Н.В.", "Е.К.Л.") -> persons.
  std::unordered_map<std::string, std::vector<std::uint32_t>> initials;

  // Lower-case Cyrillic spellings that are matched even without a capital ("дима сказал",
  // "у лобановых"): nominatives of given names and diminutives that are not ordinary words,
  // and surname forms of six letters or more. Surface -> key. Inflected first names are left
  // out on purpose: their forms collide with common words (коли, кати, марка).
  std::unordered_map<std::string, std::string, SpellingHasher, std::equal_to<>> lower_surfaces;
  // Whether `surface` may be one of lower_surfaces: a bit per 64-bit hash of the whole
  // spelling, sized to 16-32 bits per spelling (at least 2^16 bits), so that almost every
  // lower-case word costs one hash over its bytes and one bit test, with no string and no
  // hash-map look-up, whatever the size of the register.
  bool lower_filter_test(std::string_view surface) const {
    const std::uint64_t slot = spelling_hash(surface) & lower_filter_mask;
    return (lower_filter[slot >> 6] >> (slot & 63)) & 1;
  }

 private:
  enum Gender { kUnknownGender, kMale, kFemale };
  // Keys of every form of a given name with its variants and diminutives, computed once per
  // distinct name (a register of 10,000 people has a few hundred distinct given names).
  struct GivenKeys {
    std::vector<std::string> bases;
    std::vector<std::string> forms;
  };

  void add_entry(const PersonEntry& entry);
  void add_name(std::uint32_t p, std::string_view name, bool alias);
  void add_given(std::uint32_t p, const std::u32string& name);
  void add_patronymic(std::uint32_t p, const std::u32string& name);
  void add_family(std::uint32_t p, const std::u32string& name, Gender gender);
  void add_form(const std::u32string& form, std::uint32_t person, Part part, bool primary);
  void add_typos(const std::u32string& form, std::uint32_t person);
  void add_lower_surface(const std::u32string& w);
  void add_compact(std::string_view s, std::uint32_t p, patterns::Kind kind);
  void index_initials(std::uint32_t p);
  const GivenKeys& given_keys(const std::u32string& name);
  void build_lower_filter();
  void finish();

  std::vector<std::uint64_t> lower_filter = std::vector<std::uint64_t>(1, 0);
  std::uint64_t lower_filter_mask = 63;
  std::unordered_map<std::string, GivenKeys> given_cache;
};

}  // namespace fieldnotes::redact
