#include "src/search.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>

#include "crypto/secret.h"

namespace fieldnotes::core {

namespace {

// Cyrillic U+0400..U+045F and a few Ukrainian letters, to a Latin reading. Both cases map to
// the same string. Soft and hard signs vanish.
const char* cyrillic_reading(uint32_t cp) {
  static const char* const kLower[32] = {
      "a", "b", "v", "g", "d", "e", "zh", "z", "i", "i", "k", "l", "m", "n", "o", "p",
      "r", "s", "t", "u", "f", "h", "c", "ch", "sh", "sh", "", "i", "", "e", "iu", "ia"};
  if (cp >= 0x0430 && cp <= 0x044F) return kLower[cp - 0x0430];
  if (cp >= 0x0410 && cp <= 0x042F) return kLower[cp - 0x0410];
  switch (cp) {
    case 0x0401: case 0x0451: return "e";   // Ё ё
    case 0x0404: case 0x0454: return "e";   // Є є
    case 0x0406: case 0x0456: return "i";   // І і
    case 0x0407: case 0x0457: return "i";   // Ї ї
    case 0x0490: case 0x0491: return "g";   // Ґ ґ
    case 0x040E: case 0x045E: return "u";   // Ў ў
  }
  return nullptr;
}

// Latin letters with diacritics that appear in transliterations (ë, é, ž, š, č...).
const char* latin_extended_reading(uint32_t cp) {
  switch (cp) {
    case 0x00E0: case 0x00E1: case 0x00E2: case 0x00E4: case 0x00C0: case 0x00C1: case 0x00C2: case 0x00C4: return "a";
    case 0x00E8: case 0x00E9: case 0x00EA: case 0x00EB: case 0x00C8: case 0x00C9: case 0x00CA: case 0x00CB: return "e";
    case 0x00EC: case 0x00ED: case 0x00EE: case 0x00EF: case 0x00CC: case 0x00CD: case 0x00CE: case 0x00CF: return "i";
    case 0x00F2: case 0x00F3: case 0x00F4: case 0x00F6: case 0x00D2: case 0x00D3: case 0x00D4: case 0x00D6: return "o";
    case 0x00F9: case 0x00FA: case 0x00FB: case 0x00FC: case 0x00D9: case 0x00DA: case 0x00DB: case 0x00DC: return "u";
    case 0x017E: case 0x017D: return "zh";
    case 0x0161: case 0x0160: return "sh";
    case 0x010D: case 0x010C: return "ch";
    case 0x0107: case 0x0106: return "c";
    case 0x00DF: return "ss";
  }
  return nullptr;
}

// Decodes one code point; on invalid input consumes one byte and returns U+FFFD.
uint32_t next_cp(const unsigned char*& p, const unsigned char* end) {
  unsigned c = *p;
  if (c < 0x80) { ++p; return c; }
  int n = (c & 0xE0) == 0xC0 ? 1 : (c & 0xF0) == 0xE0 ? 2 : (c & 0xF8) == 0xF0 ? 3 : -1;
  if (n < 0 || end - p <= n) { ++p; return 0xFFFD; }
  uint32_t cp = c & (0x3F >> n);
  for (int i = 1; i <= n; ++i) {
    if ((p[i] & 0xC0) != 0x80) { ++p; return 0xFFFD; }
    cp = (cp << 6) | (p[i] & 0x3F);
  }
  p += n + 1;
  return cp;
}

// Second pass over the Latin reading of one word: merges spelling variants of the common
// transliteration schemes. Applied identically to text and query.
void merge_variants(const char* w, std::size_t n, std::string* out) {
  std::size_t i = 0;
  auto at = [&](std::size_t k) -> char { return k < n ? w[k] : '\0'; };
  char last = 0;
  auto emit = [&](char c) {
    if (c == last && c >= 'a' && c <= 'z') return;  // doubled letters: Kirill / Kiril
    out->push_back(c);
    last = c;
  };
  while (i < n) {
    char c = w[i];
    char d = at(i + 1);
    // shch / sch / tsch
    if (c == 's' && d == 'h' && at(i + 2) == 'c' && at(i + 3) == 'h') { emit('s'); emit('h'); i += 4; continue; }
    if (c == 't' && d == 's' && at(i + 2) == 'c' && at(i + 3) == 'h') { emit('c'); emit('h'); i += 4; continue; }
    if (c == 's' && d == 'c' && at(i + 2) == 'h') { emit('s'); emit('h'); i += 3; continue; }
    if (c == 'k' && d == 'h') { emit('h'); i += 2; continue; }            // х: kh / h
    if (c == 'g') { emit('h'); i += 1; continue; }                        // Ukrainian г: h / g
    if (c == 't' && (d == 's' || d == 'z')) { emit('c'); i += 2; continue; }  // ц: ts / tz / c
    if (c == 'z' && d == 'h') { emit('z'); emit('h'); i += 2; continue; }
    if (c == 'o' && d == 'u') { emit('u'); i += 2; continue; }            // French ou
    if (c == 'w') { emit('v'); i += 1; continue; }
    if (c == 'x') { emit('k'); emit('s'); i += 1; continue; }
    if (c == 'q') { emit('k'); i += 1; continue; }
    if (c == 'c' && d == 'k') { emit('k'); i += 2; continue; }
    if (c == 'p' && d == 'h') { emit('f'); i += 2; continue; }
    // y / j / i before a vowel: я ya/ia/ja, ю yu/iu/ju, ё yo/io/jo -> e, е ye/ie/je -> e
    if (c == 'y' || c == 'j' || c == 'i') {
      if (d == 'a') { emit('i'); emit('a'); i += 2; continue; }
      if (d == 'u') { emit('i'); emit('u'); i += 2; continue; }
      if (d == 'o' || d == 'e') { emit('e'); i += 2; continue; }
      // -ий / -iy / -yi / -ii / -y at the end: one i
      emit('i');
      i += 1;
      continue;
    }
    if (c == 'e' && d == 'y' && at(i + 2) == '\0') { emit('e'); emit('i'); i += 2; continue; }
    emit(c);
    ++i;
  }
}

}  // namespace

void search_fold(std::string_view text, std::string* out) {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const auto* end = p + text.size();
  std::string word;
  auto flush = [&] {
    if (word.empty()) return;
    if (!out->empty() && out->back() != ' ') out->push_back(' ');
    merge_variants(word.data(), word.size(), out);
    crypto::wipe(word.data(), word.size());
    word.clear();
  };
  while (p < end) {
    uint32_t cp;
    if (*p < 0x80) {
      cp = *p++;
      if ((cp >= 'a' && cp <= 'z') || (cp >= '0' && cp <= '9')) { word.push_back(static_cast<char>(cp)); continue; }
      if (cp >= 'A' && cp <= 'Z') { word.push_back(static_cast<char>(cp + 32)); continue; }
      if (cp == '\'') continue;  // O'Brien, and the apostrophe of Ukrainian words
      flush();
      continue;
    }
    cp = next_cp(p, end);
    const char* r = cyrillic_reading(cp);
    if (r == nullptr) r = latin_extended_reading(cp);
    if (r != nullptr) { word.append(r); continue; }
    if (cp == 0x2019 || cp == 0x02BC) continue;  // typographic apostrophes
    flush();
  }
  flush();
}

std::string search_fold(std::string_view text) {
  std::string out;
  search_fold(text, &out);
  return out;
}

namespace {

// The first characters a word that starts with this raw letter can fold to: conservative
// (a superset), from merge_variants' rules.
std::string possible_first(std::string_view reading) {
  if (reading.empty()) return "*";  // soft/hard sign first: anything
  char c = reading[0];
  switch (c) {
    case 'y': case 'j': case 'i': return "ie";
    case 'k': return "kh";
    case 't': return "tc";
    case 'c': return "ck";
    case 'p': return "pf";
    case 'o': return "ou";
    case 'g': return "h";
    case 'w': return "v";
    case 'x': case 'q': return "k";
    case 'e': return "e";
    default: return std::string(1, c);
  }
}

bool is_word_byte(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c >= 0x80;
}

}  // namespace

SearchQuery::SearchQuery(std::string_view query) : key_(search_fold(query)) {
  if (key_.empty()) return;
  char k = key_[0];
  auto allow = [&](std::string_view reading) {
    std::string f = possible_first(reading);
    return f == "*" || f.find(k) != std::string::npos;
  };
  for (int c = 0; c < 128; ++c) {
    if (c >= 'A' && c <= 'Z') ascii_start_[c] = allow(std::string(1, static_cast<char>(c + 32)));
    else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) ascii_start_[c] = allow(std::string(1, static_cast<char>(c)));
  }
  for (uint32_t cp = 0x0410; cp <= 0x044F; ++cp) cyr_start_[cp - 0x0410] = allow(cyrillic_reading(cp));
  other_start_ = true;
  auto cyr_allowed = [&](uint32_t cp) {
    if (cp >= 0x0410 && cp <= 0x044F) return cyr_start_[cp - 0x0410];
    return cyrillic_reading(cp) != nullptr && other_start_;
  };
  for (int b = 0; b < 256; ++b) {
    if (b < 0x80) interesting_[b] = ascii_start_[b];
    else if (b < 0xC0) interesting_[b] = cyr_allowed(0x400u + (b & 0x3Fu)) || cyr_allowed(0x440u + (b & 0x3Fu));
    else if (b != 0xD0 && b != 0xD1) interesting_[b] = other_start_;
  }
}

// Whether a word starting at `pos` could fold to something starting with key_[0].
bool SearchQuery::could_start(std::string_view text, std::size_t pos, std::size_t* len) const {
  auto c = static_cast<unsigned char>(text[pos]);
  if (c < 0x80) {
    *len = 1;
    return ascii_start_[c];
  }
  if ((c == 0xD0 || c == 0xD1) && pos + 1 < text.size()) {
    *len = 2;
    uint32_t cp = ((c & 0x1Fu) << 6) | (static_cast<unsigned char>(text[pos + 1]) & 0x3Fu);
    if (cp >= 0x0410 && cp <= 0x044F) return cyr_start_[cp - 0x0410];
    return other_start_;
  }
  *len = 1;
  return other_start_;
}

namespace {

// Length in bytes of the character at `i`, and whether search_fold keeps it inside a word.
std::size_t char_at(std::string_view text, std::size_t i, bool* word) {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data()) + i;
  const auto* end = reinterpret_cast<const unsigned char*>(text.data()) + text.size();
  unsigned c = *p;
  if (c < 0x80) {
    *word = is_word_byte(static_cast<unsigned char>(c)) || c == '\'';
    return 1;
  }
  if ((c == 0xD0 || c == 0xD1) && p + 1 < end && (p[1] & 0xC0) == 0x80) {
    // The Cyrillic block U+0400..U+047F: a table, not a decode.
    static const std::array<bool, 128> kCyrWord = [] {
      std::array<bool, 128> t{};
      for (uint32_t cp = 0x0400; cp < 0x0480; ++cp) t[cp - 0x0400] = cyrillic_reading(cp) != nullptr;
      return t;
    }();
    *word = kCyrWord[(((c & 0x1Fu) << 6) | (p[1] & 0x3Fu)) - 0x0400];
    return 2;
  }
  const unsigned char* q = p;
  uint32_t cp = next_cp(q, end);
  *word = cyrillic_reading(cp) != nullptr || latin_extended_reading(cp) != nullptr || cp == 0x2019 || cp == 0x02BC;
  return static_cast<std::size_t>(q - p);
}

}  // namespace

bool SearchQuery::matches(std::string_view text) const {
  if (key_.empty()) return false;
  const auto* t = reinterpret_cast<const unsigned char*>(text.data());
  const std::size_t n = text.size();
  std::string window;
  bool hit = false;
  // Looks only at bytes that can begin a candidate: an allowed ASCII letter, the second byte of
  // an allowed Cyrillic letter, or the lead byte of another script. Each candidate is then
  // checked to start a word (the character before it is not one search_fold keeps in a word),
  // and only then is a window folded and compared.
  for (std::size_t i = 0; i < n && !hit; ++i) {
    if (!interesting_[t[i]]) continue;
    std::size_t s = i;
    if (t[i] >= 0x80 && t[i] < 0xC0) {  // a continuation byte: only after a Cyrillic lead
      if (i == 0 || (t[i - 1] != 0xD0 && t[i - 1] != 0xD1)) continue;
      s = i - 1;
    }
    std::size_t first_len = 1;
    if (!could_start(text, s, &first_len)) continue;
    bool word = false;
    char_at(text, s, &word);
    if (!word) continue;
    // The character before, skipping apostrophes (search_fold drops them inside words).
    bool inside = false;
    for (std::size_t q = s; q > 0;) {
      std::size_t p = q - 1;
      while (p > 0 && (t[p] & 0xC0) == 0x80) --p;
      bool prev_word = false;
      std::size_t plen = char_at(text, p, &prev_word);
      if (!prev_word || p + plen != q) break;
      const unsigned char* c = t + p;
      bool apostrophe = (plen == 1 && c[0] == '\'') || (plen == 3 && c[0] == 0xE2 && c[1] == 0x80 && c[2] == 0x99) ||
                        (plen == 2 && c[0] == 0xCA && c[1] == 0xBC);
      if (!apostrophe) {
        inside = true;
        break;
      }
      q = p;
    }
    if (inside) continue;  // inside a word, not at its start
    // Fold a window from this word on, long enough to hold the key (every folded character
    // comes from at least one byte of text), extended to the end of the last word.
    std::size_t end = std::min(n, s + key_.size() * 4 + 16);
    while (end < n && (t[end] & 0xC0) == 0x80) ++end;
    while (end < n) {
      bool w = false;
      std::size_t l = char_at(text, end, &w);
      if (!w) break;
      end += l;
    }
    window.clear();
    search_fold(text.substr(s, end - s), &window);
    hit = window.compare(0, key_.size(), key_) == 0;
  }
  crypto::wipe(window);
  return hit;
}

}  // namespace fieldnotes::core
