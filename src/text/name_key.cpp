#include "src/text/name_key.h"

#include <array>

namespace fieldnotes::text {

namespace {

// Latin letters that look like Cyrillic ones, and back (upper and lower case).
char32_t latin_to_cyrillic_lookalike(char32_t c) {
  switch (c) {
    case 'A': return 0x410; case 'a': return 0x430; case 'B': return 0x412;
    case 'C': return 0x421; case 'c': return 0x441; case 'E': return 0x415;
    case 'e': return 0x435; case 'H': return 0x41D; case 'K': return 0x41A;
    case 'k': return 0x43A; case 'M': return 0x41C; case 'O': return 0x41E;
    case 'o': return 0x43E; case 'P': return 0x420; case 'p': return 0x440;
    case 'T': return 0x422; case 'X': return 0x425; case 'x': return 0x445;
    case 'y': return 0x443; case 'Y': return 0x423; case 'I': return 0x406;
    case 'i': return 0x456;
    default: return 0;
  }
}

char32_t cyrillic_to_latin_lookalike(char32_t c) {
  switch (c) {
    case 0x410: return 'A'; case 0x430: return 'a'; case 0x412: return 'B';
    case 0x421: return 'C'; case 0x441: return 'c'; case 0x415: return 'E';
    case 0x435: return 'e'; case 0x41D: return 'H'; case 0x41A: return 'K';
    case 0x43A: return 'k'; case 0x41C: return 'M'; case 0x41E: return 'O';
    case 0x43E: return 'o'; case 0x420: return 'P'; case 0x440: return 'p';
    case 0x422: return 'T'; case 0x425: return 'X'; case 0x445: return 'x';
    case 0x443: return 'y'; case 0x423: return 'Y'; case 0x406: return 'I';
    case 0x456: return 'i';
    default: return 0;
  }
}

// Key letters of lower-case Cyrillic, indexed by code point - 0x430 (а..я), then extras.
const char* cyrillic_key(char32_t c) {
  static const std::array<const char*, 32> kBase = {
      "a", "b", "v", "h", "d", "e", "Z", "z", "i", "i", "k", "l", "m", "n", "o", "p",
      "r", "s", "t", "u", "f", "h", "c", "C", "S", "S", "", "i", "", "e", "iu", "ia"};
  if (c >= 0x430 && c <= 0x44F) return kBase[c - 0x430];
  switch (c) {
    case 0x451: return "e";    // ё
    case 0x454: return "ie";   // є
    case 0x456: return "i";    // і
    case 0x457: return "i";    // ї
    case 0x491: return "h";    // ґ
    case 0x45E: return "u";    // ў
    case 0x452: return "d";    // ђ
    case 0x458: return "i";    // ј
    case 0x45F: return "dZ";   // џ
    default: return nullptr;
  }
}

// Latin letters with diacritics used by ISO 9, scientific and Central European spellings.
const char* latin_extra_key(char32_t c) {
  switch (c) {
    case 0xE0: case 0xE1: case 0xE2: case 0xE3: case 0xE4: case 0xE5: case 0x101: return "a";
    case 0xE7: case 0x107: return "c";
    case 0x10D: return "C";                      // č
    case 0xE8: case 0xE9: case 0xEA: case 0xEB: case 0x113: case 0x11B: return "e";
    case 0xEC: case 0xED: case 0xEE: case 0xEF: case 0x12B: return "i";
    case 0xF1: case 0x144: case 0x148: return "n";
    case 0xF2: case 0xF3: case 0xF4: case 0xF5: case 0xF6: case 0xF8: return "o";
    case 0xF9: case 0xFA: case 0xFC: case 0x16B: case 0x16F: return "u";
    case 0xFB: return "iu";                      // û (ISO 9 ю)
    case 0xFD: case 0xFF: return "i";
    case 0x161: case 0x15D: case 0x15B: return "S";  // š ŝ ś
    case 0x17E: case 0x17A: case 0x17C: return "Z";  // ž
    case 0x142: return "l";
    case 0x11F: case 0x123: return "h";
    case 0x159: return "r";
    case 0x165: return "t";
    case 0x10F: return "d";
    case 0xDF: return "s";
    default: return nullptr;
  }
}

bool is_apostrophe(char32_t c) {
  return c == '\'' || c == 0x2019 || c == 0x2BC || c == 0x2B9 || c == 0x2BA || c == 0x60;
}

// Drops an ASCII character that repeats the one before it.
void collapse_doubled(std::string& s) {
  std::size_t out = 0;
  for (const char ch : s) {
    if (out > 0 && s[out - 1] == ch && static_cast<unsigned char>(ch) < 0x80) continue;
    s[out++] = ch;
  }
  s.resize(out);
}

}  // namespace

std::string key_of(std::u32string_view word) {
  // 1. Fold look-alike letters to the word's majority script, lower-case.
  int cyr = 0, lat = 0;
  for (char32_t c : word) {
    if (is_cyrillic(c)) ++cyr;
    else if (is_latin(c)) ++lat;
  }
  std::u32string w;
  w.reserve(word.size());
  for (char32_t c : word) {
    if (is_combining(c) || is_apostrophe(c)) continue;
    if (cyr && lat) {
      if (cyr >= lat && is_latin(c)) {
        if (char32_t m = latin_to_cyrillic_lookalike(c)) c = m;
      } else if (lat > cyr && is_cyrillic(c)) {
        if (char32_t m = cyrillic_to_latin_lookalike(c)) c = m;
      }
    }
    w.push_back(to_lower(c));
  }
  // 2. Map through the tables.
  std::string raw;
  raw.reserve(w.size() + 4);
  const std::size_t n = w.size();
  for (std::size_t i = 0; i < n; ++i) {
    const char32_t c = w[i];
    // ьо / йо read as ё (Ukrainian Хмельов = Хмелёв, Соловйов = Соловьёв).
    if ((c == 0x44C || c == 0x44A) && i + 1 < n && w[i + 1] == 0x43E) { raw += 'i'; continue; }
    if (const char* k = cyrillic_key(c)) { raw += k; continue; }
    if (c < 0x80) {
      auto at = [&](std::size_t j) -> char32_t { return j < n ? w[j] : 0; };
      const char32_t c1 = at(i + 1), c2 = at(i + 2), c3 = at(i + 3);
      if (c == 's' && c1 == 'h' && c2 == 'c' && c3 == 'h') { raw += 'S'; i += 3; continue; }
      if (c == 't' && c1 == 's' && c2 == 'c' && c3 == 'h') { raw += 'C'; i += 3; continue; }
      if (c == 's' && c1 == 'c' && c2 == 'h') { raw += 'S'; i += 2; continue; }
      if (c1 == 'h') {
        if (c == 'z') { raw += 'Z'; ++i; continue; }
        if (c == 'k') { raw += 'h'; ++i; continue; }
        if (c == 'c') { raw += 'C'; ++i; continue; }
        if (c == 's') { raw += 'S'; ++i; continue; }
        if (c == 'p') { raw += 'f'; ++i; continue; }
      }
      if (c == 't' && (c1 == 's' || c1 == 'z')) { raw += 'c'; ++i; continue; }
      if (c == 'c' && c1 == 'k') { raw += 'k'; ++i; continue; }
      if (c == 'o' && c1 == 'u') { raw += 'u'; ++i; continue; }
      switch (c) {
        case 'g': raw += 'h'; break;
        case 'j': case 'y': raw += 'i'; break;
        case 'q': raw += 'k'; break;
        case 'w': raw += 'v'; break;
        case 'x': raw += "ks"; break;
        default:
          if (c >= 'a' && c <= 'z') raw += static_cast<char>(c);
          else if (c >= '0' && c <= '9') raw += static_cast<char>(c);
      }
      continue;
    }
    if (const char* k = latin_extra_key(c)) { raw += k; continue; }
    // Other scripts: keep the code point so distinct words stay distinct.
    append_utf8(raw, c);
  }
  // 3. Collapse doubled letters, then "io"/"ie" -> "e", then collapse again (in place).
  collapse_doubled(raw);
  std::size_t out = 0;
  for (std::size_t i = 0; i < raw.size(); ++i) {
    const char ch = raw[i];
    if ((ch == 'o' || ch == 'e') && out > 0 && raw[out - 1] == 'i') {
      raw[out - 1] = 'e';
      continue;
    }
    raw[out++] = ch;
  }
  raw.resize(out);
  collapse_doubled(raw);
  return raw;
}

std::string key_of_utf8(std::string_view word) { return key_of(to_u32(word)); }

namespace {

// First key characters of a word beginning with lower-case Latin letter `c` (no look-alike).
std::string_view latin_first_key_chars(char32_t c) {
  static const std::array<const char*, 26> kFirst = {
      "a", "b", "cCk", "d", "e", "f", "h", "h", "ie", "ie", "kh", "l", "m",
      "n", "ou", "pf", "k", "r", "sS", "tcC", "u", "v", "v", "k", "ie", "zZ"};
  return kFirst[c - 'a'];
}

// The same for a letter read through the tables (Cyrillic or Latin with diacritics): the first
// character of its key; a key in `i` may become `e` ("io", "ie"); an empty key (ь, ъ): anything.
std::string table_first_key_chars(const char* key) {
  if (key[0] == '\0') return "*";
  if (key[0] == 'i') return "ie";
  return std::string(1, key[0]);
}

std::string first_key_chars_of_letter(char32_t c) {
  const char32_t low = to_lower(c);
  if (low >= 'a' && low <= 'z') return std::string(latin_first_key_chars(low));
  if (const char* k = cyrillic_key(low)) return table_first_key_chars(k);
  if (const char* k = latin_extra_key(low)) return table_first_key_chars(k);
  return "*";
}

}  // namespace

std::string first_key_chars(char32_t c) {
  if (c >= '0' && c <= '9') return std::string(1, static_cast<char>(c));
  std::string chars = first_key_chars_of_letter(c);
  // In a word of the other script's majority, a look-alike letter reads as its counterpart.
  char32_t other = latin_to_cyrillic_lookalike(c);
  if (other == 0) other = cyrillic_to_latin_lookalike(c);
  if (other != 0) chars += first_key_chars_of_letter(other);
  if (chars.find('*') != std::string::npos) return "*";
  return chars;
}

std::u32string cyrillic_reading(std::u32string_view word) {
  std::u32string w = lower(word);
  bool latin = false;
  for (char32_t c : w) if (is_latin(c)) latin = true;
  if (!latin) return w;
  std::u32string out;
  const std::size_t n = w.size();
  auto at = [&](std::size_t j) -> char32_t { return j < n ? w[j] : 0; };
  for (std::size_t i = 0; i < n; ++i) {
    const char32_t c = w[i], c1 = at(i + 1), c2 = at(i + 2), c3 = at(i + 3);
    if (c == 's' && c1 == 'h' && c2 == 'c' && c3 == 'h') { out += U'щ'; i += 3; continue; }
    if (c == 't' && c1 == 's' && c2 == 'c' && c3 == 'h') { out += U'ч'; i += 3; continue; }
    if (c == 's' && c1 == 'c' && c2 == 'h') { out += U'щ'; i += 2; continue; }
    if (c1 == 'h' && (c == 'z' || c == 'k' || c == 'c' || c == 's' || c == 'p')) {
      out += c == 'z' ? U'ж' : c == 'k' ? U'х' : c == 'c' ? U'ч' : c == 's' ? U'ш' : U'ф';
      ++i;
      continue;
    }
    if (c == 't' && (c1 == 's' || c1 == 'z')) { out += U'ц'; ++i; continue; }
    const bool vowel_before = i > 0 && std::u32string_view(U"aeiouy").find(w[i - 1]) != std::u32string_view::npos;
    if ((c == 'y' || c == 'i' || c == 'j') && (c1 == 'a' || c1 == 'u' || c1 == 'o' || c1 == 'e')) {
      if (c == 'i' && !vowel_before && i > 0) out += U'и';  // Maria -> мариа: same key as мария
      out += c1 == 'a' ? U'я' : c1 == 'u' ? U'ю' : c1 == 'o' ? U'ё' : U'е';
      ++i;
      continue;
    }
    if ((c == 'i' || c == 'y') && (c1 == 'y' || c1 == 'i' || c1 == 'j') && i + 2 == n) {
      out += c == 'y' ? U"ый" : U"ий";
      ++i;
      continue;
    }
    if (c == 'y' && i + 1 == n && i > 0) { out += U"ий"; continue; }
    switch (c) {
      case 'a': out += U'а'; break; case 'b': out += U'б'; break; case 'c': out += U'ц'; break;
      case 'd': out += U'д'; break; case 'e': out += U'е'; break; case 'f': out += U'ф'; break;
      case 'g': out += U'г'; break; case 'h': out += U'х'; break; case 'i': out += U'и'; break;
      case 'j': out += U'й'; break; case 'k': out += U'к'; break; case 'l': out += U'л'; break;
      case 'm': out += U'м'; break; case 'n': out += U'н'; break; case 'o': out += U'о'; break;
      case 'p': out += U'п'; break; case 'q': out += U'к'; break; case 'r': out += U'р'; break;
      case 's': out += U'с'; break; case 't': out += U'т'; break; case 'u': out += U'у'; break;
      case 'v': case 'w': out += U'в'; break; case 'x': out += U"кс"; break;
      case 'y': out += vowel_before ? U'й' : U'ы'; break;
      case 'z': out += U'з'; break;
      default: out += c;
    }
  }
  return out;
}

std::u32string compact(std::string_view s) {
  std::u32string out;
  std::size_t i = 0;
  while (i < s.size()) {
    char32_t c = next_code_point(s, i);
    if ((c >= '0' && c <= '9') || (is_letter(c) && !is_combining(c))) out.push_back(compact_fold(c));
  }
  return out;
}

}  // namespace fieldnotes::text
