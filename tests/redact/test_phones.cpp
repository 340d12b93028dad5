// Tests of the phone patterns and their checks (phones.cpp): formats and numbering plans.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "tests/redact/engine_fixtures.h"

using namespace fieldnotes::redact;
using namespace fieldnotes::redact::fixtures;

TEST_CASE("patterns: phones in RU, UA, BY and international formats", "[pattern][phone]") {
  for (const char* t : {"+7 (917) 284-60-13", "8-905-630-11-92", "89184420975", "+380 66 204 17 39",
                        "+375 29 614-08-33", "8 (4862) 44-19-07", "+44 20 7946 0958"}) {
    INFO(t);
    CHECK(run({}, std::string("тел. ") + t + ", звонить вечером") == "тел. [PHONE], звонить вечером");
  }
  // Near misses: dates, times and years stay.
  CHECK(run({}, "[21.02.2024 18:02] встреча в 2023 году") == "[21.02.2024 18:02] встреча в 2023 году");
}

TEST_CASE("patterns: libphonenumber adds phones the length rule misses, relabels nothing", "[pattern][phone]") {
  // A Moscow number without its trunk 8, a Ukrainian mobile without its trunk 0: rejected by
  // the length and prefix rule, valid in the numbering plans.
  for (const char* t : {"495 123-45-67", "67 123 45 67"}) {
    INFO(t);
    std::vector<Span> rep;
    CHECK(run({}, std::string("тел. ") + t + ", звонить вечером", &rep) == "тел. [PHONE], звонить вечером");
    REQUIRE(rep.size() == 1);
    CHECK(rep[0].reason == "pattern:phone-plan");
    CHECK(rep[0].doubtful);
  }
  // A passport found by its own pattern stays an [ID] even though its digits form a valid number.
  CHECK(run({}, "Паспорт: 45 11 123456.") == "Паспорт: [ID].");
  // Dates and times are not asked (fewer than nine digits).
  CHECK(run({}, "с 12-05-2024 по 14-05-2024") == "с 12-05-2024 по 14-05-2024");
}
