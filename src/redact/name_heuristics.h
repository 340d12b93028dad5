// Cues that a capitalised word is an unregistered person's name, or is not one: the word's
// own shape (given name, patronymic, surname endings of the region's languages), and the
// words around it (titles and ranks, call-sign cues, car makes and models, lists of places,
// prepositions of place). Used by find_unregistered_people.
#pragma once

#include <cstddef>

#include "src/redact/chunk_scan.h"

namespace fieldnotes::redact {

// Fills scan.evidence, scan.not_a_name and scan.given_name for every capitalised word that no
// earlier stage took.
void weigh_capitalised_words(ChunkScan& scan);

// A title or rank ("адвокат", "Lt. Col.", "сержант юстиции") right before word i; with
// `callsign`, a call-sign cue instead ("позывной", "call sign", "known as" before a quoted word).
bool cue_before(ChunkScan& scan, std::size_t i, bool callsign);

// A quoted single word near a call-sign cue that cue_before does not see: further back in
// the same sentence ("Позывной у командира подвала «Клёст»"), right after it ("«Ёж»
// (позывной, ...)"), or after a verb of naming and "себя" ("называл себя «Сибиряк»").
bool callsign_near(ChunkScan& scan, std::size_t i);

// A quoted capitalised word alone (words [i, i]) that names a person: «Шаман», "Fox" — with
// a hint that a person is meant, and no lower-case noun after it ("Storm" detachment).
bool quoted_word_is_person(ChunkScan& scan, std::size_t i);

}  // namespace fieldnotes::redact
