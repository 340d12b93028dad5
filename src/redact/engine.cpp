#include "src/redact/engine.h"

#include <unicode/normalizer2.h>
#include <unicode/unistr.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <deque>
#include <map>
#include <unordered_map>
#include <unordered_set>

#include "src/redact/gazetteer.h"
#include "src/redact/morphology.h"
#include "src/redact/patterns.h"
#include "src/redact/text.h"

namespace fieldnotes::redact {

namespace {

using patterns::Kind;

enum Part : std::uint8_t { kGiven = 0, kPatronymic = 1, kFamily = 2, kPartCount = 3 };

constexpr std::size_t kMaxWordCodePoints = 48;
constexpr std::size_t kTypoMinKey = 7;
constexpr std::size_t kMaxLearnedForms = 500'000;  // per Session (about 50 MB at most)

std::string nfc(std::string_view s) {
  UErrorCode err = U_ZERO_ERROR;
  const icu::Normalizer2* n = icu::Normalizer2::getNFCInstance(err);
  if (U_FAILURE(err)) return std::string(s);
  icu::UnicodeString u = icu::UnicodeString::fromUTF8(icu::StringPiece(s.data(), static_cast<int32_t>(s.size())));
  icu::UnicodeString out = n->normalize(u, err);
  if (U_FAILURE(err)) return std::string(s);
  std::string r;
  out.toUTF8String(r);
  return r;
}

bool has_cyrillic(std::u32string_view w) {
  for (char32_t c : w)
    if (text::is_cyrillic(c)) return true;
  return false;
}

// Compact form for identifiers and addresses: letters and digits only, lower-case,
// Cyrillic look-alikes read as Latin ("АК 4819275" = "ak4819275").
char32_t compact_fold(char32_t c) {
  c = text::to_lower(c);
  switch (c) {
    case U'а': return 'a'; case U'в': return 'b'; case U'е': return 'e'; case U'ё': return 'e';
    case U'к': return 'k'; case U'м': return 'm'; case U'н': return 'h'; case U'о': return 'o';
    case U'р': return 'p'; case U'с': return 'c'; case U'т': return 't'; case U'у': return 'y';
    case U'х': return 'x'; case U'і': return 'i';
    default: return c;
  }
}

std::u32string compact(std::string_view s) {
  std::u32string out;
  std::size_t i = 0;
  while (i < s.size()) {
    char32_t c = text::next_code_point(s, i);
    if ((c >= '0' && c <= '9') || (text::is_letter(c) && !text::is_combining(c))) out.push_back(compact_fold(c));
  }
  return out;
}

std::string lower_ascii(std::string s) {
  for (auto& c : s)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  return s;
}

const char* role_label(const std::string& role) {
  const std::string r = lower_ascii(role);
  if (r == "client") return "Client";
  if (r == "relative") return "Relative";
  if (r == "witness") return "Witness";
  if (r == "lawyer") return "Lawyer";
  if (r == "official") return "Official";
  return "Person";
}

}  // namespace

// ----- Compiled register ------------------------------------------------------------------

struct Engine::Impl {
  struct Person {
    std::string role;
    std::string pseudonym;
    Disclose disclose = Disclose::kNever;
    // Base keys of each part (every variant), for initials.
    std::array<std::vector<std::string>, kPartCount> bases;
    std::array<bool, kPartCount> has{};
  };
  struct Hit {
    std::uint32_t person;
    Part part;
    bool primary;  // a form of the person's own gender: preferred when a word fits several people
                   // of a family
  };
  std::vector<Person> people;
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
  struct Compact {
    std::u32string text;
    std::uint32_t person;
    Kind kind;
  };
  std::vector<Compact> compacts;
  // First key letters of initials-only mentions ("S.K.", "Н.В.", "Е.К.Л.") -> persons.
  std::unordered_map<std::string, std::vector<std::uint32_t>> initials;

  void index_initials(std::uint32_t p) {
    const auto& pr = people[p];
    auto firsts = [&](Part part) {
      std::string f;
      for (const auto& b : pr.bases[part])
        if (!b.empty() && f.find(b[0]) == std::string::npos) f.push_back(b[0]);
      return f;
    };
    const std::string g = firsts(kGiven), pa = firsts(kPatronymic), fa = firsts(kFamily);
    auto add = [&](const std::string& k) {
      auto& v = initials[k];
      if (std::find(v.begin(), v.end(), p) == v.end()) v.push_back(p);
    };
    for (char x : g) {
      for (char y : fa) { add({x, y}); add({y, x}); }
      for (char y : pa) {
        add({x, y});
        for (char z : fa) { add({x, y, z}); add({z, x, y}); }
      }
    }
  }
  static constexpr std::size_t kCompactPrefix = 5;
  std::unordered_map<std::u32string, std::vector<std::uint32_t>> compact_by_prefix;  // first 5 chars

  void add_form(const std::u32string& form, std::uint32_t person, Part part, bool primary) {
    const std::string k = text::key_of(form);
    if (k.size() < 2) return;
    // Duplicates are removed once at the end of compile() (a scan here would be quadratic
    // in the number of people sharing a name).
    forms[k].push_back({person, part, primary});
  }

  void add_typos(const std::u32string& form, std::uint32_t person) {
    const std::string k = text::key_of(form);
    if (k.size() < kTypoMinKey) return;
    for (std::size_t i = 0; i < k.size(); ++i) {
      std::string d = k.substr(0, i) + k.substr(i + 1);
      auto& v = typo[d];
      if (v.empty() || v.back().person != person) v.push_back({person, kFamily, true});
    }
  }

  // Lower-case Cyrillic spellings that are matched even without a capital ("дима сказал",
  // "у лобановых"): nominatives of given names and diminutives that are not ordinary words,
  // and surname forms of six letters or more. Surface -> key. Inflected first names are left
  // out on purpose: their forms collide with common words (коли, кати, марка).
  struct SvHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view v) const { return Engine::Impl::spelling_hash(v); }
  };
  std::unordered_map<std::string, std::string, SvHash, std::equal_to<>> lower_surfaces;
  // Filter in front of lower_surfaces: a bit per 64-bit hash of the whole spelling, sized at
  // the end of compile() to 16-32 bits per spelling (at least 2^16 bits), so that almost
  // every lower-case word costs one hash over its bytes and one bit test, with no string and
  // no hash-map look-up, whatever the size of the register.
  std::vector<std::uint64_t> lower_filter = std::vector<std::uint64_t>(1, 0);
  std::uint64_t lower_filter_mask = 63;

  static std::uint64_t spelling_hash(std::string_view w) {  // eight bytes per step, fixed-size loads only
    constexpr std::uint64_t kMul = 0x9E3779B97F4A7C15ULL;
    const auto* p = reinterpret_cast<const unsigned char*>(w.data());
    const std::size_t n = w.size();
    std::uint64_t h = 0xcbf29ce484222325ULL ^ (n * kMul);
    std::uint64_t v = 0;
    if (n >= 8) {
      for (std::size_t i = 0; i + 8 < n; i += 8) {
        std::memcpy(&v, p + i, 8);
        h = (h ^ v) * kMul;
        h ^= h >> 32;
      }
      std::memcpy(&v, p + n - 8, 8);  // the last eight bytes (overlapping the previous block)
    } else if (n >= 4) {
      std::uint32_t a, b;
      std::memcpy(&a, p, 4);
      std::memcpy(&b, p + n - 4, 4);
      v = a | static_cast<std::uint64_t>(b) << 32;
    } else if (n > 0) {
      v = p[0] | static_cast<std::uint64_t>(p[n / 2]) << 8 | static_cast<std::uint64_t>(p[n - 1]) << 16;
    }
    h = (h ^ v) * kMul;
    return h ^ (h >> 29);
  }
  bool lower_filter_test(std::string_view w) const {
    const std::uint64_t slot = spelling_hash(w) & lower_filter_mask;
    return (lower_filter[slot >> 6] >> (slot & 63)) & 1;
  }
  void build_lower_filter() {
    std::size_t bits = std::size_t{1} << 16;
    while (bits < lower_surfaces.size() * 16 && bits < (std::size_t{1} << 28)) bits <<= 1;
    lower_filter.assign(bits / 64, 0);
    lower_filter_mask = bits - 1;
    for (const auto& [u, k] : lower_surfaces) {
      const std::uint64_t slot = spelling_hash(u) & lower_filter_mask;
      lower_filter[slot >> 6] |= std::uint64_t{1} << (slot & 63);
    }
  }

  void add_lower_surface(const std::u32string& w) {
    const auto& gz = Gazetteer::get();
    const std::string k = text::key_of(w);
    if (gz.places.count(k) || gz.non_names.count(k) || gz.titles.count(k)) return;
    std::u32string low = text::lower(w);
    for (int pass = 0; pass < 2; ++pass) {
      const std::string u = text::to_utf8(low);
      lower_surfaces.emplace(u, k);
      std::replace(low.begin(), low.end(), U'ё', U'е');
    }
  }

  // Keys of every form of a given name with its variants and diminutives, computed once per
  // distinct name (a register of 10,000 people has a few hundred distinct given names).
  struct GivenKeys {
    std::vector<std::string> bases;
    std::vector<std::string> forms;
  };
  std::unordered_map<std::string, GivenKeys> given_cache;

  const GivenKeys& given_keys(const std::u32string& name) {
    const std::string name_key = text::key_of(name);
    if (auto it = given_cache.find(name_key); it != given_cache.end()) return it->second;
    const auto& gz = Gazetteer::get();
    const std::u32string cyr = text::cyrillic_reading(name);
    std::vector<std::u32string> variants{name, cyr};
    auto it = gz.groups_of.find(name_key);
    if (it != gz.groups_of.end())
      for (auto g : it->second)
        for (const auto& v : gz.groups[g]) variants.push_back(v);
    // Productive diminutives of the short forms: Маша -> Машенька, Машка, Машуля;
    // Таня -> Танечка, Танька, Танюша; Дима -> Димочка, Димка, Димон.
    const std::size_t listed = variants.size();
    for (std::size_t k = 0; k < listed; ++k) {
      const std::u32string v = text::lower(variants[k]);
      if (v.size() < 3 || v.size() > 5 || !has_cyrillic(v)) continue;
      const std::u32string stem = v.substr(0, v.size() - 1);
      if (v.back() == U'я') {
        for (const char32_t* suf : {U"енька", U"ечка", U"ька", U"юша", U"юшка", U"юля", U"уся"}) variants.push_back(stem + suf);
      } else if (v.back() == U'а') {
        for (const char32_t* suf : {U"енька", U"ечка", U"очка", U"ка", U"уля", U"уся", U"уша", U"ушка", U"он", U"ун"})
          variants.push_back(stem + suf);
      }
    }
    GivenKeys gk;
    for (const auto& v : variants) {
      if (has_cyrillic(v) && v.size() >= 3 && !gz.ambiguous.count(text::key_of(v))) add_lower_surface(v);
      gk.bases.push_back(text::key_of(v));
      gk.forms.push_back(gk.bases.back());
      if (has_cyrillic(v) || v == cyr)
        for (const auto& f : morph::given_forms(has_cyrillic(v) ? v : cyr, true)) gk.forms.push_back(text::key_of(f));
    }
    for (auto* list : {&gk.bases, &gk.forms}) {
      std::sort(list->begin(), list->end());
      list->erase(std::unique(list->begin(), list->end()), list->end());
    }
    return given_cache.emplace(name_key, std::move(gk)).first->second;
  }

  void add_given(std::uint32_t p, const std::u32string& name) {
    const GivenKeys& gk = given_keys(name);
    auto& bases = people[p].bases[kGiven];
    bases.insert(bases.end(), gk.bases.begin(), gk.bases.end());
    for (const auto& k : gk.forms)
      if (k.size() >= 2) forms[k].push_back({p, kGiven, true});
    people[p].has[kGiven] = true;
  }

  void add_patronymic(std::uint32_t p, const std::u32string& name) {
    const std::u32string cyr = text::cyrillic_reading(name);
    people[p].bases[kPatronymic].push_back(text::key_of(name));
    add_form(name, p, kPatronymic, true);
    for (const auto& f : morph::patronymic_forms(cyr)) add_form(f, p, kPatronymic, true);
    people[p].has[kPatronymic] = true;
  }

  // `gender`: the person's, by the patronymic or given name (kUnknownGender when neither tells).
  enum Gender { kUnknownGender, kMale, kFemale };
  void add_family(std::uint32_t p, const std::u32string& name, Gender gender) {
    const std::u32string cyr = text::cyrillic_reading(name);
    people[p].bases[kFamily].push_back(text::key_of(name));
    std::vector<std::u32string> primary;
    add_form(name, p, kFamily, true);
    // A surname ending in a consonant or ь (Мельник, Ковальчук, Коваль) declines for a man and
    // not for a woman: its case forms ("Мельника") are the man's own forms, and a woman's only
    // as a last resort (still redacted, named after her when no man of the family fits).
    // (Only surnames declined as plain nouns: -ов/-ев/-ин and adjectival ones in -ий/-ой have
    // feminine forms of their own, which `primary` sorts by gender.)
    const auto ends_with = [&](std::u32string_view e) {
      return cyr.size() > e.size() && cyr.compare(cyr.size() - e.size(), e.size(), e) == 0;
    };
    const bool consonant = !cyr.empty() && std::u32string_view(U"аяеиоуыэюёй").find(cyr.back()) == std::u32string_view::npos &&
                           !ends_with(U"ов") && !ends_with(U"ев") && !ends_with(U"ёв") && !ends_with(U"ин") && !ends_with(U"ын");
    for (const auto& f : morph::surname_forms(cyr, &primary)) {
      add_form(f, p, kFamily, consonant && gender == kMale);
      if (f.size() >= 6) add_lower_surface(f);
    }
    if (!(consonant && gender == kFemale))
      for (const auto& f : primary) add_form(f, p, kFamily, true);
    // English plural and possessive plural: the Orekhovs.
    const std::string base = text::key_of(cyr);
    forms[base + "s"].push_back({p, kFamily, false});
    add_typos(cyr, p);
    for (const auto& f : primary) add_typos(f, p);
    people[p].has[kFamily] = true;
  }

  // Splits a name into parts: a patronymic by its shape, a given name by the gazetteer,
  // the rest family names. "Дмитрий Александрович Орехов", "Орехов Дмитрий", "Emma Whitcombe".
  void add_name(std::uint32_t p, std::string_view name, bool alias) {
    const auto& gz = Gazetteer::get();
    std::vector<std::u32string> words;
    std::u32string cur;
    for (char32_t c : text::to_u32(name)) {
      if (text::is_letter(c) || c == '\'' || c == 0x2019) {
        cur.push_back(c);
      } else if (!cur.empty()) {
        words.push_back(cur);
        cur.clear();
      }
    }
    if (!cur.empty()) words.push_back(cur);
    // One-letter parts are never matched alone.
    std::vector<std::u32string> w;
    for (auto& x : words)
      if (x.size() >= 2) w.push_back(text::lower(x));
    if (w.empty()) return;
    std::vector<int> kind(w.size(), -1);
    for (std::size_t i = 0; i < w.size(); ++i)
      if (morph::looks_like_patronymic(text::cyrillic_reading(w[i])) && w.size() > 1) kind[i] = kPatronymic;
    auto is_given = [&](const std::u32string& x) {
      bool lat = false;
      for (char32_t c : x) lat = lat || text::is_latin(c);
      return gz.given_name(text::key_of(x), lat) != nullptr && !gz.ambiguous.count(text::key_of(x));
    };
    std::vector<std::size_t> rest;
    for (std::size_t i = 0; i < w.size(); ++i)
      if (kind[i] < 0) rest.push_back(i);
    if (rest.size() == 1) {
      const std::size_t i = rest[0];
      if (w.size() == 1) kind[i] = (alias || is_given(w[i])) ? kGiven : kFamily;
      else kind[i] = is_given(w[i]) && !alias ? kGiven : (alias && is_given(w[i]) ? kGiven : kFamily);
      if (w.size() > 1 && kind[i] == kGiven) {
        // "Иван Петрович" without a surname is fine; nothing else to do.
      }
    } else if (rest.size() >= 2) {
      // Given name: a gazetteer word; prefer the word before a patronymic.
      int given = -1;
      for (std::size_t i : rest)
        if (i + 1 < w.size() && kind[i + 1] == kPatronymic) given = static_cast<int>(i);
      if (given < 0)
        for (std::size_t i : rest)
          if (is_given(w[i])) { given = static_cast<int>(i); break; }
      if (given < 0) {
        // Unknown names: "Family Given Patronymic" when a patronymic ends the name, else Given first.
        given = static_cast<int>(rest[0]);
      }
      for (std::size_t i : rest) kind[i] = static_cast<int>(i) == given ? kGiven : kFamily;
    }
    // Gender: by the patronymic (-овна, -ична, -івна... or -ович, -ич), else by the given name:
    // in -а/-я a woman's unless it is a man's (Никита, Илья, Микола...), else a man's.
    Gender gender = kUnknownGender;
    for (std::size_t i = 0; i < w.size(); ++i) {
      const std::u32string cyr = text::cyrillic_reading(w[i]);
      if (cyr.size() < 2) continue;
      if (kind[i] == kPatronymic) {
        gender = cyr.compare(cyr.size() - 2, 2, U"на") == 0 ? kFemale : kMale;
        break;
      }
      if (kind[i] == kGiven) {
        static const std::u32string_view kMen[] = {U"никита", U"илья", U"ілля", U"фома", U"лука", U"кузьма", U"савва",
                                                   U"данила", U"микола", U"мыкола", U"гаврила", U"иона", U"добрыня"};
        const bool a_ending = cyr.back() == U'а' || cyr.back() == U'я';
        gender = a_ending && std::find(std::begin(kMen), std::end(kMen), cyr) == std::end(kMen) ? kFemale : kMale;
      }
    }
    for (std::size_t i = 0; i < w.size(); ++i) {
      if (kind[i] == kGiven) add_given(p, w[i]);
      else if (kind[i] == kPatronymic) add_patronymic(p, w[i]);
      else add_family(p, w[i], gender);
    }
  }

  void add_compact(std::string_view s, std::uint32_t p, Kind kind) {
    std::u32string c = compact(s);
    // Identifiers and addresses without a digit are not looked for (they would be found
    // only by a scan of the whole text; names in them are matched as names anyway).
    if (c.size() < 5 || c.find_first_of(U"0123456789") == std::u32string::npos) return;
    compact_by_prefix[c.substr(0, kCompactPrefix)].push_back(static_cast<std::uint32_t>(compacts.size()));
    compacts.push_back({std::move(c), p, kind});
  }
};

Engine::~Engine() = default;

std::shared_ptr<const Engine> Engine::compile(const std::vector<PersonEntry>& people) {
  std::shared_ptr<Engine> e(new Engine());
  e->impl_ = std::make_unique<Impl>();
  Impl& im = *e->impl_;
  (void)Gazetteer::get();
  for (const auto& entry : people) {
    bool changed = false;
    const std::string name = nfc(text::repair_utf8(entry.name, &changed));
    const auto p = static_cast<std::uint32_t>(im.people.size());
    Impl::Person person;
    person.role = entry.role;
    person.pseudonym = entry.pseudonym;
    person.disclose = entry.disclose;
    im.people.push_back(std::move(person));
    if (!name.empty()) im.add_name(p, name, false);
    for (const auto& a : entry.aliases) im.add_name(p, nfc(text::repair_utf8(a, &changed)), true);
    im.index_initials(p);
    for (const auto& ph : entry.phones) {
      const std::string d = patterns::phone_digits(ph);
      if (d.size() >= 6) im.phones.emplace(d, p);  // compared as digit strings, not compact text
    }
    for (const auto& em : entry.emails) {
      im.emails.emplace(lower_ascii(em), p);
      im.add_compact(em, p, Kind::kEmail);
    }
    for (const auto& h : entry.handles) {
      std::string x = lower_ascii(h);
      if (!x.empty() && x[0] == '@') x.erase(0, 1);
      if (!x.empty()) im.handles.emplace(x, p);
      im.add_compact(x, p, Kind::kHandle);
    }
    for (const auto& id : entry.identifiers) im.add_compact(nfc(text::repair_utf8(id, &changed)), p, Kind::kId);
    for (const auto& ad : entry.addresses) im.add_compact(nfc(text::repair_utf8(ad, &changed)), p, Kind::kAddress);
  }
  // Hits sorted by person: the matcher finds one person's parts by binary search.
  // Merged duplicates: one hit per (person, part), primary if any copy was.
  auto by_person_part = [](const Impl::Hit& a, const Impl::Hit& b) {
    return a.person != b.person ? a.person < b.person : a.part < b.part;
  };
  auto dedupe = [&](std::vector<Impl::Hit>& v) {
    std::sort(v.begin(), v.end(), by_person_part);
    std::size_t w = 0;
    for (std::size_t r = 0; r < v.size(); ++r) {
      if (w > 0 && v[w - 1].person == v[r].person && v[w - 1].part == v[r].part) {
        v[w - 1].primary = v[w - 1].primary || v[r].primary;
      } else {
        v[w++] = v[r];
      }
    }
    v.resize(w);
  };
  im.build_lower_filter();
  for (auto& [k, v] : im.forms) dedupe(v);
  for (auto& [k, v] : im.typo) dedupe(v);
  for (const auto& [k, v] : im.typo) im.typo_prefixes.insert(Impl::prefix2(k));
  for (const auto& [k, v] : im.forms)
    if (k.size() + 1 >= kTypoMinKey)
      for (const auto& h : v)
        if (h.part == kFamily) { im.typo_prefixes.insert(Impl::prefix2(k)); break; }
  return e;
}

// ----- Session ------------------------------------------------------------------------------

namespace {

// Everything the register and the word lists say about one key, computed on the key's first
// occurrence in a session (Session::State::key_info).
struct KeyInfo {
  const std::vector<Engine::Impl::Hit>* hits = nullptr;  // register forms or typo matches
  std::vector<Engine::Impl::Hit> typo;                   // storage of typo matches
  bool is_typo = false;
  bool non_name_place_title = false;  // gz.non_names, gz.places or gz.titles
  bool non_name = false;
  bool place = false;
  bool ambiguous = false;
  const Gazetteer::GivenEntry* given = nullptr;  // gz.given entry, any script
  // The session's learned surnames, as last looked up: the person number, or 0 when the key
  // was not among the first `learned_absent_at` learned forms (the table only grows).
  mutable int learned = 0;
  mutable std::size_t learned_absent_at = static_cast<std::size_t>(-1);
};

// Key and lower-case spelling of a token that has them (capitalised words, and lower-case
// words once a rule asks): kept apart from Token so that the token array, walked by every
// stage, stays small (most tokens are ordinary lower-case words and never need them).
struct TokText {
  std::string key;
  std::u32string low;
  // Shape of a capitalised word (read by tokenize; constant for a given spelling).
  bool cap = false, allcaps = false, latin = false, second_upper = false;
  std::size_t letters = 0;
  // The key's KeyInfo, valid while `info_epoch` is the session's (see Session::State::info_of).
  mutable const KeyInfo* info = nullptr;
  mutable std::uint64_t info_epoch = 0;
};
// The key of every token: index 0 is the empty entry of tokens without a key. Entries are
// pointers, either into `owned` (a deque: entries never move, so references stay valid while
// later tokens get theirs) or into the session's cache of capitalised spellings.
struct TokTexts {
  std::deque<TokText> owned;
  std::vector<const TokText*> ptr;
  const TokText& operator[](std::size_t i) const { return *ptr[i]; }
  std::size_t size() const { return ptr.size(); }
  void clear() {
    owned.clear();
    ptr.clear();
    ptr.push_back(&owned.emplace_back());
  }
  std::uint32_t add(TokText t) {
    ptr.push_back(&owned.emplace_back(std::move(t)));
    return static_cast<std::uint32_t>(ptr.size() - 1);
  }
  std::uint32_t add(const TokText* t) {
    ptr.push_back(t);
    return static_cast<std::uint32_t>(ptr.size() - 1);
  }
};
// Capitalised spellings seen in the session -> key, lower-case form and shape, so that the key
// of "Орехов" is computed once, not at every mention. Bounded (cleared between chunks).
struct SpellingHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view v) const { return Engine::Impl::spelling_hash(v); }
};
using SpellingCache = std::unordered_map<std::string, TokText, SpellingHash, std::equal_to<>>;
constexpr std::size_t kMaxCachedSpellings = 1u << 16;

TokText make_tok_text(const std::u32string& w) {
  TokText x{text::key_of(w), text::lower(w)};
  x.cap = text::is_upper(w[0]);
  std::size_t upper = 0, letters = 0;
  for (char32_t c : w) {
    if (text::is_combining(c)) continue;
    ++letters;
    if (text::is_upper(c)) ++upper;
    if (text::is_latin(c)) x.latin = true;
  }
  x.letters = letters;
  x.allcaps = letters > 1 && upper == letters;
  x.second_upper = w.size() > 1 && text::is_upper(w[1]);
  return x;
}

struct Token {
  std::size_t b = 0, e = 0;
  std::uint32_t x = 0;      // index into TokTexts (0: no key)
  bool cap = false;
  bool allcaps = false;
  bool latin = false;
  bool initial = false;     // one capital letter (or a Latin digraph: Yu, Zh...) then '.'
  bool sent_start = false;
  bool quoted = false;      // «X» / "X"
  bool blocked = false;     // inside an identifier span
  bool lazy = false;        // lower-case word: key computed only when asked (ensure_key)
  bool lowercase_hit = false;  // matched a register spelling without a capital letter
  std::uint8_t consumed = 0;  // 1: part of a register mention (kept or redacted), 2: unregistered person
};

struct Candidate {
  std::size_t b = 0, e = 0;
  Kind kind = Kind::kId;
  const char* reason = "";  // a static string (sorting candidates moves no heap string)
  bool doubtful = false;
  bool registered = false;
  int person = -1;          // register index
  int unreg = -1;           // unregistered person number
  std::size_t tlo = 0, thi = 0;  // token range of a family-member span (numbered later)
};

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r'; }

// Sentence start and quotes of the last token of `out` (its span set; the tokens before it
// complete).
void mark_context(std::string_view s, std::vector<Token>& out) {
  const std::size_t n = out.size() - 1;
  Token& t = out[n];
  std::size_t p = t.b;
  while (p > 0 && is_space(s[p - 1])) --p;
  bool start = true;
  if (p > 0) {
    const auto c = static_cast<unsigned char>(s[p - 1]);
    if (c == '.') {
      // After an initial ("Д. Орехов") the next word does not start a sentence.
      start = !(n > 0 && out[n - 1].initial && out[n - 1].e == p - 1);
    } else if (c < 0x80) {
      switch (c) {
        case '\n': case '!': case '?': case ':': case ';': case '|': case '(': case '[': case '"': case '\'':
        case '>': case '*': case '#': case '-':
          break;
        default:
          start = false;
      }
    } else {
      std::size_t q = p - 1;
      while (q > 0 && (static_cast<unsigned char>(s[q]) & 0xC0) == 0x80) --q;
      const char32_t u = text::next_code_point(s, q);
      start = u == U'«' || u == U'“' || u == U'„' || u == U'—' || u == U'–' || u == U'…' || u == 0x2022;
    }
  }
  t.sent_start = start;
  // Quoted single word. Only '"' or the last byte of «, “ or „ can precede one: most words are
  // decided by one byte.
  const unsigned char last = t.b > 0 ? static_cast<unsigned char>(s[t.b - 1]) : 0;
  if (last != '"' && last != 0xAB && last != 0x9C && last != 0x9E) return;
  std::size_t q = t.b - 1;
  while (q > 0 && (static_cast<unsigned char>(s[q]) & 0xC0) == 0x80) --q;
  const char32_t bq = text::next_code_point(s, q);
  char32_t aq = 0;
  if (t.e < s.size()) {
    q = t.e;
    aq = text::next_code_point(s, q);
  }
  t.quoted = (bq == U'«' && aq == U'»') || (bq == '"' && aq == '"') || (bq == U'“' && aq == U'”') ||
             (bq == U'„' && aq == U'“');
}

// Fills `out` (a buffer reused across chunks, so its memory is allocated once per session).
// `spans`: the tokens' [b, e) (for patterns::find_all); `caps`: the indices of the capitalised
// tokens (initials among them).
void tokenize(std::string_view s, std::vector<Token>& out, TokTexts& tt, SpellingCache& cache,
              std::vector<std::pair<std::size_t, std::size_t>>& spans, std::vector<std::uint32_t>& caps) {
  out.clear();
  spans.clear();
  caps.clear();
  tt.clear();
  if (cache.size() > kMaxCachedSpellings) cache.clear();
  out.reserve(s.size() / 8 + 16);
  std::size_t i = 0;
  while (i < s.size()) {
    std::size_t j = i;
    const char32_t c = text::next_code_point(s, j);
    if (!text::is_letter(c) || text::is_combining(c)) {
      i = j;
      continue;
    }
    Token& t = out.emplace_back();  // filled in place: no Token is moved or copied
    t.b = i;
    // Capitalised words are looked up by their spelling; their code points are decoded only
    // for a spelling not seen before in the session.
    const bool keep_letters = text::is_upper(c);
    std::size_t k = i, letters_seen = 0, apostrophes = 0;  // apostrophes joined inside the word
    bool any_cyr = false, any_lat = false;
    if (keep_letters) {
      k = j;
      letters_seen = 1;
      any_cyr = text::is_cyrillic(c);
      any_lat = text::is_latin(c);
    }
    {
      // Fast path for the usual letters: basic Cyrillic а..я and ASCII letters are consumed
      // without decoding; anything else goes through the general loop below.
      const auto* u = reinterpret_cast<const unsigned char*>(s.data());
      // Four letters а..я at a time: in each (lead, continuation) pair of the eight bytes the
      // lead is D0 or D1, and the continuation, moved up by 30 after D1, is in B0..BF (valid
      // UTF-8 bounds a continuation by 80..BF already).
      constexpr std::uint64_t kEven = 0x00FF00FF00FF00FFULL;
      while (k + 8 <= s.size()) {
        std::uint64_t v;
        std::memcpy(&v, u + k, 8);
        const std::uint64_t lead = v & kEven, cont = (v >> 8) & kEven;
        const std::uint64_t moved = cont + (lead & 0x0001000100010001ULL) * 0x30;
        if ((lead & 0x00FE00FE00FE00FEULL) != 0x00D000D000D000D0ULL ||
            (moved & 0x00F000F000F000F0ULL) != 0x00B000B000B000B0ULL)
          break;
        k += 8;
        letters_seen += 4;
        any_cyr = true;
      }
      while (k + 1 < s.size()) {
        const unsigned char b0 = u[k], b1 = u[k + 1];
        if ((b0 == 0xD0 && b1 >= 0xB0 && b1 <= 0xBF) || (b0 == 0xD1 && b1 >= 0x80 && b1 <= 0x8F)) {
          k += 2;
          ++letters_seen;
          any_cyr = true;
          continue;
        }
        if (b0 < 0x80 && (b0 | 0x20) >= 'a' && (b0 | 0x20) <= 'z') {
          k += 1;
          ++letters_seen;
          any_lat = true;
          continue;
        }
        break;
      }
    }
    // The usual end of a word: a space or ASCII punctuation other than an apostrophe.
    const auto next = k < s.size() ? static_cast<unsigned char>(s[k]) : 0;
    const bool ended = k >= s.size() || (next < 0x80 && next != '\'' && !((next | 0x20) >= 'a' && (next | 0x20) <= 'z'));
    while (!ended && k < s.size()) {
      std::size_t k2 = k;
      const char32_t d = text::next_code_point(s, k2);
      if (text::is_letter(d)) {
        ++letters_seen;
        any_cyr = any_cyr || text::is_cyrillic(d);
        any_lat = any_lat || text::is_latin(d);
        k = k2;
        continue;
      }
      if ((d == '\'' || d == 0x2019 || d == 0x2BC) && k2 < s.size()) {
        std::size_t k3 = k2;
        const char32_t n = text::next_code_point(s, k3);
        if (text::is_letter(n) && any_cyr) {  // Ukrainian apostrophe inside a word
          ++apostrophes;
          k = k2;
          continue;
        }
        if (text::is_letter(n) && !any_cyr && !(n == 's' && (k3 >= s.size() || !text::is_letter(text::next_code_point(s, k3 = k3))))) {
          ++apostrophes;  // O'Brien, not Oleg's
          k = k2;
          continue;
        }
      }
      break;
    }
    t.e = k;
    spans.push_back({t.b, t.e});
    if (!keep_letters) {
      // Lower-case words: keys computed only near cues and for the register's lower-case list.
      t.lazy = letters_seen <= kMaxWordCodePoints;
      t.latin = any_lat;
    } else if (letters_seen + apostrophes <= kMaxWordCodePoints) {
      const std::string_view surface = s.substr(t.b, t.e - t.b);
      auto it = cache.find(surface);
      if (it == cache.end()) it = cache.emplace(std::string(surface), make_tok_text(text::to_u32(surface))).first;
      const TokText& tx = it->second;
      t.x = tt.add(&tx);
      t.cap = tx.cap;
      t.latin = tx.latin;
      t.allcaps = tx.allcaps;
      if (t.cap) caps.push_back(static_cast<std::uint32_t>(out.size() - 1));
      const std::size_t letters = tx.letters;
      const bool dot = t.e < s.size() && s[t.e] == '.';
      if (t.cap && dot) {
        if (letters == 1) t.initial = true;
        if (letters == 2 && t.latin && !tx.second_upper) {
          static const std::u32string_view kDigraphs[] = {U"yu", U"ya", U"ye", U"yo", U"zh", U"kh", U"ch", U"sh", U"ts", U"iu", U"ia"};
          for (auto dg : kDigraphs)
            if (tt[t.x].low == dg) t.initial = true;
        }
      }
    }
    mark_context(s, out);
    i = k;
  }
}

// Gap between two tokens allows them to belong to one name: spaces only, or the dot of an
// initial ("Д. Орехов", "D.A.").
bool joinable(std::string_view s, const Token& a, const Token& b) {
  if (b.b < a.e) return false;
  std::string_view gap = s.substr(a.e, b.b - a.e);
  if (a.initial && !gap.empty() && gap[0] == '.') gap.remove_prefix(1);
  if (gap.size() > 6) return false;
  std::size_t spaces = 0;
  for (std::size_t i = 0; i < gap.size();) {
    if (is_space(gap[i])) { ++i; ++spaces; continue; }
    // No-break spaces (U+00A0, U+202F) as typed by word processors: "Д.\u00a0Орехов".
    if (gap.substr(i, 2) == "\xC2\xA0") { i += 2; ++spaces; continue; }
    if (gap.substr(i, 3) == "\xE2\x80\xAF") { i += 3; ++spaces; continue; }
    return false;
  }
  return (spaces > 0 && spaces <= 3) || (gap.empty() && a.initial);
}

// Key of a lower-case word, asked for by a rule; memoised with the capitalised spellings
// (the key and lower-case form are functions of the spelling alone).
void ensure_key(std::string_view s, Token& t, TokTexts& tt, SpellingCache& cache) {
  if (!t.lazy) return;
  t.lazy = false;
  const std::string_view surface = s.substr(t.b, t.e - t.b);
  auto it = cache.find(surface);
  if (it == cache.end()) it = cache.emplace(std::string(surface), make_tok_text(text::to_u32(surface))).first;
  t.x = tt.add(&it->second);
}

// Key of a patronymic without its case ending: up to -вн-/-чн- (-овна, -ична) or -вич/-ич.
std::string patronymic_stem(const std::string& key) {
  for (const char* m : {"vn", "Cn", "viC", "iC"}) {
    const std::size_t at = key.rfind(m);
    if (at != std::string::npos) return key.substr(0, at + std::strlen(m));
  }
  return key;
}

bool starts_with(const std::string& s, const std::string& p) { return s.size() >= p.size() && s.compare(0, p.size(), p) == 0; }

}  // namespace

struct Session::State {
  const Engine* engine = nullptr;
  Options options;
  std::vector<std::string> keep_nfc;
  // Replacement bookkeeping (consistent across the chunks of one output).
  std::unordered_map<std::uint32_t, std::string> person_label;
  std::map<std::string, int> role_counter;
  int unreg_counter = 0;
  std::unordered_map<std::string, int> learned;       // key of a learned surname form -> person number
  std::unordered_map<std::uint32_t, int> given_group;  // name group -> last person number
  std::unordered_map<std::string, int> given_patronymic;  // name group + patronymic stem -> person number

  std::string label_for(std::uint32_t p) {
    auto it = person_label.find(p);
    if (it != person_label.end()) return it->second;
    const auto& person = engine->impl().people[p];
    std::string label;
    if (!person.pseudonym.empty()) {
      label = person.pseudonym;
    } else {
      const std::string role = role_label(person.role);
      int& n = role_counter[role];
      std::string letters;
      int x = n++;
      do {
        letters.insert(letters.begin(), static_cast<char>('A' + x % 26));
        x = x / 26 - 1;
      } while (x >= 0);
      label = role + " " + letters;
    }
    person_label.emplace(p, label);
    return label;
  }

  // What the register and the gazetteer say about one comparison key, computed once per
  // distinct key of a capitalised word and reused for every later occurrence in the session:
  // a word costs one look-up in this small, hot table instead of several in the large ones
  // (register forms, one-deletion typo variants, places, non-names, titles, given names).
  static constexpr std::size_t kMaxKeyInfos = 1u << 18;  // cleared between chunks past this
  std::unordered_map<std::string, KeyInfo> key_infos;
  // Hit list of a word that cannot be extended -> the person it names (see the matcher).
  std::unordered_map<const void*, std::uint32_t> one_word_pick;
  const KeyInfo& key_info(const std::string& key);
  // key_info of a token's key, remembered in its TokText until key_infos is next cleared.
  std::uint64_t key_epoch = 1;
  const KeyInfo& info_of(const TokText& x) {
    if (x.info_epoch != key_epoch) {
      x.info = &key_info(x.key);
      x.info_epoch = key_epoch;
    }
    return *x.info;
  }
  // Person number of a learned surname form, 0 if the key is not one.
  int learned_number(const TokText& x) {
    const KeyInfo& ki = info_of(x);
    if (ki.learned != 0 || ki.learned_absent_at == learned.size()) return ki.learned;
    if (auto it = learned.find(x.key); it != learned.end()) ki.learned = it->second;
    else ki.learned_absent_at = learned.size();
    return ki.learned;
  }
  std::vector<Token> tok_buf;  // tokens of the current chunk (capacity reused)
  std::vector<std::uint32_t> cap_buf;    // indices of its capitalised tokens
  std::vector<std::uint32_t> start_buf;  // indices of its tokens that can start a register mention
  std::vector<std::pair<std::size_t, std::size_t>> word_spans;  // their spans, for patterns::find_all
  TokTexts tok_text;           // their keys
  SpellingCache spellings;     // keys of capitalised spellings, across chunks

  // Whose name may stay for this audience, one flag per register entry (computed once).
  std::vector<bool> kept;

  bool kept_by_consent(std::uint32_t p) const { return kept[p]; }

  std::string redact(std::string_view input, std::vector<Span>* report);
};

const KeyInfo& Session::State::key_info(const std::string& key) {
  if (auto it = key_infos.find(key); it != key_infos.end()) return it->second;
  const Engine::Impl& im = engine->impl();
  const Gazetteer& gz = Gazetteer::get();
  KeyInfo ki;
  if (auto it = im.forms.find(key); it != im.forms.end()) {
    ki.hits = &it->second;
  } else {
    const auto maybe_typo = [&] {
      const std::string& k = key;
      if (im.typo_prefixes.count(Engine::Impl::prefix2(k))) return true;
      if (k.size() > 2 && im.typo_prefixes.count(Engine::Impl::prefix2(std::string_view(k).substr(1)))) return true;
      const char p02[2] = {k[0], k.size() > 2 ? k[2] : '\0'};
      return im.typo_prefixes.count(Engine::Impl::prefix2(std::string_view(p02, 2))) > 0;
    };
    if (key.size() + 1 >= kTypoMinKey && !im.typo.empty() && maybe_typo()) {
      // Missing letter, extra letter, or one substituted letter.
      std::vector<Engine::Impl::Hit> th;
      auto merge = [&](const std::vector<Engine::Impl::Hit>& v) {
        for (auto& h : v)
          if (h.part == kFamily) th.push_back(h);
      };
      if (auto t1 = im.typo.find(key); t1 != im.typo.end()) merge(t1->second);
      if (key.size() >= kTypoMinKey) {
        std::string del;
        for (std::size_t d = 0; d < key.size(); ++d) {
          del.assign(key, 0, d);
          del.append(key, d + 1, std::string::npos);
          if (auto f = im.forms.find(del); f != im.forms.end()) merge(f->second);
          if (auto f = im.typo.find(del); f != im.typo.end()) merge(f->second);
        }
      }
      if (!th.empty()) {
        std::stable_sort(th.begin(), th.end(), [](const auto& a, const auto& b) { return a.person < b.person; });
        ki.typo = std::move(th);
        ki.is_typo = true;
      }
    }
  }
  ki.non_name = gz.non_names.count(key) > 0;
  ki.place = gz.places.count(key) > 0;
  ki.non_name_place_title = ki.non_name || ki.place || gz.titles.count(key) > 0;
  ki.ambiguous = gz.ambiguous.count(key) > 0;
  if (auto g = gz.given.find(key); g != gz.given.end()) ki.given = &g->second;
  KeyInfo& ref = key_infos.emplace(key, std::move(ki)).first->second;
  if (ref.is_typo) ref.hits = &ref.typo;
  return ref;
}

Session::Session(const Engine& engine, Options options) : state_(std::make_unique<State>()) {
  state_->engine = &engine;
  for (const auto& k : options.keep) state_->keep_nfc.push_back(nfc(k));
  for (const auto& p : engine.impl().people)
    state_->kept.push_back(p.disclose == Disclose::kPublic ||
                           (p.disclose == Disclose::kCoCounsel && options.audience == Audience::kCoCounsel));
  state_->options = std::move(options);
}
Session::~Session() = default;
Session::Session(Session&&) noexcept = default;

std::string Session::redact(std::string_view text_in, std::vector<Span>* report) {
  return state_->redact(text_in, report);
}

std::string Session::State::redact(std::string_view input, std::vector<Span>* report) {
  // Valid input (the usual case) is matched in place; only invalid input is copied and repaired.
  std::string owned;
  std::string_view s = input;
  if (text::valid_prefix(input) != input.size()) {
    owned = text::repair_utf8(input, nullptr);
    s = owned;
  }
  if (s.empty()) return {};
  if (key_infos.size() > kMaxKeyInfos) {  // pointers into it live for one chunk only
    key_infos.clear();
    ++key_epoch;            // the KeyInfo pointers in TokTexts
    one_word_pick.clear();  // keyed by hit lists, some of them in key_infos
  }
  const Engine::Impl& im = engine->impl();
  const Gazetteer& gz = Gazetteer::get();

  std::vector<Candidate> cands;

  std::vector<Token>& toks = tok_buf;
  TokTexts& tt = tok_text;
  std::vector<std::uint32_t>& caps = cap_buf;
  tokenize(s, toks, tt, spellings, word_spans, caps);

  // 1. Identifiers by pattern, marked registered when they belong to a register entry.
  for (auto& f : patterns::find_all(s, &word_spans)) {
    Candidate c;
    c.b = f.begin;
    c.e = f.end;
    c.kind = f.kind;
    c.reason = f.reason;
    c.doubtful = f.doubtful;
    if (f.kind == Kind::kPhone) {
      auto it = im.phones.find(f.digits);
      if (it != im.phones.end()) {
        c.registered = true;
        c.person = static_cast<int>(it->second);
        c.reason = "register:phone";
        c.doubtful = false;
      }
    } else if (f.kind == Kind::kEmail) {
      auto it = im.emails.find(lower_ascii(std::string(s.substr(f.begin, f.end - f.begin))));
      if (it != im.emails.end()) { c.registered = true; c.person = static_cast<int>(it->second); c.reason = "register:email"; }
    } else if (f.kind == Kind::kHandle) {
      auto it = im.handles.find(lower_ascii(std::string(s.substr(f.begin + 1, f.end - f.begin - 1))));
      if (it != im.handles.end()) { c.registered = true; c.person = static_cast<int>(it->second); c.reason = "register:handle"; }
    }
    cands.push_back(std::move(c));
  }
  // Register identifiers and addresses in any spacing/punctuation.
  // Only near digits: every register identifier and address kept here has one (compile()).
  for (const auto& [wb, we] : im.compacts.empty() ? std::vector<std::pair<std::size_t, std::size_t>>{}
                                                   : patterns::digit_windows(s, 160, 60)) {
    std::u32string ct;
    std::vector<std::size_t> off;  // byte offset of each compact char, plus end offsets
    std::vector<std::size_t> endoff;
    std::vector<bool> word_start;
    std::size_t i = wb;
    bool prev_word = false;
    while (i < we) {
      const std::size_t b = i;
      const char32_t c = text::next_code_point(s, i);
      const bool w = (c >= '0' && c <= '9') || (text::is_letter(c) && !text::is_combining(c));
      if (w) {
        ct.push_back(compact_fold(c));
        off.push_back(b);
        endoff.push_back(i);
        word_start.push_back(!prev_word);
      }
      prev_word = w || text::is_combining(c);
    }
    for (std::size_t p = 0; p + Engine::Impl::kCompactPrefix <= ct.size(); ++p) {
      if (!word_start[p]) continue;
      auto it = im.compact_by_prefix.find(ct.substr(p, Engine::Impl::kCompactPrefix));
      if (it == im.compact_by_prefix.end()) continue;
      for (auto idx : it->second) {
        const auto& cp = im.compacts[idx];
        if (p + cp.text.size() > ct.size()) continue;
        if (ct.compare(p, cp.text.size(), cp.text) != 0) continue;
        const std::size_t last = p + cp.text.size() - 1;
        if (last + 1 < ct.size() && !word_start[last + 1]) continue;  // must end at a word end
        Candidate c;
        c.b = off[p];
        c.e = endoff[last];
        c.kind = cp.kind;
        c.reason = "register:identifier";
        c.registered = true;
        c.person = static_cast<int>(cp.person);
        cands.push_back(c);
      }
    }
  }

  // 2. Tokens (made before step 1, whose birth cues and spelled numbers are looked for only
  // around the words that can hold them); those inside identifiers are out of the name
  // matchers' reach.
  {
    std::vector<std::pair<std::size_t, std::size_t>> iv;
    for (auto& c : cands) iv.push_back({c.b, c.e});
    std::sort(iv.begin(), iv.end());
    std::vector<std::pair<std::size_t, std::size_t>> merged;
    for (auto& x : iv) {
      if (!merged.empty() && x.first < merged.back().second) merged.back().second = std::max(merged.back().second, x.second);
      else merged.push_back(x);
    }
    // The tokens overlapping each interval: the first is found by galloping from where the
    // previous interval's search ended (tokens are in order, and so are the intervals).
    std::size_t first = 0;
    for (const auto& [mb, me] : merged) {
      std::size_t lo = first, step = 1;
      while (lo < toks.size() && toks[lo].e <= mb) {
        first = lo + 1;
        lo = std::min(toks.size(), lo + step);
        step *= 2;
      }
      // toks[first - 1].e <= mb (or first is where the search began), toks[lo].e > mb (or lo is the end).
      first = static_cast<std::size_t>(std::partition_point(toks.begin() + static_cast<std::ptrdiff_t>(first),
                                                            toks.begin() + static_cast<std::ptrdiff_t>(lo),
                                                            [&](const Token& t) { return t.e <= mb; }) -
                                       toks.begin());
      for (std::size_t q = first; q < toks.size() && toks[q].b < me; ++q) toks[q].blocked = true;
    }
  }

  const std::size_t n = toks.size();
  // Register hits per token.
  std::vector<const std::vector<Engine::Impl::Hit>*> hits(n, nullptr);
  std::vector<bool> typo_hit(n, false);
  std::vector<std::uint32_t>& mention_starts = start_buf;  // words with hits, and initials
  mention_starts.clear();
  for (std::size_t i = 0; i < n; ++i) {
    Token& t = toks[i];
    if (t.blocked) continue;
    if (t.initial) {
      mention_starts.push_back(static_cast<std::uint32_t>(i));
      continue;
    }
    if (t.lazy) {
      // A lower-case word: only the register's own lower-case spellings.
      if (im.lower_surfaces.empty() || t.e - t.b > 40) continue;
      const std::string_view surface = s.substr(t.b, t.e - t.b);
      if (!im.lower_filter_test(surface)) continue;
      auto ls = im.lower_surfaces.find(surface);
      if (ls == im.lower_surfaces.end()) continue;
      auto f = im.forms.find(ls->second);
      if (f == im.forms.end()) continue;
      ensure_key(s, t, tt, spellings);
      t.lowercase_hit = true;
      hits[i] = &f->second;
      mention_starts.push_back(static_cast<std::uint32_t>(i));
      continue;
    }
    if (!t.cap || tt[t.x].key.empty()) continue;
    const KeyInfo& ki = info_of(tt[t.x]);
    hits[i] = ki.hits;
    typo_hit[i] = ki.is_typo;
    if (hits[i]) mention_starts.push_back(static_cast<std::uint32_t>(i));
  }
  auto initial_fits = [&](const Token& t, std::uint32_t p, int part) {
    for (const auto& b : im.people[p].bases[static_cast<std::size_t>(part)])
      if (!tt[t.x].key.empty() && starts_with(b, tt[t.x].key)) return true;
    return false;
  };
  auto is_given_word = [&](const Token& t) {
    return t.cap && !t.initial && gz.given_name(tt[t.x].key, t.latin) && !gz.ambiguous.count(tt[t.x].key);
  };

  // 3. Register mentions: the longest run of tokens that all fit one person.
  struct Mention {
    std::size_t first, last;
    std::uint32_t person;
    int words;
    bool used_given;
    bool typo;
  };
  std::vector<Mention> mentions;
  std::vector<std::uint32_t> persons, next;  // reused for every word
  std::size_t next_start = 0;
  for (const std::uint32_t start : mention_starts) {  // the other words are skipped by the first test
    const std::size_t i = start;
    if (i < next_start) continue;
    Token& t0 = toks[i];
    if (t0.blocked || (!hits[i] && !t0.initial)) continue;
    // A word that nothing can extend (the next word is not a name part nor an initial) is a
    // one-word mention for every candidate: pick by consent, then gender, without extending.
    const bool can_extend = t0.initial || (i + 1 < n && joinable(s, toks[i], toks[i + 1]) &&
                                           (hits[i + 1] || toks[i + 1].initial));
    persons.clear();
    bool one_word_run = false;  // set by the pruning below when no candidate fits the next word
    if (!can_extend && !t0.initial) {
      // (The usual case, and the same result as the general path below, without building and
      // sorting the candidate list: the hits are sorted by person.)
      const auto& hv = *hits[i];
      if (hv.front().person != hv.back().person) {
        // The pick depends only on the hit list (and the session's consents): memoised, since
        // a first name shared by hundreds of registered people has hundreds of hits.
        auto memo = one_word_pick.find(&hv);
        if (memo == one_word_pick.end()) {
          const Engine::Impl::Hit* pick = nullptr;
          for (const auto& h : hv) {
            if (!pick) { pick = &h; continue; }
            const bool k_new = kept_by_consent(h.person), k_old = kept_by_consent(pick->person);
            if ((k_old && !k_new) || (k_old == k_new && h.primary && !pick->primary)) pick = &h;
          }
          memo = one_word_pick.emplace(&hv, pick->person).first;
        }
        persons.push_back(memo->second);
      } else {
        persons.push_back(hv.front().person);
      }
    } else {
    // Candidate persons: from this token, or from the next word of a run of initials.
    for (std::size_t j = i; j < n && j < i + 5; ++j) {
      if (hits[j])
        for (auto& h : *hits[j]) persons.push_back(h.person);
      if (!toks[j].initial) break;
      if (j + 1 < n && !joinable(s, toks[j], toks[j + 1])) break;
    }
    if (t0.initial) {
      // A run of initials alone ("S.K.", "Е.К.Л."): candidates from the initials index.
      std::string firsts;
      std::size_t j = i;
      while (j < n && toks[j].initial && !tt[toks[j].x].key.empty() && firsts.size() < 4) {
        firsts.push_back(tt[toks[j].x].key[0]);
        if (j + 1 >= n || !joinable(s, toks[j], toks[j + 1])) { ++j; break; }
        ++j;
      }
      if (firsts.size() >= 2)
        if (auto it = im.initials.find(firsts); it != im.initials.end())
          persons.insert(persons.end(), it->second.begin(), it->second.end());
    }
    std::sort(persons.begin(), persons.end());
    persons.erase(std::unique(persons.begin(), persons.end()), persons.end());
    // Large registers share given names widely: keep only the persons that also fit the
    // next word, while some do, so the detailed extension below runs for a few persons.
    if (persons.size() > 8 && !t0.initial) {
      std::size_t j = i;
      while (j + 1 < n && joinable(s, toks[j], toks[j + 1]) && hits[j + 1]) {
        next.clear();
        for (auto& h : *hits[j + 1])
          if (std::binary_search(persons.begin(), persons.end(), h.person)) next.push_back(h.person);
        if (next.empty()) {
          // No candidate fits the very next word: each one's mention is this word alone.
          one_word_run = j == i;
          break;
        }
        std::sort(next.begin(), next.end());
        next.erase(std::unique(next.begin(), next.end()), next.end());
        persons.swap(next);
        ++j;
      }
    }
    }  // general path
    bool found = false;
    Mention best{};
    int best_score = 0;
    bool best_primary = false;
    if (one_word_run) {
      // Same choice as the extension loop below, which would stop at the next word for every
      // candidate: each person's first hit here (hits are sorted by person, then part), the
      // first person wins unless a later one is redacted where it is kept, or primary where it
      // is not. One pass over the hits instead of a binary search per person and word.
      for (std::size_t k = 0; k < hits[i]->size(); ++k) {
        const auto& h = (*hits[i])[k];
        if (k > 0 && (*hits[i])[k - 1].person == h.person) continue;
        const std::uint32_t p = h.person;
        const bool better = !found || (kept_by_consent(best.person) && !kept_by_consent(p)) ||
                            (kept_by_consent(best.person) == kept_by_consent(p) && h.primary && !best_primary);
        if (better) {
          found = true;
          best = {i, i, p, 1, h.part == kGiven, static_cast<bool>(typo_hit[i])};
          best_score = 2;
          best_primary = h.primary;
        }
      }
      persons.clear();  // decided
    }
    if (!can_extend && hits[i] && persons.size() > 1) {
      const Engine::Impl::Hit* pick = nullptr;
      for (const auto& h : *hits[i]) {
        if (!pick) { pick = &h; continue; }
        const bool k_new = kept_by_consent(h.person), k_old = kept_by_consent(pick->person);
        if ((k_old && !k_new) || (k_old == k_new && h.primary && !pick->primary)) pick = &h;
      }
      persons.assign(1, pick->person);
    }
    for (auto p : persons) {
      std::array<bool, kPartCount> used{};
      int words = 0, inits = 0;
      bool primary = false, used_given = false, typo = false;
      std::size_t j = i, last = i;
      while (j < n) {
        const Token& t = toks[j];
        if (t.blocked) break;
        bool ok = false;
        if (t.initial) {
          for (int part = 0; part < kPartCount && !ok; ++part)
            if (!used[part] && im.people[p].has[part] && initial_fits(t, p, part)) {
              used[part] = true;
              ok = true;
              ++inits;
            }
        } else if (hits[j]) {
          const auto& hv = *hits[j];
          auto from = std::lower_bound(hv.begin(), hv.end(), p,
                                       [](const Engine::Impl::Hit& h, std::uint32_t x) { return h.person < x; });
          for (auto it = from; it != hv.end() && it->person == p; ++it) {
            const auto& h = *it;
            if (used[h.part]) continue;
            used[h.part] = true;
            ok = true;
            ++words;
            primary = primary || h.primary;
            used_given = used_given || h.part == kGiven;
            typo = typo || typo_hit[j];
            break;
          }
        }
        if (!ok) break;
        last = j;
        if (j + 1 >= n || !joinable(s, t, toks[j + 1])) break;
        ++j;
      }
      // Trailing initials must close the mention; a run of initials alone needs two or more
      // and must fit given + family or given + patronymic.
      if (words == 0 && inits < 2) continue;
      if (words == 0 && !(used[kGiven] && (used[kFamily] || used[kPatronymic]))) continue;
      const int score = words * 2 + inits;
      const bool better = !found || score > best_score ||
                          (score == best_score && kept_by_consent(best.person) && !kept_by_consent(p)) ||
                          (score == best_score && kept_by_consent(best.person) == kept_by_consent(p) && primary && !best_primary);
      if (better) {
        found = true;
        best = {i, last, p, words, used_given, typo};
        best_score = score;
        best_primary = primary;
      }
    }
    if (!found) continue;
    mentions.push_back(best);
    next_start = best.last + 1;
  }
  // A register mention without its given name, next to a given name that is not this
  // person's: another member of the family ("Raisa Ladygina", "Зима Павел Олегович").
  for (auto& m : mentions) {
    std::size_t lo = m.first, hi = m.last;
    bool other = false;
    if (!m.used_given) {
      if (hi + 1 < n && joinable(s, toks[hi], toks[hi + 1]) && is_given_word(toks[hi + 1]) && !hits[hi + 1]) {
        other = true;
        ++hi;
        while (hi + 1 < n && joinable(s, toks[hi], toks[hi + 1]) && toks[hi + 1].cap && !hits[hi + 1] &&
               morph::looks_like_patronymic(text::cyrillic_reading(tt[toks[hi + 1].x].low)))
          ++hi;
        // A patronymic of the registered person may follow ("Зима Павел Олегович").
        while (hi + 1 < n && joinable(s, toks[hi], toks[hi + 1]) && toks[hi + 1].cap &&
               morph::looks_like_patronymic(text::cyrillic_reading(tt[toks[hi + 1].x].low)))
          ++hi;
      }
      if (lo > 0 && joinable(s, toks[lo - 1], toks[lo]) && is_given_word(toks[lo - 1]) && !hits[lo - 1] &&
          !toks[lo - 1].consumed) {
        other = true;
        --lo;
      }
    } else if (m.words == 1 && m.first == m.last && !toks[m.first].sent_start) {
      // "Mikhail Gerts": a registered first name followed by a surname that is not theirs.
      if (hi + 1 < n && joinable(s, toks[hi], toks[hi + 1]) && toks[hi + 1].cap && !hits[hi + 1] &&
          !toks[hi + 1].initial && !toks[hi + 1].blocked && !gz.non_names.count(tt[toks[hi + 1].x].key) &&
          !gz.places.count(tt[toks[hi + 1].x].key) && !toks[hi + 1].allcaps) {
        other = true;
        ++hi;
      }
    }
    if (other) {
      Candidate c;
      c.b = toks[lo].b;
      c.e = toks[hi].e;
      c.kind = Kind::kPerson;
      c.reason = "register:other-family-member";
      c.doubtful = true;
      // Number later, with the unregistered persons.
      c.unreg = 0;
      c.tlo = lo;
      c.thi = hi;
      for (std::size_t k = lo; k <= hi; ++k) toks[k].consumed = 2;
      cands.push_back(c);
      continue;
    }
    for (std::size_t k = m.first; k <= m.last; ++k) toks[k].consumed = 1;
    if (kept_by_consent(m.person)) continue;
    Candidate c;
    c.b = toks[m.first].b;
    c.e = toks[m.last].e;
    // Include the closing dot of trailing initials ("Orekhov D.A.").
    if (toks[m.last].initial && c.e < s.size() && s[c.e] == '.') ++c.e;
    c.kind = Kind::kPerson;
    c.registered = true;
    c.person = static_cast<int>(m.person);
    c.reason = m.typo ? "register:typo" : (m.words > 1 || m.first != m.last) ? "register:name" : "register:name-part";
    c.doubtful = m.typo;
    if (toks[m.first].lowercase_hit && m.first == m.last) {
      c.reason = "register:lower-case";
      c.doubtful = true;
    }
    cands.push_back(c);
  }

  // 4. Unregistered people, by heuristics.
  enum Ev { kNone = 0, kWeak = 1, kStrong = 2 };
  std::vector<int> ev(n, kNone);
  std::vector<bool> neg(n, false), given(n, false);
  for (const std::uint32_t ci : caps) {  // the other words are skipped by the first test
    const std::size_t i = ci;
    const Token& t = toks[i];
    if ((!t.cap && !t.initial) || t.blocked || t.consumed || tt[t.x].key.empty()) continue;
    const KeyInfo& ki = info_of(tt[t.x]);
    const bool is_given_name = ki.given && (t.latin || ki.given->cyrillic);  // gz.given_name(tt[t.x].key, t.latin)
    if (ki.non_name_place_title) {
      neg[i] = true;
      continue;
    }
    // A car make and its model: "Renault Logan", «на Тойоте Камри». Both words must be on the
    // lists, so a person named like a make ("Лада Петрова", "Шкода Петро") is still found.
    {
      const auto adjacent = [&](std::size_t a) {  // toks[a] and toks[a + 1]: one space or '-'
        const std::string_view gap = s.substr(toks[a].e, toks[a + 1].b - toks[a].e);
        return toks[a + 1].b - toks[a].e <= 2 && gap.find_first_not_of(" -") == std::string_view::npos;
      };
      const bool model_after = i + 1 < n && toks[i + 1].cap && adjacent(i) && gz.makers.count(tt[t.x].key) &&
                               gz.models.count(tt[toks[i + 1].x].key) > 0;
      const bool make_before = i > 0 && toks[i - 1].cap && adjacent(i - 1) && gz.models.count(tt[t.x].key) &&
                               gz.makers.count(tt[toks[i - 1].x].key);
      if (model_after || make_before) {
        neg[i] = true;
        continue;
      }
    }
    // A list of places: "в Пскове, Тамбове и Иванове" — a word in the same case right after a
    // place (across a comma or "и") is a place too.
    if (i >= 1 && !is_given_name && learned_number(tt[t.x]) == 0) {
      std::size_t k = i - 1;
      ensure_key(s, toks[k], tt, spellings);
      if (!toks[k].cap && (tt[toks[k].x].key == "i" || tt[toks[k].x].key == "ta" || tt[toks[k].x].key == "and") && k >= 1) --k;
      const std::string_view gap = s.substr(toks[k].e, t.b - toks[k].e);
      const bool list_gap = gap.size() <= 5 && gap.find('\n') == std::string_view::npos &&
                            gap.find_first_not_of(" ,иіта") == std::string_view::npos;
      if (list_gap && neg[k] && toks[k].cap && !tt[toks[k].x].low.empty() && !tt[t.x].low.empty() &&
          tt[toks[k].x].low.back() == tt[t.x].low.back() && gz.places.count(tt[toks[k].x].key)) {
        neg[i] = true;
        continue;
      }
    }
    if (t.initial) { ev[i] = kWeak; continue; }
    const bool amb = ki.ambiguous;
    if (is_given_name) {
      given[i] = true;
      ev[i] = amb ? kWeak : kStrong;
      continue;
    }
    if (amb) { ev[i] = kWeak; continue; }
    if (learned_number(tt[t.x]) != 0) { ev[i] = kStrong; continue; }
    // "в Иванове", "под Горловкой", "in Rostov": after a preposition of place, a word in the
    // locative or instrumental is read as a town, not a person ("у Иванова", "на Петрова",
    // "з Андрієм" can be people: those prepositions are not in the list).
    if (i > 0 && toks[i - 1].e + 1 == t.b && s[toks[i - 1].e] == ' ') {
      ensure_key(s, toks[i - 1], tt, spellings);
      static const std::unordered_set<std::string> kPlacePrepositions = {"v", "vo", "pod", "iz", "pid", "okolo",
                                                                         "vozle", "bilia", "in", "near"};
      if (!toks[i - 1].cap && kPlacePrepositions.count(tt[toks[i - 1].x].key)) {
        const std::u32string& w = tt[t.x].low;
        const bool locative = !w.empty() && (w.back() == U'е' || w.back() == U'і' || w.back() == U'у' ||
                                             (w.size() > 2 && (w.compare(w.size() - 2, 2, U"ом") == 0 ||
                                                               w.compare(w.size() - 2, 2, U"ой") == 0 ||
                                                               w.compare(w.size() - 2, 2, U"ем") == 0)));
        if (t.latin || locative) {
          neg[i] = true;
          continue;
        }
      }
    }
    if (tt[t.x].low.size() >= 5 && morph::looks_like_patronymic(tt[t.x].low)) { ev[i] = kStrong; continue; }
    int shape = morph::surname_shape(tt[t.x].low);
    if (shape == 2 && morph::is_adjectival_sky(tt[t.x].low)) {
      // "Ленинградская область", "Новочеркасский гарнизонный": an adjective before a
      // lower-case noun is not a surname.
      if (i + 1 < n && !toks[i + 1].cap && joinable(s, t, toks[i + 1])) shape = 0;
    }
    if (t.allcaps && shape < 3) { neg[i] = true; continue; }
    if (shape == 3) ev[i] = (t.sent_start && tt[t.x].low.size() < 6) ? kWeak : kStrong;
    else if (shape == 2) ev[i] = t.sent_start ? kWeak : kStrong;
    else if (shape == 1) ev[i] = kWeak;
  }
  auto cue_before = [&](std::size_t i, bool callsign) {
    // Skip back over "of Justice" / "юстиции" / "Lt. Col." and the like.
    std::size_t k = i;
    int steps = 0;
    while (k > 0 && steps < 4) {
      ensure_key(s, toks[k - 1], tt, spellings);
      if (k >= 2) ensure_key(s, toks[k - 2], tt, spellings);
      const Token& p = toks[k - 1];
      const std::string_view gap = s.substr(p.e, toks[k].b - p.e);
      if (gap.find('\n') != std::string_view::npos) return false;
      bool gap_ok = true;
      // A full stop only after an abbreviation ("Lt. Col.", "адв."), never after a sentence.
      static const std::unordered_set<std::string> kAbbrev = {"lt", "col", "capt", "sht", "pvt", "mr", "mrs",
                                                              "ms", "dr", "prof", "adv", "hen", "mai", "cpl",
                                                              "brih", "cmdr", "st", "ml", "serh", "kap"};
      for (char c : gap)
        if (!(is_space(c) || (c == '.' && kAbbrev.count(tt[p.x].key)) || c == '"' || c == '\'' ||
              static_cast<unsigned char>(c) >= 0x80 || (callsign && (c == ':' || c == ','))))
          gap_ok = false;
      if (!gap_ok) return false;
      if (callsign) {
        if (gz.callsign_cues.count(tt[p.x].key)) {
          if (tt[p.x].key == "as" || tt[p.x].key == "known") return toks[i].quoted;
          return true;
        }
        if (tt[p.x].key == "sihn" && k >= 2 && tt[toks[k - 2].x].key == "cal") return true;  // "call sign"
      } else if (gz.titles.count(tt[p.x].key)) {
        return true;
      }
      if (tt[p.x].key == "iusticii" || tt[p.x].key == "of" || tt[p.x].key == "iustici" || tt[p.x].key == "iusticai" || tt[p.x].key == "iustice" ||
          tt[p.x].key == "the" || tt[p.x].key == "a" || tt[p.x].key == "guard" || tt[p.x].key == "star" || tt[p.x].key == "senior" ||
          tt[p.x].key == "iunior" || tt[p.x].key == "stars" || tt[p.x].key == "mladS" || tt[p.x].key == "starS") {
        --k;
        ++steps;
        continue;
      }
      if (gz.titles.count(tt[p.x].key)) { --k; ++steps; continue; }
      return false;
    }
    return false;
  };
  // A quoted single word near a call-sign cue that cue_before does not see: further back in
  // the same sentence ("Позывной у командира подвала «Клёст»"), right after it ("«Ёж»
  // (позывной, ...)"), or after a verb of naming and "себя" ("называл себя «Сибиряк»").
  auto callsign_near = [&](std::size_t i) {
    if (!toks[i].quoted) return false;
    static const std::string kSelf[] = {text::key_of_utf8("себя"), text::key_of_utf8("себе"), "himself", "herself"};
    static const std::string kNaming[] = {text::key_of_utf8("назыв"), text::key_of_utf8("назва"),
                                          text::key_of_utf8("назив"), "call", "nam"};
    for (std::size_t k = i, words = 0; k > 0 && words < 6; --k, ++words) {
      const Token& p = toks[k - 1];
      const std::string_view gap = s.substr(p.e, toks[k].b - p.e);
      if (gap.find_first_of("\n.!?;") != std::string_view::npos) break;
      ensure_key(s, toks[k - 1], tt, spellings);
      const std::string& key = tt[p.x].key;
      if (gz.callsign_cues.count(key) && key != "as" && key != "known") return true;
      if (k == i && k >= 2 && std::find(std::begin(kSelf), std::end(kSelf), key) != std::end(kSelf)) {
        ensure_key(s, toks[k - 2], tt, spellings);
        for (const auto& v : kNaming)
          if (starts_with(tt[toks[k - 2].x].key, v)) return true;
      }
    }
    if (i + 1 < toks.size()) {
      const std::string_view gap = s.substr(toks[i].e, toks[i + 1].b - toks[i].e);
      if (gap.size() <= 8 && gap.find_first_of("\n.!?;") == std::string_view::npos) {
        ensure_key(s, toks[i + 1], tt, spellings);
        const std::string& key = tt[toks[i + 1].x].key;
        if (gz.callsign_cues.count(key) && key != "as" && key != "known" && key != "called" && key != "named") return true;
      }
    }
    return false;
  };
  auto is_connector = [&](Token& t) {
    ensure_key(s, t, tt, spellings);
    static const std::unordered_set<std::string> kConn = {"and", "or", "i", "ta", "ili", "abo", "but", "a", "no", "ale",
                                                          "vas", "is", "said", "sais", "vho", "vhom", "vhiC", "told",
                                                          "asked", "skazal", "skazav", "kotori", "kotoroho", "iaki",
                                                          "iakoho", "vas"};
    return kConn.count(tt[t.x].key) > 0;
  };
  std::vector<std::pair<std::size_t, std::size_t>> runs;
  std::vector<bool> run_doubt;
  // Over the capitalised words only (the rest are skipped by the first test below).
  std::size_t next_run = 0;
  for (const std::uint32_t ci : caps) {
    const std::size_t i = ci;
    if (i < next_run) continue;
    const Token& t = toks[i];
    if ((!t.cap && !t.initial) || t.blocked || t.consumed || neg[i] || tt[t.x].key.empty() ||
        (tt[t.x].low.size() < 2 && !t.initial)) {
      continue;
    }
    std::size_t j = i;
    while (j + 1 < n && joinable(s, toks[j], toks[j + 1]) && !toks[j + 1].blocked && !toks[j + 1].consumed &&
           !neg[j + 1] && (toks[j + 1].cap || toks[j + 1].initial) && !tt[toks[j + 1].x].key.empty() && j - i < 4)
      ++j;
    int strong = 0, weak = 0, words = 0;
    for (std::size_t k = i; k <= j; ++k) {
      if (toks[k].initial) continue;
      ++words;
      if (ev[k] == kStrong) ++strong;
      else if (ev[k] == kWeak) ++weak;
    }
    bool person = false, doubt = true;
    const bool title = cue_before(i, false);
    const bool callsign = cue_before(i, true) || (i == j && callsign_near(i));
    if (words == 0) {
      next_run = j + 1;
      continue;
    }
    if (strong > 0) {
      person = true;
      doubt = false;
    } else if (title || callsign) {
      person = true;
    } else if (weak > 0 && words >= 2) {
      person = true;
    } else if (weak > 0 && !t.sent_start && !t.latin && !t.allcaps) {
      person = true;  // Cyrillic capitalised word with a weak surname shape mid-sentence
    } else if (weak > 0 && !t.sent_start && t.latin && !t.allcaps && i == j && tt[t.x].low.size() >= 6 &&
               (tt[t.x].low.back() == U'n' || (tt[t.x].low.size() > 2 && tt[t.x].low.compare(tt[t.x].low.size() - 2, 2, U"na") == 0))) {
      person = true;  // "told Pronin that": a Latin -in/-ina surname mid-sentence
    } else if (t.quoted && i == j && !t.allcaps) {
      // «Шаман», "Fox": a quoted capitalised word, unless a lower-case noun follows
      // ("Storm" detachment, «Шторм-Z» под...).
      std::size_t q = t.e;
      text::next_code_point(s, q);  // the closing quote
      const bool dash = q < s.size() && s[q] == '-';
      bool noun_after = false;
      if (j + 1 < n && toks[j + 1].b <= q + 2 && !toks[j + 1].cap && !is_connector(toks[j + 1])) {
        bool spaces = true;
        for (std::size_t g = q; g < toks[j + 1].b; ++g) spaces = spaces && is_space(s[g]);
        noun_after = spaces;
      }
      // Only with a hint that a person is meant: an indefinite word before it ("якийсь
      // «Шаман»", "некий «Барс»") or a person it is listed with ("Бурлаков Егор и «Малой»").
      // A quoted word alone is more often a project, a channel or an outlet («Медиазоны»).
      bool hint = false;
      if (i > 0) {
        Token& p1 = toks[i - 1];
        ensure_key(s, p1, tt, spellings);
        static const std::unordered_set<std::string> kIndefinite = {
            "iakis", "iakas", "kakoi", "to", "neki", "nekto", "takoi", "htos", "someone", "somebodi", "certain",
            "hui", "man", "kakaia", "nekaia", "deiaki", "nekoi"};
        static const std::unordered_set<std::string> kAnd = {"i", "ta", "and", "or", "ili", "abo", "a"};
        if (kIndefinite.count(tt[p1.x].key)) hint = true;
        if (kAnd.count(tt[p1.x].key) && i >= 2 && toks[i - 2].consumed) hint = true;
      }
      person = !dash && !noun_after && hint;
    }
    if (!person) {
      // Single-word runs that failed may still be a given name after a rank etc. Nothing else.
      next_run = j + 1;
      continue;
    }
    // Leading initials without a name after them are not part of a run ("S." alone).
    runs.push_back({i, j});
    run_doubt.push_back(doubt);
    for (std::size_t k = i; k <= j; ++k) toks[k].consumed = 2;
    next_run = j + 1;
  }
  // Number unregistered persons and learn their surnames for the rest of the session.
  auto learn = [&](const Token& t, int number) {
    // Memory stays bounded on endless input: past the cap, nothing new is learned (a later
    // bare mention of a new surname is then found only by its shape).
    if (learned.size() > kMaxLearnedForms) return;
    if (learned_number(tt[t.x]) != 0) return;  // forms already known
    learned.emplace(tt[t.x].key, number);
    const std::u32string cyr = text::cyrillic_reading(tt[t.x].low);
    std::vector<std::u32string> stems{cyr};
    static const std::u32string_view kEnds[] = {U"ом", U"ем", U"ым", U"им", U"ой", U"ою", U"ові", U"а", U"у", U"е", U"ы", U"і", U"и"};
    for (auto e : kEnds)
      if (cyr.size() > e.size() + 2 && cyr.compare(cyr.size() - e.size(), e.size(), e) == 0)
        stems.push_back(cyr.substr(0, cyr.size() - e.size()));
    for (const auto& st : stems)
      for (const auto& f : morph::surname_forms(st)) {
        const std::string k = text::key_of(f);
        if (k.size() >= 3 && !gz.given.count(k) && !gz.places.count(k) && !gz.non_names.count(k)) learned.emplace(k, number);
      }
    if (t.latin) learned.emplace(tt[t.x].key + "s", number);
  };
  auto number_for = [&](std::size_t a, std::size_t b) {
    int num = -1;
    for (std::size_t k = a; k <= b && num < 0; ++k) {
      if (toks[k].initial || given[k]) continue;
      if (const int known = learned_number(tt[toks[k].x]); known != 0) num = known;
    }
    // A given name and a patronymic without a surname ("Зинаида Петровна", "Зинаиды Петровны"):
    // one person at every mention, keyed on the name group and the patronymic's stem.
    std::string name_key;
    {
      std::uint32_t group = 0;
      bool has_given = false, other = false;
      std::string patronymic;
      for (std::size_t k = a; k <= b; ++k) {
        if (toks[k].initial) continue;
        if (given[k]) {
          if (auto g = gz.given_name(tt[toks[k].x].key, toks[k].latin)) {
            group = g->group;
            has_given = true;
          }
        } else if (morph::patronymic_in_any_case(tt[toks[k].x].low)) {
          patronymic = patronymic_stem(tt[toks[k].x].key);
        } else {
          other = true;
        }
      }
      if (has_given && !patronymic.empty() && !other) name_key = std::to_string(group) + ' ' + patronymic;
    }
    if (num < 0 && !name_key.empty())
      if (auto it = given_patronymic.find(name_key); it != given_patronymic.end()) num = it->second;
    if (num < 0) {
      bool only_given = true;
      for (std::size_t k = a; k <= b; ++k)
        if (!toks[k].initial && !given[k]) only_given = false;
      if (only_given)
        for (std::size_t k = a; k <= b && num < 0; ++k)
          if (given[k])
            if (auto g = gz.given_name(tt[toks[k].x].key, toks[k].latin))
              if (auto it = given_group.find(g->group); it != given_group.end()) num = it->second;
    }
    if (num < 0) num = ++unreg_counter;
    if (!name_key.empty()) given_patronymic[name_key] = num;
    for (std::size_t k = a; k <= b; ++k) {
      if (toks[k].initial) continue;
      if (given[k]) {
        if (auto g = gz.given_name(tt[toks[k].x].key, toks[k].latin)) given_group[g->group] = num;
      } else if (morph::patronymic_in_any_case(tt[toks[k].x].low)) {
        continue;
      } else {
        learn(toks[k], num);
      }
    }
    return num;
  };
  for (std::size_t r = 0; r < runs.size(); ++r) {
    auto [a, b] = runs[r];
    // Drop trailing initials' dots handled below; leading lone initials are fine.
    Candidate c;
    c.b = toks[a].b;
    c.e = toks[b].e;
    if (toks[b].initial && c.e < s.size() && s[c.e] == '.') ++c.e;
    c.kind = Kind::kPerson;
    c.reason = "heuristic:name";
    c.doubtful = true;
    c.unreg = number_for(a, b);
    cands.push_back(c);
  }
  // Family-member spans found next to register mentions get numbers too.
  for (auto& c : cands) {
    if (c.kind == Kind::kPerson && c.unreg == 0) c.unreg = number_for(c.tlo, c.thi);
  }
  // Second pass: later mentions of learned surnames ("Ситник помер", "Волке").
  for (const std::uint32_t i : caps) {
    const Token& t = toks[i];
    if (!t.cap || t.initial || t.blocked || t.consumed || tt[t.x].key.empty()) continue;
    const int number = learned_number(tt[t.x]);
    if (number == 0) continue;
    Candidate c;
    c.b = t.b;
    c.e = t.e;
    c.kind = Kind::kPerson;
    c.reason = "heuristic:same-surname";
    c.doubtful = true;
    c.unreg = number;
    cands.push_back(c);
  }

  // A date right after a person's name is a date of birth ("Иванов Иван, 01.02.1990").
  {
    std::vector<std::size_t> person_ends;
    for (const auto& c : cands)
      if (c.kind == Kind::kPerson) person_ends.push_back(c.e);
    std::sort(person_ends.begin(), person_ends.end());
    for (auto& f : patterns::find_plain_dates(s)) {
      auto it = std::upper_bound(person_ends.begin(), person_ends.end(), f.begin);
      if (it == person_ends.begin()) continue;
      const std::size_t pe = *(it - 1);
      const std::string_view gap = s.substr(pe, f.begin - pe);
      if (gap.size() > 4) continue;
      bool ok = true;
      for (char c : gap) ok = ok && (c == ',' || c == ' ' || c == '(' || c == '.');
      if (!ok) continue;
      Candidate c;
      c.b = f.begin;
      c.e = f.end;
      c.kind = Kind::kDob;
      c.reason = f.reason;
      c.doubtful = true;
      cands.push_back(c);
    }
  }

  // 5. Resolve overlaps: overlapping spans merge; the longest one names the result.
  std::sort(cands.begin(), cands.end(), [](const Candidate& a, const Candidate& b) {
    if (a.b != b.b) return a.b < b.b;
    return a.e > b.e;
  });
  std::vector<Candidate> spans;
  for (auto& c : cands) {
    if (c.e <= c.b) continue;
    if (!spans.empty() && c.b < spans.back().e) {
      Candidate& last = spans.back();
      const bool longer = (c.e - c.b) > (last.e - last.b);
      if (longer) {
        const std::size_t b = last.b;
        const std::size_t e = std::max(last.e, c.e);
        last = c;
        last.b = b;
        last.e = e;
      } else {
        last.e = std::max(last.e, c.e);
      }
      continue;
    }
    spans.push_back(c);
  }

  // 6. Keep list, replacements, output.
  std::string out;
  out.reserve(s.size());
  std::size_t pos = 0;
  for (auto& c : spans) {
    const std::string_view surface = s.substr(c.b, c.e - c.b);
    if (!keep_nfc.empty()) {
      const std::string k = nfc(surface);
      if (std::find(keep_nfc.begin(), keep_nfc.end(), k) != keep_nfc.end()) continue;
    }
    std::string repl;
    if (c.kind == Kind::kPerson) {
      if (c.person >= 0) repl = label_for(static_cast<std::uint32_t>(c.person));
      else repl = "[PERSON " + std::to_string(c.unreg > 0 ? c.unreg : ++unreg_counter) + "]";
    } else {
      repl = patterns::replacement_for(c.kind);
    }
    out.append(s.substr(pos, c.b - pos));
    out.append(repl);
    pos = c.e;
    if (report) {
      Span sp;
      sp.begin = c.b;
      sp.end = c.e;
      sp.category = patterns::category_name(c.kind);
      sp.reason = c.reason;
      sp.registered = c.registered;
      sp.doubtful = c.doubtful;
      sp.replacement = repl;
      report->push_back(std::move(sp));
    }
  }
  out.append(s.substr(pos));
  return out;
}

}  // namespace fieldnotes::redact
