#include "src/redact/patterns.h"

#include <phonenumbers/phonenumber.pb.h>
#include <phonenumbers/phonenumberutil.h>
#include <re2/re2.h>
#include <re2/set.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <unordered_set>

#include "src/redact/text.h"

namespace fieldnotes::redact::patterns {

const char* category_name(Kind k) {
  switch (k) {
    case Kind::kPhone: return "PHONE";
    case Kind::kEmail: return "EMAIL";
    case Kind::kHandle: return "HANDLE";
    case Kind::kUrl: return "URL";
    case Kind::kUnit: return "UNIT";
    case Kind::kId: return "ID";
    case Kind::kAddress: return "ADDRESS";
    case Kind::kPlate: return "PLATE";
    case Kind::kCoord: return "COORD";
    case Kind::kDob: return "DOB";
    case Kind::kPerson: return "PERSON";
  }
  return "ID";
}

const char* replacement_for(Kind k) {
  switch (k) {
    case Kind::kPhone: return "[PHONE]";
    case Kind::kEmail: return "[EMAIL]";
    case Kind::kHandle: return "[HANDLE]";
    case Kind::kUrl: return "[URL]";
    case Kind::kUnit: return "[UNIT]";
    case Kind::kId: return "[ID]";
    case Kind::kAddress: return "[ADDRESS]";
    case Kind::kPlate: return "[PLATE]";
    case Kind::kCoord: return "[COORD]";
    case Kind::kDob: return "[DOB]";
    case Kind::kPerson: return "[PERSON]";
  }
  return "[ID]";
}

std::string phone_digits(std::string_view phone) {
  std::string d;
  for (char c : phone)
    if (c >= '0' && c <= '9') d.push_back(c);
  if (d.size() == 11 && d[0] == '8') d[0] = '7';
  else if (d.size() == 10 && d[0] == '9') d.insert(d.begin(), '7');
  return d;
}

bool inn_checksum_ok(std::string_view d) {
  auto digit = [&](std::size_t i) { return d[i] - '0'; };
  auto check = [&](const int* w, std::size_t n) {
    int s = 0;
    for (std::size_t i = 0; i < n; ++i) s += w[i] * digit(i);
    return (s % 11) % 10;
  };
  if (d.size() == 10) {
    static const int w[] = {2, 4, 10, 3, 5, 9, 4, 6, 8};
    return check(w, 9) == digit(9);
  }
  if (d.size() == 12) {
    static const int w1[] = {7, 2, 4, 10, 3, 5, 9, 4, 6, 8};
    static const int w2[] = {3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8};
    return check(w1, 10) == digit(10) && check(w2, 11) == digit(11);
  }
  return false;
}

bool snils_checksum_ok(std::string_view d) {
  if (d.size() != 11) return false;
  int s = 0;
  for (int i = 0; i < 9; ++i) s += (d[i] - '0') * (9 - i);
  int c = s < 100 ? s : s == 100 || s == 101 ? 0 : (s % 101 == 100 ? 0 : s % 101);
  return c == (d[9] - '0') * 10 + (d[10] - '0');
}

namespace {

bool is_word_cp(char32_t c) { return text::is_letter(c) || (c >= '0' && c <= '9') || c == '_'; }

char32_t cp_before(std::string_view s, std::size_t b) {
  if (b == 0) return 0;
  std::size_t i = b - 1;
  while (i > 0 && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) --i;
  return text::next_code_point(s, i);
}

char32_t cp_at(std::string_view s, std::size_t e) {
  if (e >= s.size()) return 0;
  return text::next_code_point(s, e);
}

bool bounded(std::string_view s, std::size_t b, std::size_t e) {
  return !is_word_cp(cp_before(s, b)) && !is_word_cp(cp_at(s, e));
}

struct Rule {
  std::unique_ptr<RE2> re;
  Kind kind;
  const char* reason;
  bool check_bounds;
  bool digit_first = false;  // every match starts with a digit, '+' or '-' (see digit_first())
};

// A pattern whose every match starts with a digit, '+' or '-': it begins with \d, \+?\d, -?\d
// or (?:\+\d{1,3}|8) and has no alternation at its top level (none of the patterns below
// has one). Its search may start at the first such byte: the leftmost match is the same, and
// the DFA skips the ~200 bytes of window before the first digit.
bool digit_first(const std::string& p) {
  for (const char* prefix : {"\\d", "\\+?\\d", "-?\\d", "(?:\\+\\d{1,3}|8)"})
    if (p.rfind(prefix, 0) == 0) return true;
  return false;
}

bool can_start_number(char c) { return (c >= '0' && c <= '9') || c == '+' || c == '-'; }

// First position in [pos, end) holding a digit (end if none): eight bytes at a time while
// none of them is one.
std::size_t next_digit(std::string_view s, std::size_t pos, std::size_t end) {
  while (pos + 8 <= end) {
    std::uint64_t w;
    std::memcpy(&w, s.data() + pos, 8);
    const std::uint64_t x = w ^ 0x3030303030303030ULL;  // a digit becomes a byte below 10
    if (((x - 0x0A0A0A0A0A0A0A0AULL) & ~x & 0x8080808080808080ULL) != 0) break;
    pos += 8;
  }
  while (pos < end && !(s[pos] >= '0' && s[pos] <= '9')) ++pos;
  return pos;
}

// First position in [pos, end) holding a digit, '+' or '-' (end if none): eight bytes at a
// time while none of them is one.
std::size_t next_number_start(std::string_view s, std::size_t pos, std::size_t end) {
  constexpr std::uint64_t kOnes = 0x0101010101010101ULL, kHigh = 0x8080808080808080ULL;
  const auto has_zero = [](std::uint64_t x) { return (x - kOnes) & ~x & kHigh; };
  while (pos + 8 <= end) {
    std::uint64_t w;
    std::memcpy(&w, s.data() + pos, 8);
    const std::uint64_t digits = w ^ (0x30 * kOnes);  // a digit becomes a byte below 10
    if ((((digits - 0x0A * kOnes) & ~digits & kHigh) | has_zero(w ^ ('+' * kOnes)) | has_zero(w ^ ('-' * kOnes))) != 0)
      break;
    pos += 8;
  }
  while (pos < end && !can_start_number(s[pos])) ++pos;
  return pos;
}

std::unique_ptr<RE2> compile(const std::string& p) {
  RE2::Options o;
  o.set_log_errors(true);
  o.set_max_mem(64 << 20);
  return std::make_unique<RE2>(p, o);
}

const char* kNumberWords =
    "ноль|нуль|один|одна|два|две|три|четыре|пять|шесть|семь|восемь|девять|десять|одиннадцать|"
    "двенадцать|тринадцать|четырнадцать|пятнадцать|шестнадцать|семнадцать|восемнадцать|"
    "девятнадцать|двадцать|тридцать|сорок|пятьдесят|шестьдесят|семьдесят|восемьдесят|девяносто|"
    "сто|двести|триста|четыреста|пятьсот|шестьсот|семьсот|восемьсот|девятьсот|"
    "дві|чотири|п'ять|п’ять|шість|сім|вісім|дев'ять|дев’ять|двадцять|тридцять|п'ятдесят|"
    "шістдесят|сімдесят|вісімдесят|дев'яносто|zero|oh|one|two|three|four|five|six|seven|eight|"
    "nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|"
    "twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|double|triple";

const std::vector<Rule>& rules() {
  static const std::vector<Rule> r = [] {
    std::vector<Rule> v;
    auto add = [&](const std::string& p, Kind k, const char* reason, bool bounds = true) {
      v.push_back(Rule{compile(p), k, reason, bounds, digit_first(p)});
    };
    add(R"([A-Za-z0-9][A-Za-z0-9._%+\-]*@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+)", Kind::kEmail, "pattern:email");
    add(R"((?i)(?:https?://)?(?:www\.|m\.)?(?:t\.me|telegram\.me|telegram\.dog|vk\.com|vk\.ru|vkontakte\.ru|facebook\.com|fb\.com|instagram\.com|ok\.ru|twitter\.com|x\.com|tiktok\.com|youtube\.com|youtu\.be|linkedin\.com|wa\.me|signal\.me|livejournal\.com|threads\.net)/[A-Za-z0-9_.\-/?=&%#@+~]+)",
        Kind::kUrl, "pattern:profile-url");
    add(R"((?i)https?://[^\s<>"«»()\[\]]+)", Kind::kUrl, "pattern:url");
    add(R"(@[A-Za-z][A-Za-z0-9_]{2,31})", Kind::kHandle, "pattern:handle");
    // Military units: в/ч 12345, войсковая часть 12345, military unit 12345, А1126.
    add(R"((?i)(?:в/ч|в\.\s?ч\.|вч|войсков\pL*\s+част\pL*|військов\pL*\s+частин\pL*|military\s+unit|unit|part|частин\pL*|част[ьи])\s*(?:№|no\.?|#)?\s*:?\s*[АAВB]?-?\d{4,5})",
        Kind::kUnit, "pattern:military-unit");
    add(R"([АA]\d{4})", Kind::kUnit, "pattern:unit-ua");
    // Russian passport: 45 11 123456, серия 45 11 номер 123456.
    add(R"((?i)(?:серия\s*|серії\s*)?\d{2}\s?\d{2}\s+(?:№\s*|номер\s+|no\.?\s*)?\d{6})", Kind::kId, "pattern:passport");
    // Military ID (two letters, Cyrillic or Latin look-alikes, seven digits).
    add(R"([A-ZА-ЯЁІЇЄ]{2}\s?(?:№\s*)?\d{7})", Kind::kId, "pattern:military-id");
    add(R"(\d{3}[- ]\d{3}[- ]\d{3}[- ]\d{2})", Kind::kId, "pattern:snils");
    // Ukrainian passport booklet (МК 123456) and Russian foreign passport (75 1234567).
    add(R"((?:серія\s+|серии\s+|series\s+)?[A-ZА-ЯЁІЇЄ]{2}\s?(?:№\s*|No\.?\s*)?\d{6})", Kind::kId, "pattern:passport-ua");
    add(R"(\d{2}\s(?:№\s*)?\d{7})", Kind::kId, "pattern:passport-foreign");
    // Car plates: Russian (letters from the shared Cyrillic/Latin set), Ukrainian, Belarusian.
    // Latin letters: the look-alikes (Н as H) and the transliterations (Н as N, Р as R, С as S,
    // У as U, В as V) of the twelve plate letters.
    add(R"([АВЕКМНОРСТУХABEKMHOPCTYXNRSUV]\s?\d{3}\s?[АВЕКМНОРСТУХABEKMHOPCTYXNRSUV]{2}\s?\d{2,3})", Kind::kPlate,
        "pattern:plate-ru");
    add(R"([A-ZА-ЯІ]{2}\s?\d{4}\s?[A-ZА-ЯІ]{2})", Kind::kPlate, "pattern:plate-ua");
    add(R"(\d{4}\s?[A-Z]{2}-?\d)", Kind::kPlate, "pattern:plate-by");
    // GPS.
    add(R"(-?\d{1,3}\.\d{3,8}°?\s*[NSEWСЮ]?\s*,\s*-?\d{1,3}\.\d{3,8}°?\s*[NSEWВЗ]?)", Kind::kCoord, "pattern:coord");
    add(R"((?:[NS]\s?\d{1,3}\.\d{3,8}°?|\d{1,3}\.\d{3,8}°?\s*[NS])\s*,?\s*(?:[EW]\s?\d{1,3}\.\d{3,8}°?|\d{1,3}\.\d{3,8}°?\s*[EW]))",
        Kind::kCoord, "pattern:coord");
    add(R"(\d{1,3}°\s?\d{1,2}(?:[.,]\d+)?[′'’]\s?(?:\d{1,2}(?:[.,]\d+)?\s?[″"”]|'')?\s*(?:[NSEW]\b|(?:пн|пд|сх|зх|с|ю|в|з)\.?\s*(?:ш|д)\.?)?)",
        Kind::kCoord, "pattern:coord-dms");
    // Street addresses.
    add(R"((?:ул\.|улица|улице|улицу|ул |пр\.|пр-т|просп\.|проспект|пер\.|переулок|бул\.|бульвар|б-р|ш\.|шоссе|пл\.|площадь|наб\.|набережная|мкр\.?|микрорайон|вул\.|вулиця|вулиці|провулок|пров\.|бульв\.)\s*(?:\d{1,2}\s*)?\p{Lu}[\pL\-\.’' ]*?,?\s*(?:д\.|дом|буд\.|будинок)?\s*\d+\pL?(?:[/\-]\d+)?(?:\s*,?\s*(?:кв\.|квартира|корп\.|к\.|стр\.|оф\.|кв)\s*\d+)*)",
        Kind::kAddress, "pattern:address-ru");
    // Russian and Ukrainian addresses in Latin letters: ul. Kirova, d. 112, kv. 9; vul. Sadova, 9.
    add(R"((?i:ul\.|ulitsa|ulitse|ulitsu|vul\.|vulytsia|vulytsya|vulitsa|prosp\.|prospekt|pr-t|per\.|pereulok|provulok|bulvar|shosse|nab\.)\s*\p{Lu}[\pL\-\.’' ]*?,?\s*(?i:d\.|dom|bud\.|budynok)?\s*\d+\pL?(?:[/\-]\d+)?(?:\s*,?\s*(?i:kv\.|kvartira|kv|apt\.?|flat|korp\.|k\.)\s*\d+)*)",
        Kind::kAddress, "pattern:address-latin");
    add(R"(\d{1,5}\pL?\s+(?:\p{Lu}[\pL\-']+\s+){1,3}(?:Street|St\.?|Avenue|Ave\.?|Road|Rd\.?|Lane|Ln\.?|Boulevard|Blvd\.?|Prospekt|Prospect|Square|Sq\.?|Embankment|Highway|Drive|Way|Alley)(?:\s*,?\s*(?:apt\.?|apartment|flat|fl\.?|suite|room)\s*\d+\pL?)?)",
        Kind::kAddress, "pattern:address-en");
    add(R"((?:\p{Lu}[\pL\-']+\s+){1,3}(?:Street|St\.|Str\.|str\.|Avenue|Ave\.|Road|Rd\.|Prospekt|Lane|Blvd\.|Boulevard|ulitsa|ul\.)\s*,?\s*\d{1,5}(?:[/\-]\d+)?\pL?(?:\s*,?\s*(?:apt\.?|apartment|flat)\s*\d+)?)",
        Kind::kAddress, "pattern:address-en");
    const std::string num = std::string("(?:\\d+|") + kNumberWords + ")";
    add("(?i)(?:\\p{Lu}\\pL+,?\\s*)?(?:дом|д\\.|будинок|буд\\.)\\s*" + num + "(?:\\s*,?\\s*(?:квартира|кв\\.)\\s*" + num + ")",
        Kind::kAddress, "pattern:address-words");
    // Phones: candidates, classified in code.
    add(R"(\+?\d[\d \x{00A0}\-()]{5,22}\d)", Kind::kPhone, "pattern:phone");
    // Dotted phones only from a trunk or country prefix: 8.905.630.11.92, +7.916.555.01.23.
    add(R"((?:\+\d{1,3}|8)\.\d{3}\.\d{3}\.\d{2}\.\d{2})", Kind::kPhone, "pattern:phone");
    // Long digit runs (INN and other numbers).
    add(R"(\d{9,})", Kind::kId, "pattern:digits");
    return v;
  }();
  return r;
}

bool needs_digit(Kind k) { return k != Kind::kEmail && k != Kind::kHandle && k != Kind::kUrl; }

// Indices into rules() of the patterns that need a digit, in the order of digit_rule_set().
const std::vector<std::size_t>& digit_rule_index() {
  static const std::vector<std::size_t> v = [] {
    std::vector<std::size_t> out;
    for (std::size_t i = 0; i < rules().size(); ++i)
      if (needs_digit(rules()[i].kind)) out.push_back(i);
    return out;
  }();
  return v;
}

const RE2::Set& digit_rule_set() {
  static const RE2::Set* set = [] {
    RE2::Options o;
    o.set_log_errors(true);
    o.set_max_mem(256 << 20);
    auto* st = new RE2::Set(o, RE2::UNANCHORED);
    for (std::size_t i : digit_rule_index()) st->Add(rules()[i].re->pattern(), nullptr);
    st->Compile();
    return st;
  }();
  return *set;
}

bool phone_plausible(std::string_view m, bool plus) {
  const std::string d = phone_digits(m);
  if (plus) {
    if (d.size() < 8 || d.size() > 15) return false;
    if (d[0] == '7') return d.size() == 11;
    if (d.rfind("380", 0) == 0 || d.rfind("375", 0) == 0) return d.size() == 12;
    return true;
  }
  if (d.size() == 11 && d[0] == '7') return true;
  if (d.size() == 12 && (d.rfind("380", 0) == 0 || d.rfind("375", 0) == 0)) return true;
  // Ukrainian national format 0XX XXX XX XX.
  std::string raw;
  for (char c : m) if (c >= '0' && c <= '9') raw.push_back(c);
  if (raw.size() == 10 && raw[0] == '0') return true;
  return false;
}

// A second opinion on a phone candidate that the rule above rejected: libphonenumber's
// numbering plans for the regions of the testimony (a Ukrainian number written without its
// trunk 0, a Belarusian or Kazakh one without its country code...). It can only add a
// redaction, never remove one: it is asked only about rejected candidates.
bool phone_valid_by_plan(std::string_view m) {
  std::size_t digits = 0;
  for (char c : m) digits += (c >= '0' && c <= '9');
  if (digits < 9 || digits > 12) return false;  // dates, times and short numbers: not asked
  using i18n::phonenumbers::PhoneNumber;
  using i18n::phonenumbers::PhoneNumberUtil;
  const PhoneNumberUtil* util = PhoneNumberUtil::GetInstance();
  const std::string text(m);
  for (const char* region : {"RU", "UA", "BY", "KZ"}) {
    PhoneNumber n;
    if (util->Parse(text, region, &n) == PhoneNumberUtil::NO_PARSING_ERROR && util->IsValidNumber(n)) return true;
  }
  return false;
}

// ----- Dates of birth -------------------------------------------------------------------

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

constexpr std::size_t kNone = std::string_view::npos;

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

void find_spelled_numbers(std::string_view s, const std::vector<std::pair<std::size_t, std::size_t>>* words,
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

}  // namespace

std::vector<std::pair<std::size_t, std::size_t>> birth_cues(std::string_view text,
                                                           const std::vector<std::pair<std::size_t, std::size_t>>* words) {
  return words ? find_birth_cues(text, *words) : find_birth_cues(text, letter_runs(text));
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

std::vector<std::pair<std::size_t, std::size_t>> digit_windows(std::string_view s, std::size_t before,
                                                              std::size_t after) {
  std::vector<std::pair<std::size_t, std::size_t>> windows;
  std::size_t covered = 0;  // windows already reach this far: skip digits inside them cheaply
  for (std::size_t i = 0; i < s.size(); ++i) {
    i = next_digit(s, i, s.size());
    if (i >= s.size()) break;
    if (!windows.empty() && i + after <= covered) {
      // Every digit before covered - after is inside the last window too: skip them unread.
      i = std::max(i, covered - after);
      continue;
    }
    std::size_t b = i > before ? i - before : 0;
    std::size_t e = std::min(s.size(), i + after);
    while (b > 0 && (static_cast<unsigned char>(s[b]) & 0xC0) == 0x80) --b;
    while (e < s.size() && (static_cast<unsigned char>(s[e]) & 0xC0) == 0x80) ++e;
    // Start and end at a space or line break where possible, so no word is cut.
    std::size_t b2 = b;
    while (b2 > 0 && b2 + 40 > b && s[b2] != ' ' && s[b2] != '\n') --b2;
    if (s[b2] == ' ' || s[b2] == '\n' || b2 == 0) b = b2;
    std::size_t e2 = e;
    while (e2 < s.size() && e2 < e + 40 && s[e2] != ' ' && s[e2] != '\n') ++e2;
    e = e2;
    if (!windows.empty() && b <= windows.back().second) windows.back().second = std::max(windows.back().second, e);
    else windows.push_back({b, e});
    covered = windows.back().second;
  }
  return windows;
}

std::vector<Found> find_all(std::string_view s, const std::vector<std::pair<std::size_t, std::size_t>>* words) {
  std::vector<Found> out;
  re2::StringPiece input(s.data(), s.size());
  // Which characters occur at all: '@' and '/' by memchr, digits eight bytes at a time.
  const bool has_at = s.find('@') != std::string_view::npos;
  const bool has_slash = s.find('/') != std::string_view::npos;
  const bool has_digit = next_digit(s, 0, s.size()) < s.size();
  // Windows of text around digits: every pattern that needs a digit runs only there, so
  // prose without numbers costs one byte scan. A window reaches 200 bytes before the first
  // digit (an address prefix and street name) and 80 after the last; close windows merge.
  const auto windows = has_digit ? digit_windows(s, 200, 80) : std::vector<std::pair<std::size_t, std::size_t>>{};
  // One RE2::Set pass per window says which digit patterns occur there; only those run.
  struct Task {
    std::size_t rule, wb, we;
  };
  std::vector<Task> tasks;
  const auto& all = rules();
  for (std::size_t r = 0; r < all.size(); ++r) {
    const Kind k = all[r].kind;
    if (k == Kind::kEmail || k == Kind::kHandle) {
      if (has_at) tasks.push_back({r, 0, s.size()});
    } else if (k == Kind::kUrl) {
      if (has_slash) tasks.push_back({r, 0, s.size()});
    }
  }
  if (has_digit) {
    const RE2::Set& set = digit_rule_set();
    std::vector<int> which;
    for (const auto& [wb, we] : windows) {
      which.clear();
      if (!set.Match(re2::StringPiece(s.data() + wb, we - wb), &which)) continue;
      for (int idx : which) tasks.push_back({digit_rule_index()[static_cast<std::size_t>(idx)], wb, we});
    }
  }
  for (const auto& task : tasks) {
    const Rule& rule = all[task.rule];
    const std::size_t wb = task.wb, we = task.we;
    {
    re2::StringPiece m;
    std::size_t pos = wb;
    while (pos < we) {
      if (rule.digit_first) {
        pos = next_number_start(s, pos, we);
        if (pos >= we) break;
      }
      if (!rule.re->Match(input, pos, we, RE2::UNANCHORED, &m, 1)) break;
      std::size_t b = static_cast<std::size_t>(m.data() - s.data());
      std::size_t e = b + m.size();
      pos = e > b ? b + 1 : b + 1;
      // Trim trailing punctuation picked up by URLs and e-mails.
      if (rule.kind == Kind::kUrl || rule.kind == Kind::kEmail)
        while (e > b && std::string_view(".,;:!?)'\"").find(s[e - 1]) != std::string_view::npos) --e;
      while (e > b && (s[e - 1] == ' ' || s[e - 1] == ',')) --e;
      if (e <= b) continue;
      if (rule.kind == Kind::kHandle) {
        const char32_t pc = cp_before(s, b);
        if (is_word_cp(pc) || pc == '.' || pc == '/') continue;
        if (e < s.size() && (s[e] == '.' && e + 1 < s.size() && std::isalnum(static_cast<unsigned char>(s[e + 1]))))
          continue;  // part of an e-mail address
      } else if (rule.check_bounds && !bounded(s, b, e)) {
        // A number glued to letters ("SIZO-1") or a longer number: try the next start; a
        // digit run is skipped whole (restarting inside it would be quadratic).
        if (std::string_view(rule.reason) == "pattern:digits") pos = e;
        if (rule.kind != Kind::kUrl && rule.kind != Kind::kEmail) continue;
      }
      Found f{b, e, rule.kind, rule.reason, false, {}};
      const std::string_view ms = s.substr(b, e - b);
      if (rule.kind == Kind::kPhone) {
        std::size_t lead = 0;
        while (lead < ms.size() && (ms[lead] == '(' || ms[lead] == ' ')) ++lead;
        const bool plus = !ms.empty() && ms[0] == '+';
        if (!phone_plausible(ms, plus)) {
          if (!phone_valid_by_plan(ms)) continue;
          f.reason = "pattern:phone-plan";
          f.doubtful = true;
        }
        f.digits = phone_digits(ms);
        pos = e;
      } else if (rule.kind == Kind::kId && std::string_view(rule.reason) == "pattern:digits") {
        const std::string d(ms);
        if (d.size() == 10 || d.size() == 12) {
          f.reason = inn_checksum_ok(d) ? "pattern:inn" : "pattern:digits";
          f.doubtful = !inn_checksum_ok(d);
        } else if (d.size() == 11 && snils_checksum_ok(d)) {
          f.reason = "pattern:snils";
        } else {
          f.doubtful = true;
        }
        if (phone_plausible(ms, false)) {
          f.kind = Kind::kPhone;
          f.digits = phone_digits(ms);
          f.doubtful = false;
          f.reason = "pattern:phone";
        }
        pos = e;
      } else if (std::string_view(rule.reason) == "pattern:snils") {
        std::string d;
        for (char c : ms) if (c >= '0' && c <= '9') d.push_back(c);
        f.doubtful = !snils_checksum_ok(d);
        pos = e;
      } else if (rule.kind == Kind::kUnit && std::string_view(rule.reason) == "pattern:military-unit") {
        // A field label ("Войсковая часть: 65384") stays; the number goes.
        const std::size_t colon = ms.find(':');
        if (colon != std::string_view::npos) {
          std::size_t nb = b + colon + 1;
          while (nb < e && (s[nb] == ' ' || s[nb] == '\t')) ++nb;
          f.begin = nb;
        }
        pos = e;
      } else if (rule.kind == Kind::kUnit && std::string_view(rule.reason) == "pattern:unit-ua") {
        f.doubtful = true;
        pos = e;
      } else if (std::string_view(rule.reason) == "pattern:url") {
        f.doubtful = true;
        pos = e;
      } else {
        pos = e;
      }
      out.push_back(std::move(f));
    }
    }
  }
  find_dates_of_birth(s, windows, words, out);
  if (s.find('|') != std::string_view::npos) find_table_dates_of_birth(s, out);
  find_spelled_numbers(s, words, out);
  // A phone found only by libphonenumber is kept only where no other pattern found anything
  // (so "45 11 123456" stays a passport, [ID]): the plans add redactions, never relabel one.
  bool any_plan = false;
  for (const auto& f : out) any_plan = any_plan || std::string_view(f.reason) == "pattern:phone-plan";
  if (any_plan) {
    std::vector<std::pair<std::size_t, std::size_t>> others;  // (begin, end), then the running max of ends
    for (const auto& f : out)
      if (std::string_view(f.reason) != "pattern:phone-plan") others.push_back({f.begin, f.end});
    std::sort(others.begin(), others.end());
    for (std::size_t k = 1; k < others.size(); ++k) others[k].second = std::max(others[k].second, others[k - 1].second);
    std::size_t w = 0;
    for (std::size_t r = 0; r < out.size(); ++r) {
      if (std::string_view(out[r].reason) == "pattern:phone-plan") {
        // Others beginning before this span ends: one of them overlaps it iff their largest end is past its begin.
        auto it = std::lower_bound(others.begin(), others.end(), std::make_pair(out[r].end, std::size_t{0}));
        if (it != others.begin() && std::prev(it)->second > out[r].begin) continue;
      }
      if (w != r) out[w] = std::move(out[r]);
      ++w;
    }
    out.resize(w);
  }
  return out;
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
