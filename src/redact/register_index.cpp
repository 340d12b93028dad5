#include "src/redact/register_index.h"

#include <algorithm>

#include "src/redact/gazetteer.h"
#include "src/redact/morphology.h"
#include "src/text/name_key.h"
#include "src/text/utf8.h"

namespace fieldnotes::redact {

using patterns::Kind;

RegisterIndex::~RegisterIndex() {
  auto wipe_all = [](std::vector<std::string>& strings) {
    for (auto& s : strings) wipe_string(s);
  };
  for (auto& p : people) {
    wipe_string(p.pseudonym);
    for (auto& keys : p.bases) wipe_all(keys);
  }
  wipe_map(forms);
  wipe_map(typo);
  wipe_map(phones);
  wipe_map(emails);
  wipe_map(handles);
  for (auto& c : compacts) wipe_string(c.text);
  wipe_map(compact_by_prefix);
  wipe_map(initials);
  wipe_map(lower_surfaces, [](std::string& key) { wipe_string(key); });
  wipe_map(given_cache, [&](GivenKeys& g) {
    wipe_all(g.bases);
    wipe_all(g.forms);
  });
}

RegisterIndex RegisterIndex::build(const std::vector<PersonEntry>& people) {
  RegisterIndex index;
  (void)Gazetteer::get();
  for (const auto& entry : people) index.add_entry(entry);
  index.finish();
  return index;
}

void RegisterIndex::add_entry(const PersonEntry& entry) {
  bool changed = false;
  const std::string name = text::nfc(text::repair_utf8(entry.name, &changed));
  const auto p = static_cast<std::uint32_t>(people.size());
  Person person;
  person.role = entry.role;
  person.pseudonym = entry.pseudonym;
  person.disclose = entry.disclose;
  people.push_back(std::move(person));
  if (!name.empty()) add_name(p, name, false);
  for (const auto& a : entry.aliases) add_name(p, text::nfc(text::repair_utf8(a, &changed)), true);
  index_initials(p);
  for (const auto& ph : entry.phones) {
    const std::string d = patterns::phone_digits(ph);
    if (d.size() >= 6) phones.emplace(d, p);  // compared as digit strings, not compact text
  }
  for (const auto& em : entry.emails) {
    emails.emplace(text::lower_ascii(em), p);
    add_compact(em, p, Kind::kEmail);
  }
  for (const auto& h : entry.handles) {
    std::string handle = text::lower_ascii(h);
    if (!handle.empty() && handle[0] == '@') handle.erase(0, 1);
    if (!handle.empty()) handles.emplace(handle, p);
    add_compact(handle, p, Kind::kHandle);
  }
  for (const auto& id : entry.identifiers) add_compact(text::nfc(text::repair_utf8(id, &changed)), p, Kind::kId);
  for (const auto& ad : entry.addresses) add_compact(text::nfc(text::repair_utf8(ad, &changed)), p, Kind::kAddress);
}

// Hits sorted by person: the matcher finds one person's parts by binary search.
// Merged duplicates: one hit per (person, part), primary if any copy was.
void RegisterIndex::finish() {
  auto by_person_part = [](const Hit& a, const Hit& b) {
    return a.person != b.person ? a.person < b.person : a.part < b.part;
  };
  auto dedupe = [&](std::vector<Hit>& v) {
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
  build_lower_filter();
  for (auto& [k, v] : forms) dedupe(v);
  for (auto& [k, v] : typo) dedupe(v);
  for (const auto& [k, v] : typo) typo_prefixes.insert(prefix2(k));
  for (const auto& [k, v] : forms)
    if (k.size() + 1 >= kTypoMinKey)
      for (const auto& h : v)
        if (h.part == kFamily) { typo_prefixes.insert(prefix2(k)); break; }
}

void RegisterIndex::index_initials(std::uint32_t p) {
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

void RegisterIndex::add_form(const std::u32string& form, std::uint32_t person, Part part, bool primary) {
  const std::string k = text::key_of(form);
  if (k.size() < 2) return;
  // Duplicates are removed once at the end of compile() (a scan here would be quadratic
  // in the number of people sharing a name).
  forms[k].push_back({person, part, primary});
}

void RegisterIndex::add_typos(const std::u32string& form, std::uint32_t person) {
  const std::string k = text::key_of(form);
  if (k.size() < kTypoMinKey) return;
  for (std::size_t i = 0; i < k.size(); ++i) {
    std::string d = k.substr(0, i) + k.substr(i + 1);
    auto& v = typo[d];
    if (v.empty() || v.back().person != person) v.push_back({person, kFamily, true});
  }
}

void RegisterIndex::build_lower_filter() {
  std::size_t bits = std::size_t{1} << 16;
  while (bits < lower_surfaces.size() * 16 && bits < (std::size_t{1} << 28)) bits <<= 1;
  lower_filter.assign(bits / 64, 0);
  lower_filter_mask = bits - 1;
  for (const auto& [u, k] : lower_surfaces) {
    const std::uint64_t slot = spelling_hash(u) & lower_filter_mask;
    lower_filter[slot >> 6] |= std::uint64_t{1} << (slot & 63);
  }
}

void RegisterIndex::add_lower_surface(const std::u32string& w) {
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

// Keys of every form of a given name with its variants and diminutives (cached per name).
const RegisterIndex::GivenKeys& RegisterIndex::given_keys(const std::u32string& name) {
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
    if (v.size() < 3 || v.size() > 5 || !text::has_cyrillic(v)) continue;
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
    if (text::has_cyrillic(v) && v.size() >= 3 && !gz.ambiguous.count(text::key_of(v))) add_lower_surface(v);
    gk.bases.push_back(text::key_of(v));
    gk.forms.push_back(gk.bases.back());
    if (text::has_cyrillic(v) || v == cyr)
      for (const auto& f : morph::given_forms(text::has_cyrillic(v) ? v : cyr, true)) gk.forms.push_back(text::key_of(f));
  }
  for (auto* list : {&gk.bases, &gk.forms}) {
    std::sort(list->begin(), list->end());
    list->erase(std::unique(list->begin(), list->end()), list->end());
  }
  return given_cache.emplace(name_key, std::move(gk)).first->second;
}

void RegisterIndex::add_given(std::uint32_t p, const std::u32string& name) {
  const GivenKeys& gk = given_keys(name);
  auto& bases = people[p].bases[kGiven];
  bases.insert(bases.end(), gk.bases.begin(), gk.bases.end());
  for (const auto& k : gk.forms)
    if (k.size() >= 2) forms[k].push_back({p, kGiven, true});
  people[p].has[kGiven] = true;
}

void RegisterIndex::add_patronymic(std::uint32_t p, const std::u32string& name) {
  const std::u32string cyr = text::cyrillic_reading(name);
  people[p].bases[kPatronymic].push_back(text::key_of(name));
  add_form(name, p, kPatronymic, true);
  for (const auto& f : morph::patronymic_forms(cyr)) add_form(f, p, kPatronymic, true);
  people[p].has[kPatronymic] = true;
}

// `gender`: the person's, by the patronymic or given name (kUnknownGender when neither tells).
void RegisterIndex::add_family(std::uint32_t p, const std::u32string& name, Gender gender) {
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
void RegisterIndex::add_name(std::uint32_t p, std::string_view name, bool alias) {
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

void RegisterIndex::add_compact(std::string_view s, std::uint32_t p, patterns::Kind kind) {
  std::u32string c = text::compact(s);
  // Identifiers and addresses without a digit are not looked for (they would be found
  // only by a scan of the whole text; names in them are matched as names anyway).
  if (c.size() < 5 || c.find_first_of(U"0123456789") == std::u32string::npos) return;
  compact_by_prefix[c.substr(0, kCompactPrefix)].push_back(static_cast<std::uint32_t>(compacts.size()));
  compacts.push_back({std::move(c), p, kind});
}

}  // namespace fieldnotes::redact
