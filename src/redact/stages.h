// The stages of the redaction pipeline over one chunk, in the order Redactor::redact runs
// them (see chunk_scan.h for the state they share, and docs/ARCHITECTURE.md).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "src/redact/chunk_scan.h"

namespace fieldnotes::redact {

// Identifiers by pattern and the register's identifiers and addresses (find_identifiers.cpp).
void find_identifiers(ChunkScan& scan);
// Marks the words inside identifiers, which are then out of the name matchers' reach.
void block_identifier_words(ChunkScan& scan);
// Registered people in every spelling, and family members beside them (register_mentions.cpp).
void find_register_mentions(ChunkScan& scan);
// People the register does not hold, by heuristics (unregistered_people.cpp).
void find_unregistered_people(ChunkScan& scan);
// A date right after a person's name is a date of birth (find_identifiers.cpp).
void find_dates_after_names(ChunkScan& scan);
// Overlapping candidates merge; the longest one names the result (render.cpp).
std::vector<Candidate> resolve_overlaps(std::vector<Candidate> candidates);
// The output: `s` with each span replaced, except spans the reviewer chose to keep
// (`keep_nfc`, NFC strings); one Span per replacement appended to `report` if given.
std::string render(std::string_view s, const std::vector<Candidate>& spans, const std::vector<std::string>& keep_nfc,
                   PersonNumbering& numbering, std::vector<Span>* report);

}  // namespace fieldnotes::redact
