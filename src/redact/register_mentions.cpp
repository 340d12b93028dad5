// Stage: registered people in every spelling. Each word is looked up in the register index
// (by its comparison key, or by a lower-case spelling the register lists); from each word
// that can start a mention, the longest run of words that all fit one person is that
// person's mention. A mention without its given name, next to a given name that is not the
// person's, is another member of the family and is numbered as an unregistered person.
#include <algorithm>
#include <array>
#include <string>
#include <vector>

#include "src/redact/chunk_scan.h"
#include "src/redact/gazetteer.h"
#include "src/redact/morphology.h"
#include "src/redact/stages.h"
#include "src/text/name_key.h"
#include "src/text/utf8.h"

namespace fieldnotes::redact {

using patterns::Kind;
using Hit = RegisterIndex::Hit;

namespace {

struct Mention {
  std::size_t first, last;  // tokens
  std::uint32_t person;
  int words;                // words that matched a name part (initials not counted)
  bool used_given;
  bool typo;
};

// The best mention found so far from one starting word: the most words and initials; on a
// tie, a person whose name is redacted before one whose name may stay, then a form of the
// person's own gender.
struct BestMention {
  bool found = false;
  Mention mention{};
  int score = 0;
  bool primary = false;

  void offer(const Mention& m, int m_score, bool m_primary, const SessionTables& session) {
    const bool kept_best = found && session.kept_by_consent(mention.person);
    const bool kept_new = session.kept_by_consent(m.person);
    const bool better = !found || m_score > score || (m_score == score && kept_best && !kept_new) ||
                        (m_score == score && kept_best == kept_new && m_primary && !primary);
    if (!better) return;
    found = true;
    mention = m;
    score = m_score;
    primary = m_primary;
  }
};

bool starts_with(const std::string& s, const std::string& p) { return s.size() >= p.size() && s.compare(0, p.size(), p) == 0; }

class MentionMatcher {
 public:
  explicit MentionMatcher(ChunkScan& scan)
      : scan_(scan), toks_(scan.tokens()), index_(scan.session.index), gz_(Gazetteer::get()), hits_(scan.hits) {}

  void run() {
    std::vector<std::uint32_t> starts;
    collect_hits(starts);
    std::vector<Mention> mentions;
    std::size_t next_start = 0;
    for (const std::uint32_t start : starts) {  // the other words cannot start a mention
      if (start < next_start) continue;
      const BestMention best = match_at(start);
      if (!best.found) continue;
      mentions.push_back(best.mention);
      next_start = best.mention.last + 1;
    }
    for (const Mention& m : mentions) emit(m);
  }

 private:
  void collect_hits(std::vector<std::uint32_t>& starts);
  BestMention match_at(std::size_t i);
  const Hit& preferred_hit(const std::vector<Hit>& hits) const;
  std::uint32_t one_word_person(const std::vector<Hit>& hits);
  bool gather_persons(std::size_t i);
  void extend(std::size_t i, std::uint32_t p, BestMention& best) const;
  bool initial_fits(const Token& t, std::uint32_t p, int part) const;
  bool is_given_word(const Token& t) const {
    return t.cap && !t.initial && gz_.given_name(scan_.key_of(t), t.latin) && !gz_.ambiguous.count(scan_.key_of(t));
  }
  bool other_family_member(const Mention& m, std::size_t& lo, std::size_t& hi) const;
  void emit(const Mention& m);

  ChunkScan& scan_;
  std::vector<Token>& toks_;
  const RegisterIndex& index_;
  const Gazetteer& gz_;
  std::vector<const std::vector<Hit>*>& hits_;
  std::vector<std::uint32_t> persons_, next_;  // reused for every word
};

// Register hits of every word; `starts` gets the words with hits, and the initials.
void MentionMatcher::collect_hits(std::vector<std::uint32_t>& starts) {
  const std::string_view s = scan_.text;
  const std::size_t n = toks_.size();
  hits_.assign(n, nullptr);
  scan_.typo_hit.assign(n, false);
  for (std::size_t i = 0; i < n; ++i) {
    Token& t = toks_[i];
    if (t.blocked) continue;
    if (t.initial) {
      starts.push_back(static_cast<std::uint32_t>(i));
      continue;
    }
    if (t.lazy) {
      // A lower-case word: only the register's own lower-case spellings.
      if (index_.lower_surfaces.empty() || t.e - t.b > 40) continue;
      const std::string_view surface = s.substr(t.b, t.e - t.b);
      if (!index_.lower_filter_test(surface)) continue;
      auto ls = index_.lower_surfaces.find(surface);
      if (ls == index_.lower_surfaces.end()) continue;
      auto f = index_.forms.find(ls->second);
      if (f == index_.forms.end()) continue;
      scan_.ensure_key(t);
      t.lowercase_hit = true;
      hits_[i] = &f->second;
      starts.push_back(static_cast<std::uint32_t>(i));
      continue;
    }
    if (!t.cap || scan_.key_of(t).empty()) continue;
    const WordFacts& facts = scan_.facts_of(t);
    hits_[i] = facts.hits;
    scan_.typo_hit[i] = facts.is_typo;
    if (hits_[i]) starts.push_back(static_cast<std::uint32_t>(i));
  }
}

bool MentionMatcher::initial_fits(const Token& t, std::uint32_t p, int part) const {
  for (const auto& b : index_.people[p].bases[static_cast<std::size_t>(part)])
    if (!scan_.key_of(t).empty() && starts_with(b, scan_.key_of(t))) return true;
  return false;
}

// Of the people one word names, the first unless a later one is redacted where it is kept,
// or a form of its own gender where it is not.
const Hit& MentionMatcher::preferred_hit(const std::vector<Hit>& hits) const {
  const Hit* pick = &hits.front();
  for (const auto& h : hits) {
    const bool kept_new = scan_.session.kept_by_consent(h.person), kept_old = scan_.session.kept_by_consent(pick->person);
    if ((kept_old && !kept_new) || (kept_old == kept_new && h.primary && !pick->primary)) pick = &h;
  }
  return *pick;
}

// The person a word that nothing can extend names. The pick depends only on the hit list (and
// the session's consents): memoised, since a first name shared by hundreds of registered
// people has hundreds of hits.
std::uint32_t MentionMatcher::one_word_person(const std::vector<Hit>& hits) {
  if (hits.front().person == hits.back().person) return hits.front().person;
  auto& memo = scan_.session.one_word_pick;
  auto it = memo.find(&hits);
  if (it == memo.end()) it = memo.emplace(&hits, preferred_hit(hits).person).first;
  return it->second;
}

// Candidate persons of a mention starting at word i: from this word, or from the next word of
// a run of initials, or from the initials index for initials alone. Returns true when no
// candidate fits the very next word (each one's mention is then this word alone).
bool MentionMatcher::gather_persons(std::size_t i) {
  const std::string_view s = scan_.text;
  const std::size_t n = toks_.size();
  const Token& t0 = toks_[i];
  for (std::size_t j = i; j < n && j < i + 5; ++j) {
    if (hits_[j])
      for (auto& h : *hits_[j]) persons_.push_back(h.person);
    if (!toks_[j].initial) break;
    if (j + 1 < n && !joinable(s, toks_[j], toks_[j + 1])) break;
  }
  if (t0.initial) {
    // A run of initials alone ("S.K.", "Е.К.Л."): candidates from the initials index.
    std::string firsts;
    std::size_t j = i;
    while (j < n && toks_[j].initial && !scan_.key_of(toks_[j]).empty() && firsts.size() < 4) {
      firsts.push_back(scan_.key_of(toks_[j])[0]);
      if (j + 1 >= n || !joinable(s, toks_[j], toks_[j + 1])) { ++j; break; }
      ++j;
    }
    if (firsts.size() >= 2)
      if (auto it = index_.initials.find(firsts); it != index_.initials.end())
        persons_.insert(persons_.end(), it->second.begin(), it->second.end());
  }
  std::sort(persons_.begin(), persons_.end());
  persons_.erase(std::unique(persons_.begin(), persons_.end()), persons_.end());
  // Large registers share given names widely: keep only the persons that also fit the
  // next word, while some do, so the detailed extension runs for a few persons.
  if (persons_.size() > 8 && !t0.initial) {
    std::size_t j = i;
    while (j + 1 < n && joinable(s, toks_[j], toks_[j + 1]) && hits_[j + 1]) {
      next_.clear();
      for (auto& h : *hits_[j + 1])
        if (std::binary_search(persons_.begin(), persons_.end(), h.person)) next_.push_back(h.person);
      if (next_.empty()) return j == i;
      std::sort(next_.begin(), next_.end());
      next_.erase(std::unique(next_.begin(), next_.end()), next_.end());
      persons_.swap(next_);
      ++j;
    }
  }
  return false;
}

// The longest run of words from word i that all fit person p, offered to `best`.
void MentionMatcher::extend(std::size_t i, std::uint32_t p, BestMention& best) const {
  const std::string_view s = scan_.text;
  const std::size_t n = toks_.size();
  std::array<bool, kPartCount> used{};
  int words = 0, inits = 0;
  bool primary = false, used_given = false, typo = false;
  std::size_t j = i, last = i;
  while (j < n) {
    const Token& t = toks_[j];
    if (t.blocked) break;
    bool ok = false;
    if (t.initial) {
      for (int part = 0; part < kPartCount && !ok; ++part)
        if (!used[part] && index_.people[p].has[part] && initial_fits(t, p, part)) {
          used[part] = true;
          ok = true;
          ++inits;
        }
    } else if (hits_[j]) {
      const auto& hv = *hits_[j];
      auto from = std::lower_bound(hv.begin(), hv.end(), p, [](const Hit& h, std::uint32_t person) { return h.person < person; });
      for (auto it = from; it != hv.end() && it->person == p; ++it) {
        const auto& h = *it;
        if (used[h.part]) continue;
        used[h.part] = true;
        ok = true;
        ++words;
        primary = primary || h.primary;
        used_given = used_given || h.part == kGiven;
        typo = typo || scan_.typo_hit[j];
        break;
      }
    }
    if (!ok) break;
    last = j;
    if (j + 1 >= n || !joinable(s, t, toks_[j + 1])) break;
    ++j;
  }
  // Trailing initials must close the mention; a run of initials alone needs two or more
  // and must fit given + family or given + patronymic.
  if (words == 0 && inits < 2) return;
  if (words == 0 && !(used[kGiven] && (used[kFamily] || used[kPatronymic]))) return;
  best.offer({i, last, p, words, used_given, typo}, words * 2 + inits, primary, scan_.session);
}

BestMention MentionMatcher::match_at(std::size_t i) {
  const std::size_t n = toks_.size();
  BestMention best;
  const Token& t0 = toks_[i];
  if (t0.blocked || (!hits_[i] && !t0.initial)) return best;
  // A word that nothing can extend (the next word is not a name part nor an initial) is a
  // one-word mention for every candidate: pick by consent, then gender, without extending.
  const bool can_extend = t0.initial || (i + 1 < n && joinable(scan_.text, toks_[i], toks_[i + 1]) &&
                                         (hits_[i + 1] || toks_[i + 1].initial));
  persons_.clear();
  bool one_word_run = false;  // no candidate fits the next word
  if (!can_extend && !t0.initial) {
    // (The usual case, and the same result as the general path, without building and
    // sorting the candidate list: the hits are sorted by person.)
    persons_.push_back(one_word_person(*hits_[i]));
  } else {
    one_word_run = gather_persons(i);
  }
  if (one_word_run) {
    // Same choice as `extend`, which would stop at the next word for every candidate: each
    // person's first hit here (hits are sorted by person, then part). One pass over the hits
    // instead of a binary search per person and word.
    const auto& hv = *hits_[i];
    for (std::size_t k = 0; k < hv.size(); ++k) {
      const auto& h = hv[k];
      if (k > 0 && hv[k - 1].person == h.person) continue;
      best.offer({i, i, h.person, 1, h.part == kGiven, static_cast<bool>(scan_.typo_hit[i])}, 2, h.primary, scan_.session);
    }
    return best;
  }
  if (!can_extend && hits_[i] && persons_.size() > 1) persons_.assign(1, preferred_hit(*hits_[i]).person);
  for (auto p : persons_) extend(i, p, best);
  return best;
}

// A register mention without its given name, next to a given name that is not this
// person's: another member of the family ("Raisa Ladygina", "Зима Павел Олегович").
// Widens [lo, hi] to the family member's whole name.
bool MentionMatcher::other_family_member(const Mention& m, std::size_t& lo, std::size_t& hi) const {
  const std::size_t n = toks_.size();
  const auto joins = [&](std::size_t a) { return scan_.joinable(a, a + 1); };
  const auto patronymic_at = [&](std::size_t k) {
    return toks_[k].cap && morph::looks_like_patronymic(text::cyrillic_reading(scan_.text_of(toks_[k]).low));
  };
  bool other = false;
  if (!m.used_given) {
    if (hi + 1 < n && joins(hi) && is_given_word(toks_[hi + 1]) && !hits_[hi + 1]) {
      other = true;
      ++hi;
      while (hi + 1 < n && joins(hi) && !hits_[hi + 1] && patronymic_at(hi + 1)) ++hi;
      // A patronymic of the registered person may follow ("Зима Павел Олегович").
      while (hi + 1 < n && joins(hi) && patronymic_at(hi + 1)) ++hi;
    }
    if (lo > 0 && joins(lo - 1) && is_given_word(toks_[lo - 1]) && !hits_[lo - 1] && !toks_[lo - 1].consumed) {
      other = true;
      --lo;
    }
  } else if (m.words == 1 && m.first == m.last && !toks_[m.first].sent_start) {
    // "Mikhail Gerts": a registered first name followed by a surname that is not theirs.
    if (hi + 1 < n && joins(hi) && toks_[hi + 1].cap && !hits_[hi + 1] && !toks_[hi + 1].initial &&
        !toks_[hi + 1].blocked && !gz_.non_names.count(scan_.key_of(toks_[hi + 1])) &&
        !gz_.places.count(scan_.key_of(toks_[hi + 1])) && !toks_[hi + 1].allcaps) {
      other = true;
      ++hi;
    }
  }
  return other;
}

void MentionMatcher::emit(const Mention& m) {
  const std::string_view s = scan_.text;
  std::size_t lo = m.first, hi = m.last;
  if (other_family_member(m, lo, hi)) {
    Candidate c;
    c.b = toks_[lo].b;
    c.e = toks_[hi].e;
    c.kind = Kind::kPerson;
    c.reason = "register:other-family-member";
    c.doubtful = true;
    c.unregistered = 0;  // numbered later, with the unregistered persons
    c.first_token = lo;
    c.last_token = hi;
    for (std::size_t k = lo; k <= hi; ++k) toks_[k].consumed = 2;
    scan_.candidates.push_back(c);
    return;
  }
  for (std::size_t k = m.first; k <= m.last; ++k) toks_[k].consumed = 1;
  if (scan_.session.kept_by_consent(m.person)) return;
  Candidate c;
  c.b = toks_[m.first].b;
  c.e = toks_[m.last].e;
  // Include the closing dot of trailing initials ("Orekhov D.A.").
  if (toks_[m.last].initial && c.e < s.size() && s[c.e] == '.') ++c.e;
  c.kind = Kind::kPerson;
  c.registered = true;
  c.person = static_cast<int>(m.person);
  c.reason = m.typo ? "register:typo" : (m.words > 1 || m.first != m.last) ? "register:name" : "register:name-part";
  c.doubtful = m.typo;
  if (toks_[m.first].lowercase_hit && m.first == m.last) {
    c.reason = "register:lower-case";
    c.doubtful = true;
  }
  scan_.candidates.push_back(c);
}

}  // namespace

void find_register_mentions(ChunkScan& scan) { MentionMatcher(scan).run(); }

}  // namespace fieldnotes::redact
