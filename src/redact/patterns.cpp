// The rule table of identifier patterns (RE2, run only in windows around digits where a
// pattern needs one) and find_all, which runs it and then the other scanners: dates of birth
// (dates_of_birth.cpp), spelled-out numbers (spelled_numbers.cpp). Phone checks: phones.cpp.
#include "src/redact/patterns.h"

#include <re2/re2.h>
#include <re2/set.h>

#include <algorithm>
#include <cctype>
#include <memory>
#include <string>

#include "src/redact/patterns_internal.h"

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

using namespace internal;

namespace {

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

}  // namespace

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

}  // namespace fieldnotes::redact::patterns
