// Dates of birth: after a birth cue (born, d.o.b., родился, д.р., народився, р.н. ...), with
// a suffix ("1990 г.р.", "1961 р.н."), in the birth column of a table, and every plain numeric
// date that the engine takes for a date of birth when it follows a person's name.
#include <re2/re2.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <string>
#include <unordered_set>

#include "src/redact/patterns_internal.h"
#include "src/text/name_key.h"
#include "src/text/utf8.h"

namespace fieldnotes::redact::patterns {

using namespace internal;

namespace {

const std::unordered_set<std::string>& month_words() {
  static const std::unordered_set<std::string> s = [] {
    std::unordered_set<std::string> m;
    for (const char* w :
         {"january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
          "november", "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov",
          "dec", "января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября",
          "октября", "ноября", "декабря", "січня", "лютого", "березня", "квітня", "травня", "червня", "липня",
          "серпня", "вересня", "жовтня", "листопада", "грудня"})
      m.insert(w);
    return m;
  }();
  return s;
}

bool is_ordinal_word(const std::string& lw) {
  static const char* kStems[] = {"перв", "втор", "трет", "четв", "пят", "шест", "седьм", "восьм", "девят", "десят",
                                 "одиннадцат", "двенадцат", "тринадцат", "четырнадцат", "пятнадцат", "шестнадцат",
                                 "семнадцат", "восемнадцат", "девятнадцат", "двадцат", "тридцат", "сорок",
                                 "девяност", "тысячн", "двухтысячн", "перш", "друг", "четверт", "п'ят", "шост",
                                 "сьом", "восьм", "дев'ят", "двадцят", "тридцят"};
  static const char* kEnds[] = {"ого", "ой", "ая", "ое", "ый", "ий", "го", "ому", "ого", "ої", "ий", "е"};
  static const char* kEn[] = {"first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth",
                              "tenth", "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth",
                              "seventeenth", "eighteenth", "nineteenth", "twentieth", "thirtieth"};
  for (const char* e : kEn)
    if (lw == e) return true;
  for (const char* st : kStems) {
    if (lw.rfind(st, 0) != 0) continue;
    for (const char* e : kEnds) {
      const std::size_t n = std::char_traits<char>::length(e);
      if (lw.size() > n && lw.compare(lw.size() - n, n, e) == 0) return true;
    }
  }
  return false;
}

struct WordTok {
  std::size_t b, e;
  std::string lower;
  bool digits;
};

// Words and digit runs of a window of text, lower-cased.
std::vector<WordTok> words_in(std::string_view s, std::size_t from, std::size_t to) {
  std::vector<WordTok> out;
  std::size_t i = from;
  while (i < to) {
    std::size_t j = i;
    char32_t c = text::next_code_point(s, j);
    if (c >= '0' && c <= '9') {
      std::size_t k = i;
      while (k < to && s[k] >= '0' && s[k] <= '9') ++k;
      out.push_back({i, k, std::string(s.substr(i, k - i)), true});
      i = k;
    } else if (text::is_letter(c)) {
      std::size_t k = i;
      std::string lw;
      while (k < to) {
        std::size_t k2 = k;
        char32_t d = text::next_code_point(s, k2);
        const bool apos = (d == '\'' || d == 0x2019) && k2 < to;
        if (!text::is_letter(d) && !(apos && text::is_letter(cp_at(s, k2)))) break;
        text::append_utf8(lw, text::to_lower(d));
        k = k2;
      }
      out.push_back({i, k, lw, false});
      i = k;
    } else {
      i = j;
    }
  }
  return out;
}

// End of the sentence that starts at `from`: a full stop, ! or ? followed by a space and an
// upper-case letter or a line break; or a line break. Bounded by `limit`.
std::size_t sentence_end(std::string_view s, std::size_t from, std::size_t limit) {
  limit = std::min(limit, s.size());
  for (std::size_t i = from; i < limit; ++i) {
    const char c = s[i];
    if (c == '\n') return i;
    if ((c == '.' || c == '!' || c == '?') && i + 1 < s.size()) {
      const char n = s[i + 1];
      if (n == '\n') return i;
      if (n == ' ' && i + 2 < s.size()) {
        std::size_t k = i + 2;
        char32_t u = text::next_code_point(s, k);
        if (text::is_upper(u)) return i;
      }
    }
  }
  return limit;
}

// ----- Birth cues ---------------------------------------------------------------------------
// born, b., dob, d.o.b., date of birth, birth date; родился/родилась, рождения/рождение, д.р.;
// народився/народилася, народження, нар., р.н. — in any case, at the start of a word (after
// a character that is not a letter, digit or '_'). Compared by hand rather than by a regular
// expression over the whole text: only words that begin with b, d, р, д or н are looked at.


// Case folding as RE2's (?i) does it for the letters of the cues (Unicode simple folding:
// the Cyrillic capitals, and the old Cyrillic letter forms U+1C80..U+1C83).
char32_t cue_fold(char32_t c) {
  if (c < 0x80) return (c >= 'A' && c <= 'Z') ? c + 32 : c;
  if (c >= 0x410 && c <= 0x42F) return c + 32;
  switch (c) {
    case 0x1C80: return U'в';
    case 0x1C81: return U'д';
    case 0x1C82: return U'о';
    case 0x1C83: return U'с';
    default: return c;
  }
}

// End of `word` (lower case) read at s[i], or kNone.
std::size_t cue_literal(std::string_view s, std::size_t i, std::u32string_view word) {
  for (char32_t c : word) {
    if (i == kNone || i >= s.size() || cue_fold(text::next_code_point(s, i)) != c) return kNone;
  }
  return i;
}

bool cue_space(std::string_view s, std::size_t i) {  // RE2's \s: [\t\n\f\r ]
  return i != kNone && i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\f' || s[i] == '\r');
}
std::size_t cue_optional_space(std::string_view s, std::size_t i) { return cue_space(s, i) ? i + 1 : i; }
bool ascii_word_at(std::string_view s, std::size_t i) {  // RE2's \w, for the \b after "born" and "dob"
  if (i >= s.size()) return false;
  const auto c = static_cast<unsigned char>(s[i]);
  return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') || c == '_';
}
std::size_t first_of(std::size_t a, std::size_t b) { return a != kNone ? a : b; }

// End of the birth cue that starts at s[p], or kNone.
std::size_t birth_cue_at(std::string_view s, std::size_t p) {
  std::size_t i = p;
  const char32_t c = cue_fold(text::next_code_point(s, i));
  std::size_t e = kNone;
  switch (c) {
    case 'b':
      if ((e = cue_literal(s, i, U"orn")) != kNone && !ascii_word_at(s, e)) return e;
      if ((e = cue_literal(s, i, U".")) != kNone && cue_space(s, e)) return e + 1;
      if ((e = cue_literal(s, i, U"irth")) != kNone) return cue_literal(s, cue_optional_space(s, e), U"date");
      return kNone;
    case 'd':
      if ((e = cue_literal(s, i, U"ob")) != kNone && !ascii_word_at(s, e)) return e;
      if ((e = cue_literal(s, i, U".o.b")) != kNone) return first_of(cue_literal(s, e, U"."), e);
      return cue_literal(s, i, U"ate of birth");
    case U'р':
      if ((e = cue_literal(s, i, U"одил")) != kNone) return first_of(cue_literal(s, e, U"ся"), cue_literal(s, e, U"ась"));
      if ((e = cue_literal(s, i, U"ождени")) != kNone) return first_of(cue_literal(s, e, U"я"), cue_literal(s, e, U"е"));
      if ((e = cue_literal(s, i, U".")) != kNone) return cue_literal(s, cue_optional_space(s, e), U"н.");
      return kNone;
    case U'д':
      if ((e = cue_literal(s, i, U".")) != kNone) return cue_literal(s, cue_optional_space(s, e), U"р.");
      return kNone;
    case U'н':
      if ((e = cue_literal(s, i, U"ар.")) != kNone) return e;
      if ((e = cue_literal(s, i, U"ароди")) != kNone) return first_of(cue_literal(s, e, U"вся"), cue_literal(s, e, U"лася"));
      return cue_literal(s, i, U"ародження");
    default:
      return kNone;
  }
}

// Positions right after an apostrophe (' U+2019 U+02BC): inside a word of the tokenizer, the
// only places other than its start where a letter follows a character that is not a word
// character.
std::vector<std::size_t> after_apostrophes(std::string_view s) {
  std::vector<std::size_t> out;
  for (std::size_t i = s.find('\''); i != std::string_view::npos; i = s.find('\'', i + 1)) out.push_back(i + 1);
  for (std::size_t i = s.find('\xE2'); i != std::string_view::npos; i = s.find('\xE2', i + 1))
    if (s.substr(i, 3) == "\xE2\x80\x99") out.push_back(i + 3);
  for (std::size_t i = s.find('\xCA'); i != std::string_view::npos; i = s.find('\xCA', i + 1))
    if (s.substr(i, 2) == "\xCA\xBC") out.push_back(i + 2);
  std::sort(out.begin(), out.end());
  return out;
}

// Bit (first byte << 8 | second byte) of every way a birth cue can begin (see birth_cue_at).
const std::array<std::uint64_t, 1024>& cue_starts() {
  static const std::array<std::uint64_t, 1024> table = [] {
    std::array<std::uint64_t, 1024> t{};
    auto set = [&](unsigned a, unsigned b) { t[(a << 8 | b) >> 6] |= std::uint64_t{1} << ((a << 8 | b) & 63); };
    for (unsigned a : {'b', 'B'})
      for (unsigned b : {'o', 'O', 'i', 'I', '.'}) set(a, b);
    for (unsigned a : {'d', 'D'})
      for (unsigned b : {'o', 'O', 'a', 'A', '.'}) set(a, b);
    set(0xD0, 0xB4);  // д
    set(0xD0, 0x94);  // Д
    set(0xD0, 0xBD);  // н
    set(0xD0, 0x9D);  // Н
    set(0xD1, 0x80);  // р
    set(0xD0, 0xA0);  // Р
    set(0xE1, 0xB2);  // U+1C80..U+1CBF (U+1C81, a form of д)
    return t;
  }();
  return table;
}

// Maximal runs of letters: the words of a text when the tokenizer's are not given. Their
// starts, with the positions after apostrophes, are the same set of word starts.
std::vector<std::pair<std::size_t, std::size_t>> letter_runs(std::string_view s) {
  std::vector<std::pair<std::size_t, std::size_t>> runs;
  for (std::size_t i = 0; i < s.size();) {
    std::size_t j = i;
    if (!text::is_letter(text::next_code_point(s, j))) {
      i = j;
      continue;
    }
    const std::size_t b = i;
    while (i < s.size()) {
      j = i;
      if (!text::is_letter(text::next_code_point(s, j))) break;
      i = j;
    }
    runs.push_back({b, i});
  }
  return runs;
}

std::vector<std::pair<std::size_t, std::size_t>> find_birth_cues(std::string_view s,
                                                                const std::vector<std::pair<std::size_t, std::size_t>>& words) {
  std::vector<std::pair<std::size_t, std::size_t>> out;
  const std::vector<std::size_t> apostrophes = after_apostrophes(s);
  std::size_t pos = 0, w = 0, a = 0;
  while (w < words.size() || a < apostrophes.size()) {
    std::size_t p = 0;
    if (a >= apostrophes.size() || (w < words.size() && words[w].first <= apostrophes[a])) p = words[w++].first;
    else p = apostrophes[a++];
    if (p < pos || p >= s.size()) continue;
    // A cue starts with b, d, р, д, н (either case) or U+1C81, and in Latin with bo, bi, b.,
    // do, d. or da: one bit of a table on the first two bytes rules out almost every word.
    if (p + 1 >= s.size()) continue;
    const unsigned pair = static_cast<unsigned char>(s[p]) << 8 | static_cast<unsigned char>(s[p + 1]);
    if (!((cue_starts()[pair >> 6] >> (pair & 63)) & 1)) continue;
    const std::size_t e = birth_cue_at(s, p);
    if (e == kNone || is_word_cp(cp_before(s, p))) continue;
    out.push_back({p, e});
    pos = e;
  }
  return out;
}

}  // namespace

namespace internal {

bool is_number_word(const std::string& lw) {
  static const std::unordered_set<std::string> s = [] {
    std::unordered_set<std::string> m;
    std::string all = kNumberWords;
    std::size_t p = 0;
    while (p <= all.size()) {
      std::size_t q = all.find('|', p);
      if (q == std::string::npos) q = all.size();
      m.insert(all.substr(p, q - p));
      p = q + 1;
    }
    for (const char* w : {"thousand", "тысяча", "тысячи", "тысяч", "тисяча", "тисячі", "тисяч", "and"}) m.insert(w);
    return m;
  }();
  return s.count(lw) > 0;
}
void find_dates_of_birth(std::string_view s, const std::vector<std::pair<std::size_t, std::size_t>>& windows,
                         const std::vector<std::pair<std::size_t, std::size_t>>* words, std::vector<Found>& out) {
  static const std::unique_ptr<RE2> numeric =
      compile(R"((?:\d{1,2}[./-]\d{1,2}[./-](?:19|20)?\d{2}|(?:19|20)\d{2}-\d{2}-\d{2}))");
  static const std::unique_ptr<RE2> after = compile(
      R"((?i)(?:\d{1,2}[./-]\d{1,2}[./-])?(?:19|20)\d{2}\s*,?\s*(?:г\.\s?р\.?|р\.\s?н\.?|года рождения|року народження))");
  re2::StringPiece input(s.data(), s.size());
  re2::StringPiece m;
  // "1990 г.р." starts with a digit, so it is looked for only in the digit windows (which
  // reach 80 bytes past every digit). The search may end past the window: over the white
  // space and comma after it (\s*,?\s* in the pattern) plus 40 bytes for the longest suffix, so a match
  // that starts in the window is found whole, exactly as by a scan of the whole text.
  std::size_t pos = 0;
  for (const auto& [wb, we] : windows) {
    pos = std::max(pos, wb);
    const auto white = [&](std::size_t i) {
      return i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r' || s[i] == '\f' || s[i] == '\v');
    };
    std::size_t end = we;
    while (white(end)) ++end;
    if (end < s.size() && s[end] == ',') ++end;  // "1985, р.н.": \s*,?\s* in the pattern
    while (white(end)) ++end;
    end = std::min(s.size(), end + 40);
    // Every match holds a year 19xx/20xx: a window without one is skipped without a search.
    bool year = false;
    for (std::size_t q = std::max(pos, wb); end >= 4 && !year; ++q) {
      q = next_digit(s, q, end - 3);
      if (q + 4 > end) break;
      year = (s[q] == '1' || s[q] == '2') && (s[q + 1] == '9' || s[q + 1] == '0') &&
             (s[q] != '1' || s[q + 1] == '9') && (s[q] != '2' || s[q + 1] == '0') && s[q + 2] >= '0' &&
             s[q + 2] <= '9' && s[q + 3] >= '0' && s[q + 3] <= '9';
    }
    if (!year) continue;
    while (pos < we) {
      pos = next_digit(s, pos, we);  // every match starts with a digit
      if (pos >= we || !after->Match(input, pos, end, RE2::UNANCHORED, &m, 1)) break;
      const std::size_t b = static_cast<std::size_t>(m.data() - s.data());
      const std::size_t e = b + m.size();
      if (b >= we) break;  // starts in the next window: found there
      if (!is_word_cp(cp_before(s, b))) out.push_back({b, e, Kind::kDob, "pattern:dob-suffix", false, {}});
      pos = e > pos ? e : pos + 1;
    }
  }
  // "1961 р.н., до березня 2022 року": a cue inside a date found above with its suffix closes
  // that date; the next date is another one. (Only there: "кв. 5, д.р. 12.03.1985" is a cue.)
  std::vector<std::pair<std::size_t, std::size_t>> suffixed;
  for (const auto& f : out)
    if (std::string_view(f.reason) == "pattern:dob-suffix") suffixed.push_back({f.begin, f.end});
  for (const auto& [cb, ce] : birth_cues(s, words)) {
    bool inside = false;
    for (const auto& [b, e] : suffixed) inside = inside || (b <= cb && cb < e);
    if (inside) continue;
    const std::size_t end = sentence_end(s, ce, ce + 200);
    // Numeric dates in the window.
    // The first date after the cue is the date of birth; a later date in the same sentence
    // only when it repeats the year ("родился 23.11.1990, призван 12.05.2024": the second
    // date stays) or has no year at all (a restatement: "вроде семнадцатого января").
    std::size_t p2 = ce;
    bool found = false;
    std::string year;
    auto last_year = [](std::string_view d) {
      std::size_t k = d.size();
      while (k > 0 && d[k - 1] >= '0' && d[k - 1] <= '9') --k;
      return std::string(d.substr(k));
    };
    re2::StringPiece m2;
    while (p2 < end && numeric->Match(input, p2, end, RE2::UNANCHORED, &m2, 1)) {
      const std::size_t b = static_cast<std::size_t>(m2.data() - s.data());
      const std::size_t e = b + m2.size();
      p2 = e;
      if (!found && b - ce > 80) break;
      if (is_word_cp(cp_before(s, b)) || (e < s.size() && s[e] >= '0' && s[e] <= '9')) continue;
      const std::string y = last_year(s.substr(b, e - b));
      if (found && y != year) continue;
      out.push_back({b, e, Kind::kDob, "pattern:dob", false, {}});
      if (!found) year = y;
      found = true;
    }
    // Dates in words: "30 May 1989", "fourth of March two thousand one", "двадцать первого апреля".
    auto w = words_in(s, ce, end);
    for (std::size_t i = 0; i < w.size(); ++i) {
      if (w[i].digits || !month_words().count(w[i].lower)) continue;
      std::size_t lo = i, hi = i;
      auto numeric_ish = [&](const WordTok& t) {
        return (t.digits && t.lower.size() <= 4) || is_number_word(t.lower) || is_ordinal_word(t.lower);
      };
      while (lo > 0 && (numeric_ish(w[lo - 1]) || w[lo - 1].lower == "of" || w[lo - 1].lower == "the")) --lo;
      while (lo < i && (w[lo].lower == "of" || w[lo].lower == "the")) ++lo;
      while (hi + 1 < w.size() && (numeric_ish(w[hi + 1]) || w[hi + 1].lower == "года" || w[hi + 1].lower == "року" ||
                                   w[hi + 1].lower == "г" || w[hi + 1].lower == "р"))
        ++hi;
      while (hi > i && (w[hi].lower == "and" || w[hi].lower == "of")) --hi;  // "... two thousand one, and"
      if (lo == i && hi == i) continue;
      if (w[lo].b - ce > 100 && !found) continue;
      bool other_year = false;
      for (std::size_t k = lo; k <= hi; ++k)
        if (w[k].digits && w[k].lower.size() == 4 && found && !year.empty() &&
            w[k].lower.substr(w[k].lower.size() - year.size()) != year)
          other_year = true;
      if (other_year) continue;
      out.push_back({w[lo].b, w[hi].e, Kind::kDob, "pattern:dob-words", false, {}});
      found = true;
      i = hi;
    }
    // "born 1985", "born in Kazan in 1990": a bare year soon after the cue.
    if (!found) {
      for (const auto& t : w) {
        if (t.b - ce > 60) break;
        if (t.digits && t.lower.size() == 4 && (t.lower[0] == '1' || t.lower[0] == '2')) {
          out.push_back({t.b, t.e, Kind::kDob, "pattern:dob-year", false, {}});
          break;
        }
      }
    }
  }
}

// Tables ("| Name | Born | ..."): the cells under a birth column are dates of birth.
void find_table_dates_of_birth(std::string_view s, std::vector<Found>& out) {
  std::size_t line = 0;
  int col = -1;
  while (line < s.size()) {
    std::size_t eol = s.find('\n', line);
    if (eol == std::string_view::npos) eol = s.size();
    const std::string_view l = s.substr(line, eol - line);
    const std::size_t bars = static_cast<std::size_t>(std::count(l.begin(), l.end(), '|'));
    if (bars < 2) {
      col = -1;
    } else {
      // Split cells.
      std::vector<std::pair<std::size_t, std::size_t>> cells;
      std::size_t st = 0;
      for (std::size_t i = 0; i <= l.size(); ++i) {
        if (i == l.size() || l[i] == '|') {
          cells.push_back({st, i});
          st = i + 1;
        }
      }
      if (col < 0) {
        for (std::size_t c = 0; c < cells.size(); ++c) {
          std::string cell;
          for (char32_t ch : text::to_u32(l.substr(cells[c].first, cells[c].second - cells[c].first)))
            text::append_utf8(cell, text::to_lower(ch));
          for (const char* k : {"born", "dob", "birth", "рожд", "г.р.", "р.н.", "народж"})
            if (cell.find(k) != std::string::npos) col = static_cast<int>(c);
        }
      } else if (static_cast<std::size_t>(col) < cells.size()) {
        const auto [cb, ce] = cells[static_cast<std::size_t>(col)];
        std::size_t fd = std::string_view::npos, ld = 0;
        for (std::size_t i = cb; i < ce; ++i)
          if (l[i] >= '0' && l[i] <= '9') {
            if (fd == std::string_view::npos) fd = i;
            ld = i + 1;
          }
        if (fd != std::string_view::npos) out.push_back({line + fd, line + ld, Kind::kDob, "pattern:dob-table", false, {}});
      }
    }
    line = eol + 1;
  }
}

}  // namespace internal

std::vector<std::pair<std::size_t, std::size_t>> birth_cues(std::string_view text,
                                                           const std::vector<std::pair<std::size_t, std::size_t>>* words) {
  return words ? find_birth_cues(text, *words) : find_birth_cues(text, letter_runs(text));
}
std::vector<Found> find_plain_dates(std::string_view s) {
  // The pattern \d{1,2}[./]\d{1,2}[./](?:19\d\d|200\d|201[0-2]), compared by hand at each digit
  // (every match starts with one), leftmost first and not overlapping.
  const auto digit = [&](std::size_t i) { return i < s.size() && s[i] >= '0' && s[i] <= '9'; };
  const auto sep = [&](std::size_t i) { return i < s.size() && (s[i] == '.' || s[i] == '/'); };
  const auto date_at = [&](std::size_t i) -> std::size_t {
    for (int part = 0; part < 2; ++part) {  // day and month: one or two digits, then . or /
      if (!digit(i)) return kNone;
      i += digit(i + 1) ? 2 : 1;
      if (!sep(i)) return kNone;
      ++i;
    }
    if (!digit(i) || !digit(i + 1) || !digit(i + 2) || !digit(i + 3)) return kNone;
    const char c0 = s[i], c1 = s[i + 1], c2 = s[i + 2], c3 = s[i + 3];
    const bool year = (c0 == '1' && c1 == '9') || (c0 == '2' && c1 == '0' && (c2 == '0' || (c2 == '1' && c3 <= '2')));
    return year ? i + 4 : kNone;
  };
  std::vector<Found> out;
  for (std::size_t p = 0; p < s.size(); ++p) {
    p = next_digit(s, p, s.size());
    if (p >= s.size()) break;
    const std::size_t e = date_at(p);
    if (e == kNone) continue;
    if (bounded(s, p, e)) out.push_back({p, e, Kind::kDob, "heuristic:dob-after-name", true, {}});
    p = e - 1;
  }
  return out;
}

}  // namespace fieldnotes::redact::patterns
