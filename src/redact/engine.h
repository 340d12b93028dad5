// The redaction engine: takes text (any mix of English, Russian, Ukrainian) and removes
// identities — registered people in every spelling, identifiers found by pattern, and
// unregistered people found by heuristics. See ../shared/DESIGN.md "Identity register and
// redaction" and docs/REDACTION.md.
//
// The engine does no I/O and no cryptography: the vault supplies the register.
//
// Thread-safety: a compiled Engine is immutable and may be shared between threads.
// A Session is single-threaded.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/plaintext.h"

namespace fieldnotes::redact {

// Consent of a registered person to appear by name.
enum class Disclose {
  kNever,      // always redacted (the default)
  kCoCounsel,  // may stay in exports to co-counsel (--audience co-counsel)
  kPublic,     // a public person: the name may stay in every export
};

// One entry of the identity register, as read from `person import` JSON.
struct PersonEntry {
  std::string name;                   // required
  std::vector<std::string> aliases;
  std::string role;                   // client, relative, witness, lawyer, official, other
  std::vector<std::string> phones;
  std::vector<std::string> emails;
  std::vector<std::string> handles;
  std::vector<std::string> identifiers;
  std::vector<std::string> addresses;
  Disclose disclose = Disclose::kNever;
  std::string pseudonym;              // empty: role + letter ("Client A")

  PersonEntry() = default;
  PersonEntry(const PersonEntry&) = default;
  PersonEntry(PersonEntry&&) = default;
  PersonEntry& operator=(const PersonEntry&) = default;
  PersonEntry& operator=(PersonEntry&&) = default;
  ~PersonEntry() {  // who the person is: wiped when the entry goes
    wipe_string(name);
    wipe_string(pseudonym);
    for (auto* list : {&aliases, &phones, &emails, &handles, &identifiers, &addresses})
      for (auto& s : *list) wipe_string(s);
  }
};

// Who will read the output: decides which consents let a name stay.
enum class Audience { kPublic, kCoCounsel };

struct Options {
  Audience audience = Audience::kPublic;
  // Exact surface strings a reviewer decided to keep (--keep). Compared after NFC.
  std::vector<std::string> keep;
};

// One redacted span of the input. Never carries the span's text.
struct Span {
  std::size_t begin = 0;   // byte offsets into the input given to Session::redact
  std::size_t end = 0;
  std::string category;    // PERSON, PHONE, EMAIL, HANDLE, URL, UNIT, ID, ADDRESS, PLATE, COORD, DOB
  std::string reason;      // short rule name, e.g. "register:surname", "gazetteer:first-name"
  bool registered = false; // matched a register entry
  bool doubtful = false;   // found by heuristics: listed for review
  std::string replacement; // what was written instead
};

class Engine;
struct RegisterIndex;

// Consistent replacements across the chunks of one output: the same person always gets
// the same "[PERSON n]" / pseudonym, keyed on the person, not the surface string.
class Session {
 public:
  explicit Session(const Engine& engine, Options options = {});
  ~Session();
  Session(Session&&) noexcept;
  Session& operator=(Session&&) = delete;

  // Redacts one chunk of text. Invalid UTF-8 is never passed through: each invalid
  // sequence becomes U+FFFD before matching. If `report` is non-null, appends one Span per
  // redaction, with offsets into `text` (into the repaired text when `text` was not valid
  // UTF-8). Chunks should end at a line break when possible.
  std::string redact(std::string_view text, std::vector<Span>* report = nullptr);

 private:
  struct State;
  std::unique_ptr<State> state_;
};

class Engine {
 public:
  // Compiles the register into matchers: every case form, transliteration and diminutive of
  // each name is generated here, so matching is a hash look-up per word (docs/REDACTION.md).
  // An entry with an empty name contributes only its phones, e-mails, handles, identifiers
  // and addresses; one-letter name parts are never matched alone.
  // REQUIRES: nothing; always succeeds (bad entries are ignored, never fatal).
  static std::shared_ptr<const Engine> compile(const std::vector<PersonEntry>& people);

  ~Engine();
  // The compiled register (register_index.h), for the pipeline's stages.
  const RegisterIndex& index() const { return *index_; }

 private:
  Engine() = default;
  std::unique_ptr<RegisterIndex> index_;
};

}  // namespace fieldnotes::redact
