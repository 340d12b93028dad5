#include "vault/sealed_row.h"

namespace fieldnotes::vault {

namespace {

// The columns before the sealed fields, in this order, in every query of sealed rows.
constexpr int kIdColumn = 0, kUuidColumn = 1, kEpochColumn = 2, kWrappedColumn = 3, kFirstFieldColumn = 4;

}  // namespace

std::string sealed_rows_query(ItemTable table, std::initializer_list<std::string_view> fields, SealedRows rows) {
  std::string sql = "SELECT id, uuid, epoch, wrapped_key";
  for (std::string_view field : fields) sql.append(", ").append(field);
  sql.append(" FROM ").append(table_name(table));
  sql.append(rows == SealedRows::kById ? " WHERE id = ?" : " ORDER BY id");
  return sql;
}

void read_sealed_row(const Statement& query, SealedRow& row) {
  row.id = query.int64(kIdColumn);
  row.uuid = query.text(kUuidColumn);
  row.epoch = query.int64(kEpochColumn);
  auto copy = [&](int column, std::vector<uint8_t>& out) {
    auto bytes = query.blob(column);
    out.assign(bytes.begin(), bytes.end());
  };
  copy(kWrappedColumn, row.wrapped);
  const int n_fields = query.columns() - kFirstFieldColumn;
  row.fields.resize(n_fields > 0 ? static_cast<std::size_t>(n_fields) : 0);
  for (std::size_t i = 0; i < row.fields.size(); ++i) copy(kFirstFieldColumn + static_cast<int>(i), row.fields[i]);
}

Status load_sealed_row(Database& db, ItemTable table, int64_t id, std::initializer_list<std::string_view> fields,
                       SealedRow& row) {
  auto query = db.prepare(sealed_rows_query(table, fields, SealedRows::kById).c_str());
  if (!query) return query.status();
  FN_RETURN_IF_ERROR(query->bind(1, id));
  auto step = query->step();
  if (!step) return step.status();
  if (*step == Step::kDone) return {Code::kNotFound, std::string("no ") + item_noun(table) + " " + std::to_string(id)};
  read_sealed_row(*query, row);
  return Status::ok();
}

}  // namespace fieldnotes::vault
