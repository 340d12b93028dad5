// Tests of the render stage (render.cpp): kept strings and the report of redacted spans.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "tests/redact/engine_fixtures.h"

using namespace fieldnotes::redact;
using namespace fieldnotes::redact::fixtures;

TEST_CASE("keep strings stay as they are", "[keep]") {
  Options o;
  o.keep = {"Орехов"};
  CHECK(contains(run({person("Дмитрий Орехов")}, "Орехов пришёл, Дмитрий ушёл.", nullptr, o), "Орехов"));
  CHECK_FALSE(contains(run({person("Дмитрий Орехов")}, "Орехов пришёл.", nullptr, {}), "Орехов"));
}

TEST_CASE("report spans carry offsets into the input and never the text", "[report]") {
  std::vector<Span> rep;
  const std::string in = "Дима звонил с +7 916 555-01-23.";
  const std::string out = run({person("Дмитрий Орехов")}, in, &rep);
  REQUIRE(rep.size() == 2);
  CHECK(in.substr(rep[0].begin, rep[0].end - rep[0].begin) == "Дима");
  CHECK(rep[0].category == "PERSON");
  CHECK(rep[0].registered);
  CHECK(in.substr(rep[1].begin, rep[1].end - rep[1].begin) == "+7 916 555-01-23");
  CHECK(rep[1].category == "PHONE");
}
