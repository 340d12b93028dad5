#include "src/redact/name_heuristics.h"

#include <algorithm>
#include <iterator>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "src/redact/gazetteer.h"
#include "src/redact/morphology.h"
#include "src/text/name_key.h"
#include "src/text/utf8.h"

namespace fieldnotes::redact {

namespace {

bool starts_with(const std::string& s, const std::string& p) { return s.size() >= p.size() && s.compare(0, p.size(), p) == 0; }

// A car make and its model: "Renault Logan", «на Тойоте Камри». Both words must be on the
// lists, so a person named like a make ("Лада Петрова", "Шкода Петро") is still found.
bool is_car_make_or_model(ChunkScan& scan, std::size_t i) {
  const std::string_view s = scan.text;
  const std::vector<Token>& toks = scan.tokens();
  const Gazetteer& gz = Gazetteer::get();
  const std::size_t n = toks.size();
  const auto adjacent = [&](std::size_t a) {  // toks[a] and toks[a + 1]: one space or '-'
    const std::string_view gap = s.substr(toks[a].e, toks[a + 1].b - toks[a].e);
    return toks[a + 1].b - toks[a].e <= 2 && gap.find_first_not_of(" -") == std::string_view::npos;
  };
  const std::string& key = scan.key_of(toks[i]);
  const bool model_after = i + 1 < n && toks[i + 1].cap && adjacent(i) && gz.makers.count(key) &&
                           gz.models.count(scan.key_of(toks[i + 1])) > 0;
  const bool make_before = i > 0 && toks[i - 1].cap && adjacent(i - 1) && gz.models.count(key) &&
                           gz.makers.count(scan.key_of(toks[i - 1]));
  return model_after || make_before;
}

// A list of places: "в Пскове, Тамбове и Иванове" — a word in the same case right after a
// place (across a comma or "и") is a place too.
bool continues_list_of_places(ChunkScan& scan, std::size_t i) {
  const std::string_view s = scan.text;
  std::vector<Token>& toks = scan.tokens();
  const Token& t = toks[i];
  std::size_t k = i - 1;
  scan.ensure_key(toks[k]);
  const std::string& before = scan.key_of(toks[k]);
  if (!toks[k].cap && (before == "i" || before == "ta" || before == "and") && k >= 1) --k;
  const std::string_view gap = s.substr(toks[k].e, t.b - toks[k].e);
  const bool list_gap = gap.size() <= 5 && gap.find('\n') == std::string_view::npos &&
                        gap.find_first_not_of(" ,иіта") == std::string_view::npos;
  const std::u32string& place = scan.text_of(toks[k]).low;
  const std::u32string& word = scan.text_of(t).low;
  return list_gap && scan.not_a_name[k] && toks[k].cap && !place.empty() && !word.empty() && place.back() == word.back() &&
         Gazetteer::get().places.count(scan.key_of(toks[k]));
}

// "в Иванове", "под Горловкой", "in Rostov": after a preposition of place, a word in the
// locative or instrumental is read as a town, not a person ("у Иванова", "на Петрова",
// "з Андрієм" can be people: those prepositions are not in the list).
bool after_place_preposition(ChunkScan& scan, std::size_t i) {
  const std::string_view s = scan.text;
  std::vector<Token>& toks = scan.tokens();
  const Token& t = toks[i];
  if (!(i > 0 && toks[i - 1].e + 1 == t.b && s[toks[i - 1].e] == ' ')) return false;
  scan.ensure_key(toks[i - 1]);
  static const std::unordered_set<std::string> kPlacePrepositions = {"v", "vo", "pod", "iz", "pid", "okolo",
                                                                     "vozle", "bilia", "in", "near"};
  if (toks[i - 1].cap || !kPlacePrepositions.count(scan.key_of(toks[i - 1]))) return false;
  const std::u32string& w = scan.text_of(t).low;
  const bool locative = !w.empty() && (w.back() == U'е' || w.back() == U'і' || w.back() == U'у' ||
                                       (w.size() > 2 && (w.compare(w.size() - 2, 2, U"ом") == 0 ||
                                                         w.compare(w.size() - 2, 2, U"ой") == 0 ||
                                                         w.compare(w.size() - 2, 2, U"ем") == 0)));
  return t.latin || locative;
}

// Evidence from the word's shape alone: a patronymic, or a surname ending (morph::surname_shape:
// 3 strong, 2 adjectival, 1 weak). Sets not_a_name for capitals-only words without a clear shape.
void weigh_by_shape(ChunkScan& scan, std::size_t i) {
  std::vector<Token>& toks = scan.tokens();
  const Token& t = toks[i];
  const std::u32string& low = scan.text_of(t).low;
  if (low.size() >= 5 && morph::looks_like_patronymic(low)) {
    scan.evidence[i] = Evidence::kStrong;
    return;
  }
  int shape = morph::surname_shape(low);
  if (shape == 2 && morph::is_adjectival_sky(low)) {
    // "Ленинградская область", "Новочеркасский гарнизонный": an adjective before a
    // lower-case noun is not a surname.
    if (i + 1 < toks.size() && !toks[i + 1].cap && joinable(scan.text, t, toks[i + 1])) shape = 0;
  }
  if (t.allcaps && shape < 3) {
    scan.not_a_name[i] = true;
    return;
  }
  if (shape == 3) scan.evidence[i] = (t.sent_start && low.size() < 6) ? Evidence::kWeak : Evidence::kStrong;
  else if (shape == 2) scan.evidence[i] = t.sent_start ? Evidence::kWeak : Evidence::kStrong;
  else if (shape == 1) scan.evidence[i] = Evidence::kWeak;
}

void weigh_word(ChunkScan& scan, std::size_t i) {
  const Token& t = scan.tokens()[i];
  const WordFacts& facts = scan.facts_of(t);
  const bool is_given_name = facts.given && (t.latin || facts.given->cyrillic);  // gz.given_name(key, t.latin)
  if (facts.non_name_place_title || is_car_make_or_model(scan, i)) {
    scan.not_a_name[i] = true;
    return;
  }
  if (i >= 1 && !is_given_name && scan.session.numbering.learned_number(scan.text_of(t)) == 0 &&
      continues_list_of_places(scan, i)) {
    scan.not_a_name[i] = true;
    return;
  }
  if (t.initial) {
    scan.evidence[i] = Evidence::kWeak;
    return;
  }
  if (is_given_name) {
    scan.given_name[i] = true;
    scan.evidence[i] = facts.ambiguous ? Evidence::kWeak : Evidence::kStrong;
    return;
  }
  if (facts.ambiguous) {
    scan.evidence[i] = Evidence::kWeak;
    return;
  }
  if (scan.session.numbering.learned_number(scan.text_of(t)) != 0) {
    scan.evidence[i] = Evidence::kStrong;
    return;
  }
  if (after_place_preposition(scan, i)) {
    scan.not_a_name[i] = true;
    return;
  }
  weigh_by_shape(scan, i);
}

bool is_connector(ChunkScan& scan, Token& t) {
  static const std::unordered_set<std::string> kConnectors = {
      "and", "or", "i", "ta", "ili", "abo", "but", "a", "no", "ale", "vas", "is", "said", "sais", "vho", "vhom", "vhiC",
      "told", "asked", "skazal", "skazav", "kotori", "kotoroho", "iaki", "iakoho", "vas"};
  return kConnectors.count(scan.key_ensured(t)) > 0;
}

}  // namespace

void weigh_capitalised_words(ChunkScan& scan) {
  const std::size_t n = scan.tokens().size();
  scan.evidence.assign(n, Evidence::kNone);
  scan.not_a_name.assign(n, false);
  scan.given_name.assign(n, false);
  for (const std::uint32_t i : scan.words.capitalised) {  // the other words are skipped by the first test
    const Token& t = scan.tokens()[i];
    if ((!t.cap && !t.initial) || t.blocked || t.consumed || scan.key_of(t).empty()) continue;
    weigh_word(scan, i);
  }
}

bool cue_before(ChunkScan& scan, std::size_t i, bool callsign) {
  const std::string_view s = scan.text;
  std::vector<Token>& toks = scan.tokens();
  const Gazetteer& gz = Gazetteer::get();
  // A full stop only after an abbreviation ("Lt. Col.", "адв."), never after a sentence.
  static const std::unordered_set<std::string> kAbbrev = {"lt", "col", "capt", "sht", "pvt", "mr", "mrs",
                                                          "ms", "dr", "prof", "adv", "hen", "mai", "cpl",
                                                          "brih", "cmdr", "st", "ml", "serh", "kap"};
  // Words skipped between a title and the name: "of Justice", "юстиции", "senior"...
  static const std::unordered_set<std::string> kSkipped = {"iusticii", "of",    "iustici", "iusticai", "iustice",
                                                           "the",      "a",     "guard",   "star",     "senior",
                                                           "iunior",   "stars", "mladS",   "starS"};
  std::size_t k = i;
  int steps = 0;
  while (k > 0 && steps < 4) {
    scan.ensure_key(toks[k - 1]);
    if (k >= 2) scan.ensure_key(toks[k - 2]);
    const Token& p = toks[k - 1];
    const std::string& key = scan.key_of(p);
    const std::string_view gap = s.substr(p.e, toks[k].b - p.e);
    if (gap.find('\n') != std::string_view::npos) return false;
    for (char c : gap)
      if (!(is_space(c) || (c == '.' && kAbbrev.count(key)) || c == '"' || c == '\'' ||
            static_cast<unsigned char>(c) >= 0x80 || (callsign && (c == ':' || c == ','))))
        return false;
    if (callsign) {
      if (gz.callsign_cues.count(key)) {
        if (key == "as" || key == "known") return toks[i].quoted;
        return true;
      }
      if (key == "sihn" && k >= 2 && scan.key_of(toks[k - 2]) == "cal") return true;  // "call sign"
    } else if (gz.titles.count(key)) {
      return true;
    }
    if (kSkipped.count(key) || gz.titles.count(key)) {
      --k;
      ++steps;
      continue;
    }
    return false;
  }
  return false;
}

bool callsign_near(ChunkScan& scan, std::size_t i) {
  const std::string_view s = scan.text;
  std::vector<Token>& toks = scan.tokens();
  const Gazetteer& gz = Gazetteer::get();
  if (!toks[i].quoted) return false;
  static const std::string kSelf[] = {text::key_of_utf8("себя"), text::key_of_utf8("себе"), "himself", "herself"};
  static const std::string kNaming[] = {text::key_of_utf8("назыв"), text::key_of_utf8("назва"),
                                        text::key_of_utf8("назив"), "call", "nam"};
  for (std::size_t k = i, words = 0; k > 0 && words < 6; --k, ++words) {
    const Token& p = toks[k - 1];
    const std::string_view gap = s.substr(p.e, toks[k].b - p.e);
    if (gap.find_first_of("\n.!?;") != std::string_view::npos) break;
    const std::string& key = scan.key_ensured(toks[k - 1]);
    if (gz.callsign_cues.count(key) && key != "as" && key != "known") return true;
    if (k == i && k >= 2 && std::find(std::begin(kSelf), std::end(kSelf), key) != std::end(kSelf)) {
      const std::string& verb = scan.key_ensured(toks[k - 2]);
      for (const auto& v : kNaming)
        if (starts_with(verb, v)) return true;
    }
  }
  if (i + 1 < toks.size()) {
    const std::string_view gap = s.substr(toks[i].e, toks[i + 1].b - toks[i].e);
    if (gap.size() <= 8 && gap.find_first_of("\n.!?;") == std::string_view::npos) {
      const std::string& key = scan.key_ensured(toks[i + 1]);
      if (gz.callsign_cues.count(key) && key != "as" && key != "known" && key != "called" && key != "named") return true;
    }
  }
  return false;
}

bool quoted_word_is_person(ChunkScan& scan, std::size_t i) {
  const std::string_view s = scan.text;
  std::vector<Token>& toks = scan.tokens();
  const Token& t = toks[i];
  const std::size_t n = toks.size();
  std::size_t q = t.e;
  text::next_code_point(s, q);  // the closing quote
  const bool dash = q < s.size() && s[q] == '-';
  bool noun_after = false;
  if (i + 1 < n && toks[i + 1].b <= q + 2 && !toks[i + 1].cap && !is_connector(scan, toks[i + 1])) {
    bool spaces = true;
    for (std::size_t g = q; g < toks[i + 1].b; ++g) spaces = spaces && is_space(s[g]);
    noun_after = spaces;
  }
  // Only with a hint that a person is meant: an indefinite word before it ("якийсь
  // «Шаман»", "некий «Барс»") or a person it is listed with ("Бурлаков Егор и «Малой»").
  // A quoted word alone is more often a project, a channel or an outlet («Медиазоны»).
  bool hint = false;
  if (i > 0) {
    static const std::unordered_set<std::string> kIndefinite = {
        "iakis", "iakas", "kakoi", "to", "neki", "nekto", "takoi", "htos", "someone", "somebodi", "certain",
        "hui", "man", "kakaia", "nekaia", "deiaki", "nekoi"};
    static const std::unordered_set<std::string> kAnd = {"i", "ta", "and", "or", "ili", "abo", "a"};
    const std::string& before = scan.key_ensured(toks[i - 1]);
    if (kIndefinite.count(before)) hint = true;
    if (kAnd.count(before) && i >= 2 && toks[i - 2].consumed) hint = true;
  }
  return !dash && !noun_after && hint;
}

}  // namespace fieldnotes::redact
