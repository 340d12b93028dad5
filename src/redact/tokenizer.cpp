#include "src/redact/tokenizer.h"

#include <cstring>

#include "src/text/name_key.h"
#include "src/text/utf8.h"

namespace fieldnotes::redact {

namespace {

WordText make_word_text(const std::u32string& w) {
  WordText x;
  x.key = text::key_of(w);
  x.low = text::lower(w);
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

}  // namespace

void tokenize(std::string_view s, Words& words, SpellingCache& cache) {
  std::vector<Token>& out = words.tokens;
  WordTexts& tt = words.texts;
  auto& spans = words.spans;
  auto& caps = words.capitalised;
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
      if (it == cache.end()) it = cache.emplace(std::string(surface), make_word_text(text::to_u32(surface))).first;
      const WordText& tx = it->second;
      t.text_id = tt.add(&tx);
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
            if (tt[t.text_id].low == dg) t.initial = true;
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


void ensure_key(std::string_view s, Token& t, WordTexts& tt, SpellingCache& cache) {
  if (!t.lazy) return;
  t.lazy = false;
  const std::string_view surface = s.substr(t.b, t.e - t.b);
  auto it = cache.find(surface);
  if (it == cache.end()) it = cache.emplace(std::string(surface), make_word_text(text::to_u32(surface))).first;
  t.text_id = tt.add(&it->second);
}

}  // namespace fieldnotes::redact
