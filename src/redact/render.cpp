// The last stages: overlapping candidates merged, then the output written with each span's
// replacement ("Client A", "[PERSON 2]", "[PHONE]"...) and the report of what was redacted.
#include <algorithm>

#include "src/redact/stages.h"
#include "src/text/name_key.h"
#include "src/text/utf8.h"

namespace fieldnotes::redact {

using patterns::Kind;

std::vector<Candidate> resolve_overlaps(std::vector<Candidate> candidates) {
  std::sort(candidates.begin(), candidates.end(), [](const Candidate& a, const Candidate& b) {
    if (a.b != b.b) return a.b < b.b;
    return a.e > b.e;
  });
  std::vector<Candidate> spans;
  for (auto& c : candidates) {
    if (c.e <= c.b) continue;
    if (!spans.empty() && c.b < spans.back().e) {
      Candidate& last = spans.back();
      const bool longer = (c.e - c.b) > (last.e - last.b);
      if (longer) {
        const std::size_t b = last.b;
        const std::size_t e = std::max(last.e, c.e);
        last = c;
        last.b = b;
        last.e = e;
      } else {
        last.e = std::max(last.e, c.e);
      }
      continue;
    }
    spans.push_back(c);
  }
  return spans;
}

std::string render(std::string_view s, const std::vector<Candidate>& spans, const std::vector<std::string>& keep_nfc,
                   PersonNumbering& numbering, std::vector<Span>* report) {
  std::string out;
  out.reserve(s.size());
  std::size_t pos = 0;
  for (const auto& c : spans) {
    const std::string_view surface = s.substr(c.b, c.e - c.b);
    if (!keep_nfc.empty()) {
      const std::string k = text::nfc(surface);
      if (std::find(keep_nfc.begin(), keep_nfc.end(), k) != keep_nfc.end()) continue;
    }
    std::string replacement;
    if (c.kind == Kind::kPerson) {
      if (c.person >= 0) replacement = numbering.label_for(static_cast<std::uint32_t>(c.person));
      else replacement = "[PERSON " + std::to_string(c.unregistered > 0 ? c.unregistered : numbering.new_number()) + "]";
    } else {
      replacement = patterns::replacement_for(c.kind);
    }
    out.append(s.substr(pos, c.b - pos));
    out.append(replacement);
    pos = c.e;
    if (report) {
      Span span;
      span.begin = c.b;
      span.end = c.e;
      span.category = patterns::category_name(c.kind);
      span.reason = c.reason;
      span.registered = c.registered;
      span.doubtful = c.doubtful;
      span.replacement = replacement;
      report->push_back(std::move(span));
    }
  }
  out.append(s.substr(pos));
  return out;
}

}  // namespace fieldnotes::redact
