// Sealed rows: a row of an item table (vault/item_key.h) as the database holds it, and the one
// reader that copies it out of a statement (docs/FORMAT.md, "Database" and "Envelopes").
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "vault/db.h"
#include "vault/item_key.h"

namespace fieldnotes::vault {

// One row of an item table, copied out of SQLite so that another thread can open it: its id
// and uuid, the epoch and the item key wrapped under that epoch's KEK, and the sealed fields
// (envelopes under the item key) that its query asked for, in the order asked.
struct SealedRow {
  int64_t id = 0;
  std::string uuid;
  int64_t epoch = 0;
  std::vector<uint8_t> wrapped;
  std::vector<std::vector<uint8_t>> fields;
};

// Which rows a query of sealed rows selects: the one whose id is bound to parameter 1, or all
// of them in id order.
enum class SealedRows { kById, kAll };

// The query of every reader of sealed rows:
// "SELECT id, uuid, epoch, wrapped_key[, field...] FROM <table>" then " WHERE id = ?" or
// " ORDER BY id". `fields` are column names of the table ("header", "body", "data").
std::string sealed_rows_query(ItemTable table, std::initializer_list<std::string_view> fields, SealedRows rows);

// Copies the current row of a statement prepared from sealed_rows_query into `row`, reusing
// its buffers.
void read_sealed_row(const Statement& query, SealedRow& row);

// Reads row `id` of `table` with `fields` into `row`. kNotFound ("no record 7") when there is
// no such row.
Status load_sealed_row(Database& db, ItemTable table, int64_t id, std::initializer_list<std::string_view> fields,
                       SealedRow& row);

}  // namespace fieldnotes::vault
