// Plaintext (base/plaintext.h): every block that held testimony is wiped before it is freed —
// on destruction, on growth into a new block, on clear, shrink and move-assignment. A wiper
// that records what it is handed checks it, and that the bytes it saw were the testimony.
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <type_traits>
#include <vector>

#include "base/plaintext.h"

namespace {

// Records the bytes of each block before wiping it, then wipes it as ZeroWiper does.
struct RecordingWiper {
  static std::vector<std::string>& seen() {
    static std::vector<std::string> s;
    return s;
  }
  static void wipe(void* p, std::size_t n) {
    seen().emplace_back(static_cast<const char*>(p), n);
    fieldnotes::ZeroWiper::wipe(p, n);
    const auto* b = static_cast<const unsigned char*>(p);
    CHECK(std::all_of(b, b + n, [](unsigned char c) { return c == 0; }));
  }
};
using Recorded = fieldnotes::BasicPlaintext<RecordingWiper>;

bool saw(std::string_view text) {
  for (const auto& s : RecordingWiper::seen())
    if (s.find(text) != std::string::npos) return true;
  return false;
}

const char* kTestimony = "Юрий Андреевич Дегтярёв, в/ч 31612, +7 916 555-01-23";

}  // namespace

TEST_CASE("plaintext: move-only, reads as a string_view") {
  static_assert(!std::is_copy_constructible_v<fieldnotes::Plaintext>);
  static_assert(!std::is_copy_assignable_v<fieldnotes::Plaintext>);
  static_assert(std::is_nothrow_move_constructible_v<fieldnotes::Plaintext>);
  fieldnotes::Plaintext p(kTestimony);
  std::string_view v = p;
  CHECK(v == kTestimony);
  fieldnotes::Plaintext q = std::move(p);
  CHECK(q == kTestimony);
  CHECK(p.empty());  // NOLINT(bugprone-use-after-move): the moved-from buffer holds nothing
  fieldnotes::Plaintext c = q.clone();
  CHECK(c == kTestimony);
  CHECK(c.data() != q.data());
}

TEST_CASE("plaintext: destroying the buffer wipes its block") {
  RecordingWiper::seen().clear();
  { Recorded p(kTestimony); }
  CHECK(saw(kTestimony));
}

TEST_CASE("plaintext: growing into a new block wipes the old one") {
  RecordingWiper::seen().clear();
  Recorded p(kTestimony);
  const char* first = p.data();
  std::string more(4096, 'x');
  p.append(more);
  REQUIRE(p.data() != first);  // the text moved
  CHECK(saw(kTestimony));      // and the block it left was wiped, before p itself is freed
  CHECK(p.view().substr(0, std::string_view(kTestimony).size()) == kTestimony);
}

TEST_CASE("plaintext: clear, shrink and move-assignment wipe the bytes given up") {
  RecordingWiper::seen().clear();
  Recorded p(kTestimony);
  p.resize(8);
  CHECK(saw(std::string_view(kTestimony).substr(8)));
  CHECK(p.size() == 8);
  RecordingWiper::seen().clear();
  p.clear();
  CHECK(saw(std::string_view(kTestimony).substr(0, 8)));
  RecordingWiper::seen().clear();
  Recorded a("first statement");
  Recorded b("second statement");
  a = std::move(b);
  CHECK(saw("first statement"));
  CHECK(a == "second statement");
}

TEST_CASE("plaintext: the default wiper zeroes memory") {
  char buf[32];
  std::fill(buf, buf + sizeof buf, 'A');
  fieldnotes::ZeroWiper::wipe(buf, sizeof buf);
  CHECK(std::all_of(buf, buf + sizeof buf, [](char c) { return c == 0; }));
}
