// Tests of the engine's tokenizer (tokenizer.cpp): words at the edges of the text.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "tests/redact/engine_fixtures.h"

using namespace fieldnotes::redact;
using namespace fieldnotes::redact::fixtures;

TEST_CASE("a name is found whole at the very start and end of the text", "[register][tokenizer]") {
  const std::vector<PersonEntry> reg{person("Orekhov Dmitry"), person("Лобанов Кирилл")};
  // The last letter of the text is read by the tokenizer's slow path (no byte after it).
  CHECK(run(reg, "met Orekhov") == "met Client A");
  CHECK(run(reg, "Orekhov") == "Client A");
  CHECK(run(reg, "видели Лобанова") == "видели Client A");  // labels follow the order of mention
  CHECK(run(reg, "Лобанов") == "Client A");
  // Four-letter blocks and the letter-by-letter loop meet at every offset.
  for (const char* text : {"Лобановым", "Лобановыми", "ЛобановЫм", "Лобанов-ым", "лобановым"}) {
    INFO(text);
    const std::string out = run(reg, text);
    CHECK_FALSE(contains(out, "Лобанов"));
  }
}
