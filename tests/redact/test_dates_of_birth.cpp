// Tests of dates of birth (dates_of_birth.cpp): birth cues, plain dates, year suffixes.
#include <catch2/catch.hpp>

#include <cctype>
#include <cstddef>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <re2/re2.h>

#include "src/redact/patterns.h"
#include "src/text/utf8.h"
#include "tests/redact/engine_fixtures.h"

using namespace fieldnotes::redact;
using namespace fieldnotes::redact::fixtures;
namespace text = fieldnotes::text;

TEST_CASE("patterns: dates of birth only with a birth cue", "[pattern][dob]") {
  CHECK(run({}, "родился 23.11.1990, призван 12.05.2024") == "родился [DOB], призван 12.05.2024");
  CHECK(run({}, "1994 г.р., в/ч") == "[DOB], в/ч");
  CHECK(run({}, "born 30 May 1989. Mobilised in September 2022.") == "born [DOB]. Mobilised in September 2022.");
  CHECK(run({}, "Hearing on 4 June 2024; next on 18 June 2024.") == "Hearing on 4 June 2024; next on 18 June 2024.");
  CHECK_FALSE(contains(run({}, "born, um, fourth of March two thousand one, and"), "March"));
}

TEST_CASE("patterns: birth cues compared by hand as by a regular expression", "[pattern][dob][perf]") {
  // The regular expression the hand-written comparison replaced, scanned over the whole text
  // and kept only at word starts. It differs only where a match inside a word runs over a
  // later word start (below), so the random texts keep cue prefixes inside single pieces
  // (and U+02BC, a modifier letter, is no separator: it joins two pieces into one word).
  RE2 cue(R"((?i)(?:\bborn\b|\bb\.\s|\bdob\b|\bd\.o\.b\.?|date of birth|birth\s?date|родил(?:ся|ась)|рождени[яе]|д\.\s?р\.|народи(?:вся|лася)|народження|нар\.|р\.\s?н\.))");
  auto by_regex = [&](std::string_view s) {
    std::vector<std::pair<std::size_t, std::size_t>> out;
    re2::StringPiece input(s.data(), s.size()), m;
    std::size_t pos = 0;
    while (pos < s.size() && cue.Match(input, pos, s.size(), RE2::UNANCHORED, &m, 1)) {
      const auto b = static_cast<std::size_t>(m.data() - s.data()), e = b + m.size();
      pos = e > pos ? e : pos + 1;
      std::size_t q = b;
      while (q > 0 && (static_cast<unsigned char>(s[q - 1]) & 0xC0) == 0x80) --q;
      if (b > 0) {
        std::size_t k = q - 1;
        while (k > 0 && (static_cast<unsigned char>(s[k]) & 0xC0) == 0x80) --k;
        const char32_t c = text::next_code_point(s, k);
        if (text::is_letter(c) || (c >= '0' && c <= '9') || c == '_') continue;
      }
      out.push_back({b, e});
    }
    return out;
  };
  const char* pool[] = {"born", "Born", "BORN", "borne", "b.", "B.", "dob", "DOB", "dobby", "d.o.b", "D.O.B.", "date",
                        "of", "birth", "Birth", "birthdate", "родился", "Родилась", "РОДИЛСЯ", "рождения", "рождение",
                        "рождением", "д.р.", "Д. р.", "д.р", "народився", "Народилася", "народился", "народження",
                        "нар.", "Нар.", "нар", "р.н.", "Р. н.", "р.\tн.", "\xE1\xB2\x81.р.", "р\xE1\xB2\x82дился", "xborn",
                        "жborn", "5родился", "_born", "п'народився", "п’рождения", "дом", "свидетель", "12.03.1990",
                        "1990", "года", "марта", "30", "May", "Дмитрий", "naïve"};
  const char* seps[] = {" ", ", ", ".\n", "\n", " — ", " «", "» ", "'", "’", " (", "-"};
  std::mt19937 rng(1122);
  for (int round = 0; round < 3000; ++round) {
    std::string t;
    for (int i = 0; i < 30; ++i) {
      t += pool[rng() % std::size(pool)];
      t += seps[rng() % std::size(seps)];
    }
    const auto words = letter_runs(t);
    INFO(t);
    REQUIRE(patterns::birth_cues(t, &words) == patterns::birth_cues(t));
    REQUIRE(patterns::birth_cues(t) == by_regex(t));
  }
  // Found: every cue alone, in any case; not found: inside a word or glued to one.
  for (const char* yes : {"born", "BORN", "b. ", "dob", "D.O.B.", "date of birth", "Birth date", "birthdate", "родился",
                          "Родилась", "рождения", "д.р.", "Д. р.", "народився", "народилася", "народження", "нар.",
                          "р.н.", "Р. Н."}) {
    INFO(yes);
    CHECK(patterns::birth_cues(std::string("x ") + yes + " 1990").size() == 1);
  }
  for (const char* no : {"borne", "xborn", "dobby", "народился", "5родился", "_born", "b.x", "д.р", "нар", "заборн"}) {
    INFO(no);
    CHECK(patterns::birth_cues(std::string("x ") + no + " 1990").empty());
  }
  // Where they differ: a match inside a word ran over a cue at the next word start ("date of
  // birth" inside "update", "д.\nр." from the end of "сад"); the hand version finds that cue.
  CHECK(by_regex("update of birth date").empty());
  CHECK(patterns::birth_cues("update of birth date").size() == 1);
  CHECK(by_regex("сад.\nр.\tн.").empty());
  CHECK(patterns::birth_cues("сад.\nр.\tн.").size() == 1);
}

TEST_CASE("patterns: plain dates compared by hand as by a regular expression", "[pattern][dob][perf]") {
  RE2 date(R"(\d{1,2}[./]\d{1,2}[./](?:19\d\d|200\d|201[0-2]))");
  auto by_regex = [&](std::string_view s) {
    std::string out;
    re2::StringPiece input(s.data(), s.size()), m;
    std::size_t pos = 0;
    while (pos < s.size() && date.Match(input, pos, s.size(), RE2::UNANCHORED, &m, 1)) {
      const auto b = static_cast<std::size_t>(m.data() - s.data()), e = b + m.size();
      pos = e;
      const bool before = b > 0 && (std::isalnum(static_cast<unsigned char>(s[b - 1])) || s[b - 1] == '_');
      const bool after = e < s.size() && (std::isalnum(static_cast<unsigned char>(s[e])) || s[e] == '_');
      if (!before && !after) out += std::to_string(b) + "-" + std::to_string(e) + " ";
    }
    return out;
  };
  auto by_hand = [&](std::string_view s) {
    std::string out;
    for (const auto& f : patterns::find_plain_dates(s)) out += std::to_string(f.begin) + "-" + std::to_string(f.end) + " ";
    return out;
  };
  CHECK(by_hand("Иванов, 09.10.1987 и 1/2/2012, 01.02.2013, 123.04.1990, 12.04.19901") == by_regex("Иванов, 09.10.1987 и 1/2/2012, 01.02.2013, 123.04.1990, 12.04.19901"));
  CHECK(by_hand("09.10.1987").size() > 0);
  const char pieces[] = "0123456789012./. x_";
  std::mt19937 rng(99);
  for (int round = 0; round < 20000; ++round) {
    std::string t;
    const int len = static_cast<int>(rng() % 40);
    for (int i = 0; i < len; ++i) t += pieces[rng() % (sizeof(pieces) - 1)];
    INFO(t);
    REQUIRE(by_hand(t) == by_regex(t));
  }
}

TEST_CASE("patterns: a year before р.н. closes that date, the next date stays", "[pattern][dob]") {
  CHECK(run({}, "Гражданин 1961 р.н., до березня 2022 року працював.") == "Гражданин [DOB], до березня 2022 року працював.");
  CHECK(run({}, "1968 г.р., до марта 2022 года работал.") == "[DOB], до марта 2022 года работал.");
  CHECK(run({}, "Свідок, 12.03.1985, р.н., прибув 5 травня.") == "Свідок, [DOB], прибув 5 травня.");
  // Elsewhere after a number, and before a date, р.н. and д.р. are still cues.
  CHECK(run({}, "Петров, кв. 5, д.р. 12.03.1985 прибыл.") == "[PERSON 1], кв. 5, д.р. [DOB] прибыл.");
  CHECK(run({}, "Свідок 2, р.н. 1985, пояснив.") == "Свідок 2, р.н. [DOB], пояснив.");
  CHECK(run({}, "Свидетель, д.р. 12.03.1990, пояснил.") == "Свидетель, д.р. [DOB], пояснил.");
  CHECK(run({}, "Свідок, р.н. 1985, пояснив.") == "Свідок, р.н. [DOB], пояснив.");
}
