// Numbers spelled out in words ("плюс семь девять восемь...", "five five five..."): a phone or
// an identifier read aloud. Found only in zones around runs of words that can be number words.
#include <re2/re2.h>

#include <algorithm>
#include <cctype>
#include <string>
#include <unordered_set>

#include "src/redact/patterns_internal.h"
#include "src/text/name_key.h"
#include "src/text/utf8.h"

namespace fieldnotes::redact::patterns {

using namespace internal;

const char* const internal::kNumberWords =
    "ноль|нуль|один|одна|два|две|три|четыре|пять|шесть|семь|восемь|девять|десять|одиннадцать|"
    "двенадцать|тринадцать|четырнадцать|пятнадцать|шестнадцать|семнадцать|восемнадцать|"
    "девятнадцать|двадцать|тридцать|сорок|пятьдесят|шестьдесят|семьдесят|восемьдесят|девяносто|"
    "сто|двести|триста|четыреста|пятьсот|шестьсот|семьсот|восемьсот|девятьсот|"
    "дві|чотири|п'ять|п’ять|шість|сім|вісім|дев'ять|дев’ять|двадцять|тридцять|п'ятдесят|"
    "шістдесят|сімдесят|вісімдесят|дев'яносто|zero|oh|one|two|three|four|five|six|seven|eight|"
    "nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|"
    "twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|double|triple";

namespace {

// Numbers spelled out in words: "плюс семь девять восемь девять, три ноль два...". Six or more
// number words in a row (five after "plus") are a phone or an identifier read aloud.
bool number_sep(char c) { return c == ' ' || c == ',' || c == '-'; }

// Zones [begin, end) of text holding every match of the spelled-number pattern. A match has
// five number words or more, joined by runs of [ ,-]; its 2nd to 4th words are whole
// "chunks" (maximal runs of other bytes) and so whole words of the tokenizer with a separator
// on each side. A zone runs from two chunks before a run of three such words or more (the
// chunk that ends with the first number word and the one that ends with "plus") to the end of
// the chunk after it (which starts with the last). Merged when they touch.
std::vector<std::pair<std::size_t, std::size_t>> number_zones(std::string_view s,
                                                             const std::vector<std::pair<std::size_t, std::size_t>>& words) {
  std::vector<std::pair<std::size_t, std::size_t>> zones;
  const std::size_t n = words.size();
  auto qual = [&](std::size_t k) {
    const auto [b, e] = words[k];
    return b > 0 && e < s.size() && number_sep(s[b - 1]) && number_sep(s[e]) && maybe_number_word(s.substr(b, e - b));
  };
  auto joined = [&](std::size_t k) {  // only separators between words k and k + 1
    for (std::size_t i = words[k].second; i < words[k + 1].first; ++i)
      if (!number_sep(s[i])) return false;
    return true;
  };
  // A run of three qualifying words holds one whose index is a multiple of 3: test those
  // first, their neighbours only then.
  std::size_t k = 0;
  while (k < n) {
    if (!qual(k)) {
      k += 3;
      continue;
    }
    std::size_t lo = k, hi = k;
    while (lo > 0 && joined(lo - 1) && qual(lo - 1)) --lo;
    while (hi + 1 < n && joined(hi) && qual(hi + 1)) ++hi;
    if (hi - lo + 1 >= 3) {
      std::size_t zb = words[lo].first;
      for (int c = 0; c < 2; ++c) {  // back over a separator run and the chunk before it
        while (zb > 0 && number_sep(s[zb - 1])) --zb;
        while (zb > 0 && !number_sep(s[zb - 1])) --zb;
      }
      std::size_t ze = words[hi].second;
      while (ze < s.size() && number_sep(s[ze])) ++ze;
      while (ze < s.size() && !number_sep(s[ze])) ++ze;
      if (!zones.empty() && zb <= zones.back().second) zones.back().second = std::max(zones.back().second, ze);
      else zones.push_back({zb, ze});
    }
    k = (hi / 3 + 1) * 3;
  }
  return zones;
}


}  // namespace

void internal::find_spelled_numbers(std::string_view s, const std::vector<std::pair<std::size_t, std::size_t>>* words,
                                    std::vector<Found>& out) {
  static const std::unique_ptr<RE2> re = compile(std::string("(?i)(?:(плюс|plus)[ ,]+)?(?:(?:") + kNumberWords +
                                                 ")[ ,\\-]+){4,}(?:" + kNumberWords + ")");
  re2::StringPiece input(s.data(), s.size());
  re2::StringPiece m, plus;
  const auto zones = words ? number_zones(s, *words) : std::vector<std::pair<std::size_t, std::size_t>>{{0, s.size()}};
  std::size_t pos = 0;
  for (const auto& [zb, ze] : zones) {
    pos = std::max(pos, zb);
    while (pos < ze && re->Match(input, pos, ze, RE2::UNANCHORED, &m, 2)) {
      const std::size_t b = static_cast<std::size_t>(m.data() - s.data());
      const std::size_t e = b + m.size();
      pos = e > b ? e : b + 1;
      if (!bounded(s, b, e)) { pos = b + 1; continue; }
      RE2::PartialMatch(m, "(?i)^(плюс|plus)", &plus);
      const bool has_plus = !plus.empty();
      plus = re2::StringPiece();
      // Count the words.
      std::size_t nwords = 0;
      bool in = false;
      for (std::size_t i = b; i < e; ++i) {
        const bool letter = static_cast<unsigned char>(s[i]) >= 0x80 || std::isalpha(static_cast<unsigned char>(s[i])) || s[i] == '\'';
        if (letter && !in) ++nwords;
        in = letter;
      }
      if (has_plus) --nwords;
      if (nwords >= 6 || (has_plus && nwords >= 5))
        out.push_back({b, e, has_plus ? Kind::kPhone : Kind::kId, "pattern:spelled-number", !has_plus, {}});
    }
  }
}


bool simple_lower(std::string_view w, std::string& out) {
  out.clear();
  const auto* u = reinterpret_cast<const unsigned char*>(w.data());
  for (std::size_t i = 0; i < w.size();) {
    const unsigned char b0 = u[i];
    if (b0 < 0x80) {
      out.push_back(static_cast<char>(b0 >= 'A' && b0 <= 'Z' ? b0 + 32 : b0));
      ++i;
      continue;
    }
    if ((b0 != 0xD0 && b0 != 0xD1) || i + 1 >= w.size()) return false;
    const unsigned char b1 = u[i + 1];
    if ((b1 & 0xC0) != 0x80) return false;
    char32_t c = (static_cast<char32_t>(b0 & 0x1F) << 6) | (b1 & 0x3F);
    if (c >= 0x460) return false;  // U+0460.. (historic letters): not decided here
    if (c >= 0x410 && c <= 0x42F) c += 0x20;       // А..Я -> а..я
    else if (c >= 0x400 && c <= 0x40F) c += 0x50;  // Ѐ..Џ -> ѐ..џ
    out.push_back(static_cast<char>(0xC0 | (c >> 6)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    i += 2;
  }
  return true;
}

namespace {
// The number words, and a filter on (length, first byte, last byte) of their lower-case forms.
struct NumberWords {
  std::vector<std::string> list;
  std::unordered_set<std::string_view> set;
  std::vector<bool> filter = std::vector<bool>(1u << 16);
  static std::size_t key(std::size_t n, unsigned char first, unsigned char last) {
    return ((n * 257 + first) * 263 + last) & 0xFFFF;
  }
  NumberWords() {
    const std::string all = kNumberWords;
    std::size_t p = 0;
    while (p <= all.size()) {
      std::size_t q = all.find('|', p);
      if (q == std::string::npos) q = all.size();
      list.push_back(all.substr(p, q - p));
      p = q + 1;
    }
    for (const auto& w : list) {
      set.insert(w);
      filter[key(w.size(), static_cast<unsigned char>(w.front()), static_cast<unsigned char>(w.back()))] = true;
      const std::u32string u = text::to_u32(w);
      if (u.size() >= 2) starts[start_key(u[0], u[1])] = true;
    }
  }
  // The first two characters (lower case) of every number word.
  std::vector<bool> starts = std::vector<bool>(1u << 12);
  static std::size_t start_key(char32_t a, char32_t b) { return (a * 131 + b) & 0xFFF; }
};

// Lower case of a character of ASCII or basic Cyrillic (U+0400..U+045F) at w[i], advancing i;
// 0 for any other character or an incomplete one.
char32_t simple_lower_at(std::string_view w, std::size_t& i) {
  const auto b0 = static_cast<unsigned char>(w[i]);
  if (b0 < 0x80) {
    ++i;
    return b0 >= 'A' && b0 <= 'Z' ? b0 + 32 : b0;
  }
  if ((b0 != 0xD0 && b0 != 0xD1) || i + 1 >= w.size()) return 0;
  const auto b1 = static_cast<unsigned char>(w[i + 1]);
  if ((b1 & 0xC0) != 0x80) return 0;
  char32_t c = (static_cast<char32_t>(b0 & 0x1F) << 6) | (b1 & 0x3F);
  if (c >= 0x460) return 0;
  if (c >= 0x410 && c <= 0x42F) c += 0x20;
  else if (c >= 0x400 && c <= 0x40F) c += 0x50;
  i += 2;
  return c;
}
}  // namespace

bool maybe_number_word(std::string_view w) {
  static const NumberWords nw;
  // A number word has 2 to 24 bytes in lower case (четырнадцать); in the text each of its
  // at most 12 characters may take up to 3 bytes (K, ᲀ, ’...).
  if (w.size() < 2 || w.size() > 36) return false;
  // Most words are ruled out by their first two characters, when both are ones whose case
  // folding is decided here (the rest of the word cannot make a number word of them then).
  {
    std::size_t i = 0;
    const char32_t a = simple_lower_at(w, i);
    const char32_t b = a != 0 && i < w.size() ? simple_lower_at(w, i) : 0;
    if (a != 0 && b != 0 && !nw.starts[NumberWords::start_key(a, b)]) return false;
  }
  char buf[24];
  std::size_t n = 0;
  const auto* u = reinterpret_cast<const unsigned char*>(w.data());
  for (std::size_t i = 0; i < w.size();) {
    const unsigned char b0 = u[i];
    if (b0 < 0x80) {
      if (n < sizeof buf) buf[n] = static_cast<char>(b0 >= 'A' && b0 <= 'Z' ? b0 + 32 : b0);
      ++n;
      ++i;
      continue;
    }
    if ((b0 != 0xD0 && b0 != 0xD1) || i + 1 >= w.size()) return true;
    const unsigned char b1 = u[i + 1];
    if ((b1 & 0xC0) != 0x80) return true;
    char32_t c = (static_cast<char32_t>(b0 & 0x1F) << 6) | (b1 & 0x3F);
    if (c >= 0x460) return true;  // as simple_lower: not decided here
    if (c >= 0x410 && c <= 0x42F) c += 0x20;
    else if (c >= 0x400 && c <= 0x40F) c += 0x50;
    if (n + 1 < sizeof buf) {
      buf[n] = static_cast<char>(0xC0 | (c >> 6));
      buf[n + 1] = static_cast<char>(0x80 | (c & 0x3F));
    }
    n += 2;
    i += 2;
  }
  if (n < 2 || n > sizeof buf) return false;
  if (!nw.filter[NumberWords::key(n, static_cast<unsigned char>(buf[0]), static_cast<unsigned char>(buf[n - 1]))])
    return false;
  return nw.set.count(std::string_view(buf, n)) > 0;
}
}  // namespace fieldnotes::redact::patterns
