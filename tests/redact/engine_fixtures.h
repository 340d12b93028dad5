// Helpers shared by the redaction engine's tests (tests/redact/test_*.cpp): a register entry,
// one run of the engine over a text, and the letter runs the engine's word pass hands the
// pattern scanners.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "src/redact/engine.h"
#include "src/text/utf8.h"

namespace fieldnotes::redact::fixtures {

inline PersonEntry person(std::string name, std::string role = "client") {
  PersonEntry p;
  p.name = std::move(name);
  p.role = std::move(role);
  return p;
}

// A fresh engine and session over `reg`, one chunk redacted.
inline std::string run(const std::vector<PersonEntry>& reg, std::string_view text, std::vector<Span>* report = nullptr,
                       Options options = {}) {
  auto engine = Engine::compile(reg);
  Session s(*engine, std::move(options));
  return s.redact(text, report);
}

inline bool contains(const std::string& hay, std::string_view needle) { return hay.find(needle) != std::string::npos; }

// Runs of letters (with an apostrophe between two letters inside a word), as the engine's word
// pass finds them: the `words` argument of patterns::find_all and patterns::birth_cues.
inline std::vector<std::pair<std::size_t, std::size_t>> letter_runs(std::string_view s) {
  std::vector<std::pair<std::size_t, std::size_t>> out;
  for (std::size_t i = 0; i < s.size();) {
    std::size_t j = i;
    const char32_t c = text::next_code_point(s, j);
    if (!text::is_letter(c)) {
      i = j;
      continue;
    }
    std::size_t k = i;
    while (k < s.size()) {
      std::size_t k2 = k;
      const char32_t d = text::next_code_point(s, k2);
      const bool apos = (d == '\'' || d == 0x2019) && k2 < s.size();
      std::size_t k3 = k2;
      if (!text::is_letter(d) && !(apos && text::is_letter(text::next_code_point(s, k3)))) break;
      k = k2;
    }
    out.push_back({i, k});
    i = k;
  }
  return out;
}

}  // namespace fieldnotes::redact::fixtures
