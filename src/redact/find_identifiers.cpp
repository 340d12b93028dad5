// Stages that find identifiers: by pattern (phones, e-mails, handles, URLs, document numbers,
// unit numbers, plates, coordinates, dates of birth...; see patterns.h), the register's own
// identifiers and addresses in any spacing, and dates right after a person's name.
#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "src/redact/chunk_scan.h"
#include "src/redact/stages.h"
#include "src/text/name_key.h"
#include "src/text/utf8.h"

namespace fieldnotes::redact {

using patterns::Kind;

namespace {

// Identifiers by pattern, marked registered when they belong to a register entry.
void find_pattern_identifiers(ChunkScan& scan) {
  const std::string_view s = scan.text;
  const RegisterIndex& index = scan.session.index;
  std::vector<Candidate>& cands = scan.candidates;
  for (auto& f : patterns::find_all(s, &scan.words.spans)) {
    Candidate c;
    c.b = f.begin;
    c.e = f.end;
    c.kind = f.kind;
    c.reason = f.reason;
    c.doubtful = f.doubtful;
    if (f.kind == Kind::kPhone) {
      auto it = index.phones.find(f.digits);
      if (it != index.phones.end()) {
        c.registered = true;
        c.person = static_cast<int>(it->second);
        c.reason = "register:phone";
        c.doubtful = false;
      }
    } else if (f.kind == Kind::kEmail) {
      auto it = index.emails.find(text::lower_ascii(std::string(s.substr(f.begin, f.end - f.begin))));
      if (it != index.emails.end()) { c.registered = true; c.person = static_cast<int>(it->second); c.reason = "register:email"; }
    } else if (f.kind == Kind::kHandle) {
      auto it = index.handles.find(text::lower_ascii(std::string(s.substr(f.begin + 1, f.end - f.begin - 1))));
      if (it != index.handles.end()) { c.registered = true; c.person = static_cast<int>(it->second); c.reason = "register:handle"; }
    }
    cands.push_back(std::move(c));
  }
}

// Register identifiers and addresses in any spacing/punctuation.
// Only near digits: every register identifier and address kept here has one (RegisterIndex).
void find_register_identifiers(ChunkScan& scan) {
  const std::string_view s = scan.text;
  const RegisterIndex& index = scan.session.index;
  std::vector<Candidate>& cands = scan.candidates;
  for (const auto& [wb, we] : index.compacts.empty() ? std::vector<std::pair<std::size_t, std::size_t>>{}
                                                   : patterns::digit_windows(s, 160, 60)) {
    std::u32string ct;
    std::vector<std::size_t> off;  // byte offset of each compact char, plus end offsets
    std::vector<std::size_t> endoff;
    std::vector<bool> word_start;
    std::size_t i = wb;
    bool prev_word = false;
    while (i < we) {
      const std::size_t b = i;
      const char32_t c = text::next_code_point(s, i);
      const bool w = (c >= '0' && c <= '9') || (text::is_letter(c) && !text::is_combining(c));
      if (w) {
        ct.push_back(text::compact_fold(c));
        off.push_back(b);
        endoff.push_back(i);
        word_start.push_back(!prev_word);
      }
      prev_word = w || text::is_combining(c);
    }
    for (std::size_t p = 0; p + RegisterIndex::kCompactPrefix <= ct.size(); ++p) {
      if (!word_start[p]) continue;
      auto it = index.compact_by_prefix.find(ct.substr(p, RegisterIndex::kCompactPrefix));
      if (it == index.compact_by_prefix.end()) continue;
      for (auto idx : it->second) {
        const auto& cp = index.compacts[idx];
        if (p + cp.text.size() > ct.size()) continue;
        if (ct.compare(p, cp.text.size(), cp.text) != 0) continue;
        const std::size_t last = p + cp.text.size() - 1;
        if (last + 1 < ct.size() && !word_start[last + 1]) continue;  // must end at a word end
        Candidate c;
        c.b = off[p];
        c.e = endoff[last];
        c.kind = cp.kind;
        c.reason = "register:identifier";
        c.registered = true;
        c.person = static_cast<int>(cp.person);
        cands.push_back(c);
      }
    }
  }
}

}  // namespace

void find_identifiers(ChunkScan& scan) {
  find_pattern_identifiers(scan);
  find_register_identifiers(scan);
}

// Words inside identifiers are out of the name matchers' reach.
void block_identifier_words(ChunkScan& scan) {
  std::vector<Token>& toks = scan.tokens();
  std::vector<std::pair<std::size_t, std::size_t>> iv;
  for (auto& c : scan.candidates) iv.push_back({c.b, c.e});
  std::sort(iv.begin(), iv.end());
  std::vector<std::pair<std::size_t, std::size_t>> merged;
  for (auto& span : iv) {
    if (!merged.empty() && span.first < merged.back().second) merged.back().second = std::max(merged.back().second, span.second);
    else merged.push_back(span);
  }
  // The tokens overlapping each interval: the first is found by galloping from where the
  // previous interval's search ended (tokens are in order, and so are the intervals).
  std::size_t first = 0;
  for (const auto& [mb, me] : merged) {
    std::size_t lo = first, step = 1;
    while (lo < toks.size() && toks[lo].e <= mb) {
      first = lo + 1;
      lo = std::min(toks.size(), lo + step);
      step *= 2;
    }
    // toks[first - 1].e <= mb (or first is where the search began), toks[lo].e > mb (or lo is the end).
    first = static_cast<std::size_t>(std::partition_point(toks.begin() + static_cast<std::ptrdiff_t>(first),
                                                          toks.begin() + static_cast<std::ptrdiff_t>(lo),
                                                          [&](const Token& t) { return t.e <= mb; }) -
                                     toks.begin());
    for (std::size_t q = first; q < toks.size() && toks[q].b < me; ++q) toks[q].blocked = true;
  }
}

// A date right after a person's name is a date of birth ("Иванов Иван, 01.02.1990").
void find_dates_after_names(ChunkScan& scan) {
  const std::string_view s = scan.text;
  std::vector<Candidate>& cands = scan.candidates;
  std::vector<std::size_t> person_ends;
  for (const auto& c : cands)
    if (c.kind == Kind::kPerson) person_ends.push_back(c.e);
  std::sort(person_ends.begin(), person_ends.end());
  for (auto& f : patterns::find_plain_dates(s)) {
    auto it = std::upper_bound(person_ends.begin(), person_ends.end(), f.begin);
    if (it == person_ends.begin()) continue;
    const std::size_t pe = *(it - 1);
    const std::string_view gap = s.substr(pe, f.begin - pe);
    if (gap.size() > 4) continue;
    bool ok = true;
    for (char c : gap) ok = ok && (c == ',' || c == ' ' || c == '(' || c == '.');
    if (!ok) continue;
    Candidate c;
    c.b = f.begin;
    c.e = f.end;
    c.kind = Kind::kDob;
    c.reason = f.reason;
    c.doubtful = true;
    cands.push_back(c);
  }
}

}  // namespace fieldnotes::redact
