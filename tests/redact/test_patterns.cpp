// Tests of the identifier pattern table (patterns.cpp): e-mails, units, IDs, plates, addresses, coordinates.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstddef>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "src/redact/patterns.h"
#include "tests/redact/engine_fixtures.h"

using namespace fieldnotes::redact;
using namespace fieldnotes::redact::fixtures;

TEST_CASE("patterns: e-mail, handle, profile links", "[pattern]") {
  const std::string out = run({}, "Пишите a.b-c@mail.example, @yana_r87, t.me/yana_riab или https://vk.com/id318442907.");
  CHECK(out == "Пишите [EMAIL], [HANDLE], [URL] или [URL].");
}

TEST_CASE("patterns: military units in three languages", "[pattern][unit]") {
  CHECK(run({}, "служил в в/ч 31612.") == "служил в [UNIT].");
  CHECK(run({}, "в войсковой части 45752 и") == "в [UNIT] и");
  CHECK(run({}, "served in military unit 58124,") == "served in [UNIT],");
  CHECK(run({}, "з військової частини А1234.") == "з [UNIT].");
  CHECK(run({}, "в/ч А1126 відмовилась") == "[UNIT] відмовилась");
}

TEST_CASE("patterns: passports, military IDs with look-alikes, INN and SNILS checksums", "[pattern][id]") {
  CHECK(run({}, "паспорт 45 11 123456.") == "паспорт [ID].");
  CHECK(run({}, "серия 01 16 номер 823504.") == "[ID].");
  CHECK(run({}, "военный билет АК 4819275") == "военный билет [ID]");
  CHECK(run({}, "military ID AK 3372901") == "military ID [ID]");
  CHECK(patterns::inn_checksum_ok("500100732259"));
  CHECK(patterns::inn_checksum_ok("7707083893"));
  CHECK_FALSE(patterns::inn_checksum_ok("500100732258"));
  CHECK(patterns::snils_checksum_ok("11223344595"));
  CHECK(run({}, "СНИЛС 112-233-445 95") == "СНИЛС [ID]");
  std::vector<Span> rep;
  run({}, "ИНН 500100732259", &rep);
  REQUIRE(rep.size() == 1);
  CHECK_FALSE(rep[0].doubtful);
}

TEST_CASE("patterns: car plates", "[pattern][plate]") {
  CHECK(run({}, "номер Е482ОР 46, Лада") == "номер [PLATE], Лада");
  CHECK(run({}, "plate O519TM 150.") == "plate [PLATE].");
  CHECK(run({}, "номер АА 1234 ВВ.") == "номер [PLATE].");
}

TEST_CASE("patterns: street addresses", "[pattern][address]") {
  CHECK(run({}, "адрес: ул. Первомайская, д. 3, кв. 45.") == "адрес: [ADDRESS].");
  CHECK(run({}, "адреса: вул. Красноармійська, 101, кв. 7") == "адреса: [ADDRESS]");
  CHECK(run({}, "at 22 Gagarin Street, apt. 51.") == "at [ADDRESS].");
  CHECK(run({}, "in Podolsk (Lenin Ave., 140-27)") == "in Podolsk ([ADDRESS])");
}

TEST_CASE("patterns: GPS coordinates, decimal and DMS", "[pattern][coord]") {
  CHECK(run({}, "точка 48.5531, 38.6417 на карте") == "точка [COORD] на карте");
  CHECK_FALSE(contains(run({}, "координати 48°08′21″ пн. ш., 37°44′02″ сх. д."), "48°08"));
}

TEST_CASE("patterns: digit windows as by a look at every digit", "[pattern][perf]") {
  // The definition: a window from `before` bytes before each digit to `after` bytes after it,
  // widened to a character boundary and then to a space or line break within 40 bytes,
  // merged with the previous window when they touch; a digit whose `after` bytes end inside
  // the last window adds nothing.
  auto reference = [](std::string_view s, std::size_t before, std::size_t after) {
    std::vector<std::pair<std::size_t, std::size_t>> out;
    for (std::size_t i = 0; i < s.size(); ++i) {
      if (s[i] < '0' || s[i] > '9') continue;
      if (!out.empty() && i + after <= out.back().second) continue;
      std::size_t b = i > before ? i - before : 0, e = std::min(s.size(), i + after);
      while (b > 0 && (static_cast<unsigned char>(s[b]) & 0xC0) == 0x80) --b;
      while (e < s.size() && (static_cast<unsigned char>(s[e]) & 0xC0) == 0x80) ++e;
      std::size_t b2 = b;
      while (b2 > 0 && b2 + 40 > b && s[b2] != ' ' && s[b2] != '\n') --b2;
      if (s[b2] == ' ' || s[b2] == '\n' || b2 == 0) b = b2;
      std::size_t e2 = e;
      while (e2 < s.size() && e2 < e + 40 && s[e2] != ' ' && s[e2] != '\n') ++e2;
      if (!out.empty() && b <= out.back().second) out.back().second = std::max(out.back().second, e2);
      else out.push_back({b, e2});
    }
    return out;
  };
  const char* pieces[] = {"1", "42", "+7 916 555-01-23", " ", "\n", "word", "слово", "x", "2024", "......"};
  std::mt19937 rng(4242);
  for (int round = 0; round < 3000; ++round) {
    std::string t;
    const int count = static_cast<int>(rng() % 120);
    for (int i = 0; i < count; ++i) t += pieces[rng() % std::size(pieces)];
    const std::size_t before = rng() % 250, after = rng() % 120;
    INFO(t << " / " << before << " / " << after);
    REQUIRE(patterns::digit_windows(t, before, after) == reference(t, before, after));
  }
}

TEST_CASE("patterns: Russian plates transliterated into Latin letters", "[pattern][plate]") {
  CHECK(run({}, "The car T 418 NK 174 was seen.") == "The car [PLATE] was seen.");
  CHECK(run({}, "Also T418NK174.") == "Also [PLATE].");
  CHECK(run({}, "A car with plate A 123 BC 77 left.") == "A car with plate [PLATE] left.");
  // Near miss: a letter, three digits and a two-letter word without a region.
  CHECK(run({}, "U 235 is an isotope.") == "U 235 is an isotope.");
}

TEST_CASE("patterns: Russian and Ukrainian addresses in Latin letters", "[pattern][address]") {
  CHECK(run({}, "He lived at ul. Kirova, d. 112, kv. 9 until May.") == "He lived at [ADDRESS] until May.");
  CHECK(run({}, "Send it to vul. Sadova, 9.") == "Send it to [ADDRESS].");
  CHECK(run({}, "Meet at prospekt Mira 14, apt 3.") == "Meet at [ADDRESS].");
  // Near miss: no street word before the name and number.
  std::vector<Span> rep;
  run({}, "We waited 9 hours.", &rep);
  CHECK(rep.empty());
}
