#include <catch2/catch.hpp>

#include "src/redact/engine.h"

using namespace fieldnotes::redact;

TEST_CASE("empty input gives empty output") {
  auto e = Engine::compile({});
  Session s(*e);
  CHECK(s.redact("").empty());
}
