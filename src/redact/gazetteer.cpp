#include "src/redact/gazetteer.h"

#include <sstream>
#include <string_view>

#include "src/redact/morphology.h"
#include "src/text/name_key.h"
#include "src/text/utf8.h"

namespace fieldnotes::redact {

namespace {

const char* const kGivenNames =
#include "src/redact/data/given_names.inc"
    ;
const char* const kPlaces =
#include "src/redact/data/places.inc"
    ;
const char* const kNonNames =
#include "src/redact/data/non_names.inc"
    ;
const char* const kTitles =
#include "src/redact/data/titles.inc"
    ;

std::vector<std::string> split_words(std::string_view line) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r')) ++i;
    std::size_t j = i;
    while (j < line.size() && line[j] != ' ' && line[j] != '\t' && line[j] != '\r') ++j;
    if (j > i) out.emplace_back(line.substr(i, j - i));
    i = j;
  }
  return out;
}

template <typename F>
void for_each_line(const char* data, F f) {
  std::string_view all(data);
  std::size_t p = 0;
  while (p < all.size()) {
    std::size_t q = all.find('\n', p);
    if (q == std::string_view::npos) q = all.size();
    std::string_view line = all.substr(p, q - p);
    if (!line.empty() && line.substr(0, 2) != "//") f(line);
    p = q + 1;
  }
}

bool has_cyrillic(const std::u32string& w) {
  for (char32_t c : w)
    if (text::is_cyrillic(c)) return true;
  return false;
}

}  // namespace

const Gazetteer& Gazetteer::get() {
  static const Gazetteer g = [] {
    Gazetteer z;
    for_each_line(kGivenNames, [&](std::string_view line) {
      std::vector<std::u32string> variants;
      for (auto& w : split_words(line)) {
        if (w[0] == '*') {
          const auto u = text::lower(text::to_u32(w.substr(1)));
          for (const auto& f : has_cyrillic(u) ? morph::given_forms(u) : std::vector<std::u32string>{u})
            z.ambiguous.insert(text::key_of(f));
          continue;
        }
        variants.push_back(text::lower(text::to_u32(w)));
      }
      if (variants.empty()) return;
      // Affectionate forms of the short names (Маша -> Машенька, Таня -> Танечка, Танюша),
      // only the suffixes that no ordinary word shares.
      const std::size_t listed = variants.size();
      for (std::size_t k = 0; k < listed; ++k) {
        const std::u32string v = variants[k];
        if (v.size() < 3 || v.size() > 5 || !has_cyrillic(v) || (v.back() != U'а' && v.back() != U'я')) continue;
        const std::u32string stem = v.substr(0, v.size() - 1);
        for (const char32_t* suf : {U"енька", U"ечка", U"очка", U"юша", U"уля", U"уся"}) variants.push_back(stem + suf);
      }
      const auto id = static_cast<std::uint32_t>(z.groups.size());
      for (const auto& v : variants) {
        z.groups_of[text::key_of(v)].push_back(id);
        const auto forms = has_cyrillic(v) ? morph::given_forms(v) : std::vector<std::u32string>{v};
        const bool cyr = has_cyrillic(v);
        for (const auto& f : forms) {
          const std::string k = text::key_of(f);
          if (k.size() < 3) continue;
          auto& e = z.given.try_emplace(k, GivenEntry{id, false, false}).first->second;
          (cyr ? e.cyrillic : e.latin) = true;
        }
      }
      z.groups.push_back(std::move(variants));
    });
    // A place form that is also a form of a given name is left out: "Ивана" is a person far
    // more often than a case of "Ивано-", and a name left in the text is worse than a town
    // taken for a person.
    const auto add_place = [&](const std::u32string& form) {
      const std::string k = text::key_of(form);
      if (!z.given.count(k)) z.places.insert(k);
    };
    for_each_line(kPlaces, [&](std::string_view line) {
      for (auto& w : split_words(line)) {
        // Hyphenated names: each part (Ростов-на-Дону -> ростов, дону); only the last part
        // declines ("Ивано-Франковска": "Ивано" stays as it is).
        std::vector<std::string> parts;
        std::string part;
        std::stringstream ss(w);
        while (std::getline(ss, part, '-')) parts.push_back(part);
        for (std::size_t n = 0; n < parts.size(); ++n) {
          const auto u = text::lower(text::to_u32(parts[n]));
          if (u.size() < 3) continue;
          add_place(u);
          if (!has_cyrillic(u) || n + 1 < parts.size()) continue;
          for (const auto& f : morph::surname_forms(u)) add_place(f);
          // Towns in -о/-е decline in speech: в Иванове, из Пушкина.
          if (u.back() == U'о' || u.back() == U'е')
            for (const char32_t* e : {U"а", U"у", U"ом", U"е"}) add_place(u.substr(0, u.size() - 1) + e);
        }
      }
    });
    for_each_line(kNonNames, [&](std::string_view line) {
      for (auto& w : split_words(line)) {
        const bool maker = w[0] == '+', model = w[0] == '^';
        const auto u = text::lower(text::to_u32(maker || model ? w.substr(1) : w));
        std::vector<std::u32string> forms{u};
        if ((maker || model) && has_cyrillic(u)) forms = morph::surname_forms(u);  // на Тойоте, у Рено
        for (const auto& f : forms) {
          const std::string k = text::key_of(f);
          if (maker) z.makers.insert(k);
          if (model) z.models.insert(k);
          if (maker || model) continue;
          // An entry that shares its key with a given name's own spelling (not one of its case
          // forms, and no ordinary word) is left out: "июля" is lower-case in a sentence, so a
          // capitalised "Юлия"/"Yulia" is the name ("Марта" likewise). Keys are the same in both
          // scripts, so this also keeps Latin entries from hiding Cyrillic names.
          if (z.groups_of.count(k) && !z.ambiguous.count(k)) continue;
          z.non_names.insert(k);
        }
      }
    });
    for_each_line(kTitles, [&](std::string_view line) {
      for (auto& w : split_words(line)) {
        const bool cue = w[0] == '=';
        const auto u = text::lower(text::to_u32(cue ? w.substr(1) : w));
        auto& set = cue ? z.callsign_cues : z.titles;
        set.insert(text::key_of(u));
        if (has_cyrillic(u))
          for (const auto& f : morph::given_forms(u)) set.insert(text::key_of(f));
      }
    });
    for (const char* w : {"called", "named", "nicknamed", "known", "as"}) z.callsign_cues.insert(text::key_of_utf8(w));
    return z;
  }();
  return g;
}

}  // namespace fieldnotes::redact
