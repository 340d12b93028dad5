// Tests of name morphology (morphology.cpp): patronymic and surname shapes.
#include <catch2/catch.hpp>

#include "src/redact/morphology.h"

using namespace fieldnotes::redact;

TEST_CASE("morphology: patronymic and surname shapes", "[morph]") {
  CHECK(morph::looks_like_patronymic(U"андреевича"));
  CHECK(morph::looks_like_patronymic(U"петрівна"));
  CHECK(morph::looks_like_patronymic(U"markovna"));
  CHECK_FALSE(morph::looks_like_patronymic(U"москва"));
  CHECK(morph::surname_shape(U"шестаков") == 3);
  CHECK(morph::surname_shape(U"tarasenko") == 2);
  CHECK(morph::surname_shape(U"телефон") == 0);
}
