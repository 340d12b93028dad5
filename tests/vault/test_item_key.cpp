// vault/item_key: one associated-data builder for wrapped item keys; every field binds.
#include <catch2/catch.hpp>

#include <string>

#include "crypto/secret.h"
#include "vault/item_key.h"

using namespace fieldnotes;
using namespace fieldnotes::vault;
using crypto::SecretBuffer;

TEST_CASE("item key associated data: exact bytes, and ids longer than a uuid refused") {
  std::array<uint8_t, kItemKeyAdMaxBytes> ad;
  const std::string uuid(32, 'a');
  auto n = item_key_ad(ItemTable::kPeople, uuid, 0x01020304, ad);
  REQUIRE(n.is_ok());
  std::string expect = std::string("fieldnotes item key v1") + '\0' + "people" + '\0' + uuid + "\x04\x03\x02\x01";
  REQUIRE(*n == expect.size());
  CHECK(std::string(reinterpret_cast<const char*>(ad.data()), *n) == expect);
  // "records" is the longest table name: a 32-digit uuid fits, one more digit does not.
  CHECK(item_key_ad(ItemTable::kRecords, uuid, 1, ad).is_ok());
  CHECK(item_key_ad(ItemTable::kRecords, uuid + "b", 1, ad).status().code() == Code::kInvalidInput);
}

TEST_CASE("a wrapped item key opens only with its kek, table, uuid and epoch") {
  SecretBuffer kek = SecretBuffer::random(32), other = SecretBuffer::random(32);
  SecretBuffer key = SecretBuffer::random(32);
  const std::string uuid(32, 'c');
  auto w = item_key_wrap(kek, ItemTable::kRecords, uuid, 7, key);
  REQUIRE(w.is_ok());
  SecretBuffer out;
  REQUIRE(item_key_unwrap_into(kek, ItemTable::kRecords, 1, uuid, 7, *w, out).is_ok());
  CHECK(crypto::ct_equal(out.bytes(), key.bytes()));
  CHECK(item_key_unwrap_into(other, ItemTable::kRecords, 1, uuid, 7, *w, out).code() == Code::kCorrupt);
  CHECK(item_key_unwrap_into(kek, ItemTable::kPeople, 1, uuid, 7, *w, out).code() == Code::kCorrupt);
  CHECK(item_key_unwrap_into(kek, ItemTable::kRecords, 1, std::string(32, 'd'), 7, *w, out).code() == Code::kCorrupt);
  CHECK(item_key_unwrap_into(kek, ItemTable::kRecords, 1, uuid, 8, *w, out).code() == Code::kCorrupt);
  auto v2 = *w;
  v2[0] = 2;
  Status st = item_key_unwrap_into(kek, ItemTable::kRecords, 5, uuid, 7, v2, out);
  CHECK(st.code() == Code::kUnsupported);
  CHECK(st.message() == "record 5: unknown key envelope version");
  CHECK(item_key_unwrap_into(kek, ItemTable::kPeople, 9, uuid, 7, {}, out).message() ==
        "person 9: unknown key envelope version");
}

TEST_CASE("every item table has a name and a noun") {
  for (ItemTable t : kItemTables) {
    CHECK(std::string(table_name(t)) != "?");
    CHECK(std::string(item_noun(t)) != "item");
  }
}
