// Tests of the redaction Session (session.cpp): invalid UTF-8 repaired, consent by audience.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "tests/redact/engine_fixtures.h"

using namespace fieldnotes::redact;
using namespace fieldnotes::redact::fixtures;

TEST_CASE("invalid UTF-8 in the text never passes through the engine", "[utf8]") {
  const std::string out = run({person("Дмитрий Орехов")}, std::string("\xFF\xFE Орехов \xC3"));
  CHECK_FALSE(contains(out, "Орехов"));
  CHECK_FALSE(contains(out, "\xFF"));
  CHECK(contains(out, "\xEF\xBF\xBD"));
}

TEST_CASE("co-counsel consent depends on the audience", "[register][consent]") {
  PersonEntry p = person("Ольга Терновая", "lawyer");
  p.disclose = Disclose::kCoCounsel;
  CHECK_FALSE(contains(run({p}, "Ольга Терновая выступила."), "Терновая"));
  Options co;
  co.audience = Audience::kCoCounsel;
  CHECK(contains(run({p}, "Ольга Терновая выступила.", nullptr, co), "Терновая"));
}
