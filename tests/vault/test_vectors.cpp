// The vectors of docs/FORMAT.md: files named after what they break, each with an `expect:`
// line (ok, wrong-key, corrupt, unsupported), headers, a blank line, then the bytes in hex.
#include <catch2/catch.hpp>

#include <sodium.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <sstream>

#include "crypto/kdf.h"
#include "vault/envelope.h"
#include "tests/test_support.h"
#include "vault/item_key.h"
#include "vault/keyslots.h"

using namespace fieldnotes;
using namespace fieldnotes::vault;
using crypto::SecretBuffer;
namespace fs = std::filesystem;
using namespace fieldnotes::test;

namespace {

std::string code_name(Code c) {
  switch (c) {
    case Code::kOk: return "ok";
    case Code::kWrongKey: return "wrong-key";
    case Code::kCorrupt: return "corrupt";
    case Code::kUnsupported: return "unsupported";
    default: return "other";
  }
}

std::vector<fs::path> files_in(const char* sub) {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(fs::path(FIELDNOTES_VECTORS) / sub)) out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

ItemTable item_table_named(const std::string& name) {
  for (ItemTable t : kItemTables)
    if (name == table_name(t)) return t;
  FAIL("no item table \"" << name << "\"");
  return ItemTable::kRecords;
}

using Fields = std::map<std::string, std::string>;

// The vectors printed in docs/FORMAT.md under `heading` ("#### Item-key vectors"): "name: value"
// lines, a value continued on indented lines, a blank line between vectors, in the first fenced
// block after the heading.
std::vector<Fields> format_md_vectors(const std::string& heading) {
  std::ifstream f(FIELDNOTES_FORMAT_MD);
  REQUIRE(f.good());
  std::string line;
  while (std::getline(f, line) && line != heading) {}
  REQUIRE(line == heading);
  while (std::getline(f, line) && line != "```") {}
  std::vector<Fields> out;
  std::string last;
  while (std::getline(f, line) && line != "```") {
    if (line.empty()) {
      last.clear();
      continue;
    }
    if (line.rfind("  ", 0) == 0) {
      REQUIRE(!last.empty());
      out.back()[last] += line.substr(2);
      continue;
    }
    auto colon = line.find(": ");
    REQUIRE(colon != std::string::npos);
    last = line.substr(0, colon);
    if (last == "vector") out.emplace_back();
    REQUIRE(!out.empty());
    out.back()[last] = line.substr(colon + 2);
  }
  return out;
}

// Rebuilds the associated data and the wrapped key of a good vector with vault/item_key.
void check_rebuilt(const Fields& v) {
  const ItemTable table = item_table_named(v.at("table"));
  const uint32_t epoch = static_cast<uint32_t>(std::stoul(v.at("epoch")));
  auto kek = SecretBuffer::copy_of(unhex(v.at("kek")));
  auto item_key = SecretBuffer::copy_of(unhex(v.at("item-key")));
  std::array<uint8_t, kItemKeyAdMaxBytes> ad;
  auto n = item_key_ad(table, v.at("uuid"), epoch, ad);
  REQUIRE(n.is_ok());
  CHECK(hex({ad.data(), *n}) == v.at("ad"));
  auto nonce = unhex(v.at("nonce"));
  REQUIRE(nonce.size() == crypto::kAeadNonceBytes);
  auto wrapped = item_key_wrap_with_nonce(kek, table, v.at("uuid"), epoch, item_key,
                                          std::span<const uint8_t, crypto::kAeadNonceBytes>(nonce.data(), nonce.size()));
  REQUIRE(wrapped.is_ok());
  CHECK(hex(*wrapped) == v.at("wrapped"));
}

}  // namespace

TEST_CASE("item-key vectors") {
  REQUIRE(sodium_init() >= 0);
  auto files = files_in("item_key");
  REQUIRE(files.size() >= 10);
  for (const auto& p : files) {
    auto v = load_vector(p);
    INFO(p.filename().string());
    auto kek = SecretBuffer::copy_of(unhex(v.headers.at("kek")));
    const uint32_t epoch = static_cast<uint32_t>(std::stoul(v.headers.at("epoch")));
    SecretBuffer key;
    Status st = item_key_unwrap_into(kek, item_table_named(v.headers.at("table")), 1, v.headers.at("uuid"), epoch,
                                     v.bytes, key);
    CHECK(code_name(st.code()) == v.headers.at("expect"));
    if (v.headers.at("expect") != "ok") continue;
    CHECK(crypto::ct_equal(key.bytes(), unhex(v.headers.at("item-key"))));
    Fields fields = v.headers;
    fields["wrapped"] = hex(v.bytes);
    check_rebuilt(fields);
  }
}

TEST_CASE("the item-key vectors printed in docs/FORMAT.md: rebuilt by vault/item_key, and the same as the files") {
  REQUIRE(sodium_init() >= 0);
  auto vectors = format_md_vectors("#### Item-key vectors");
  REQUIRE(vectors.size() == 2);
  for (const Fields& v : vectors) {
    INFO(v.at("vector"));
    check_rebuilt(v);
    SecretBuffer key;
    REQUIRE(item_key_unwrap_into(SecretBuffer::copy_of(unhex(v.at("kek"))), item_table_named(v.at("table")), 1,
                                 v.at("uuid"), static_cast<uint32_t>(std::stoul(v.at("epoch"))), unhex(v.at("wrapped")),
                                 key).is_ok());
    CHECK(hex(key.bytes()) == v.at("item-key"));
    auto file = load_vector(fs::path(FIELDNOTES_VECTORS) / "item_key" / v.at("vector"));
    CHECK(hex(file.bytes) == v.at("wrapped"));
    for (const char* name : {"kek", "table", "uuid", "epoch", "item-key", "nonce", "ad"})
      CHECK(file.headers.at(name) == v.at(name));
  }
}

TEST_CASE("the subkey vectors printed in docs/FORMAT.md: every id of crypto::Subkey, rebuilt by kdf_derive_subkey") {
  REQUIRE(sodium_init() >= 0);
  auto vectors = format_md_vectors("### Subkey vectors");
  REQUIRE(vectors.size() == 1);
  const Fields& v = vectors[0];
  CHECK(v.at("context") == crypto::kKdfContext);
  // The master key is the one of the key-slot vector `good`: the sections chain.
  auto good = load_vector(fs::path(FIELDNOTES_VECTORS) / "keyslots" / v.at("vector").substr(std::string("keyslots/").size()));
  REQUIRE(good.headers.at("master-key") == v.at("master-key"));
  auto master = SecretBuffer::copy_of(unhex(v.at("master-key")));
  const crypto::Subkey all[] = {crypto::Subkey::kDatabase,  crypto::Subkey::kAuditMac,     crypto::Subkey::kIdentity,
                                crypto::Subkey::kEpochWrap, crypto::Subkey::kKeyslotsMac,  crypto::Subkey::kAuditSeal,
                                crypto::Subkey::kContacts,  crypto::Subkey::kSeenBundles};
  std::size_t listed = 0;
  for (const auto& [name, value] : v) listed += name.rfind("id ", 0) == 0;
  CHECK(listed == std::size(all));
  for (std::size_t i = 0; i < std::size(all); ++i) {
    const uint64_t id = static_cast<uint64_t>(all[i]);
    CHECK(id == i + 1);  // never reused or renumbered: ids 1, 2, ... in order
    INFO("id " << id);
    CHECK(hex(crypto::kdf_derive_subkey(master, all[i]).bytes()) == v.at("id " + std::to_string(id)));
  }
}

TEST_CASE("keyslots vectors") {
  REQUIRE(sodium_init() >= 0);
  auto files = files_in("keyslots");
  REQUIRE(files.size() >= 10);
  for (const auto& p : files) {
    auto v = load_vector(p);
    INFO(p.filename().string());
    const std::string& pw = v.headers.at("passphrase");
    std::span<const uint8_t> pws(reinterpret_cast<const uint8_t*>(pw.data()), pw.size());
    auto f = KeyslotFile::parse(v.bytes);
    Code got = f.status().code();
    Result<SecretBuffer> master = Status{Code::kInvalidInput, ""};
    if (f.is_ok()) {
      master = f->unlock(SlotKind::kPassphrase, pws);
      got = master.status().code();
    }
    CHECK(code_name(got) == v.headers.at("expect"));
    if (v.headers.at("expect") == "ok" && master.is_ok()) {
      auto want = unhex(v.headers.at("master-key"));
      CHECK(crypto::ct_equal(master->bytes(), want));
      auto kek = f->open_epoch(*master, 1);
      REQUIRE(kek.is_ok());
      CHECK(crypto::ct_equal(kek->bytes(), unhex(v.headers.at("epoch-1-kek"))));
      CHECK(f->is_test_profile());
      if (v.headers.count("audit-seq")) {  // the generation, read from its place in the header
        CHECK(f->has_generation());
        CHECK(f->audit_seq == std::stoull(v.headers.at("audit-seq")));
        CHECK(hex(f->audit_chain) == v.headers.at("audit-chain"));
      }
      if (f->major == kKeyslotsMajor && f->minor == kKeyslotsMinor) {
        // canonical: serialising what was parsed gives the same bytes
        CHECK(f->serialize(*master) == v.bytes);
      } else if (f->major == kKeyslotsMajor) {
        // an older minor version: read, its MAC checked as written; the generation is absent
        CHECK(f->mac_verifies(*master));
        CHECK_FALSE(f->has_generation());
      }
    }
  }
}

TEST_CASE("a version-1 key-slot file migrates to exactly the version-2 vector") {
  REQUIRE(sodium_init() >= 0);
  auto v1 = load_vector(fs::path(FIELDNOTES_VECTORS) / "keyslots" / "version_1_good");
  auto v2 = load_vector(fs::path(FIELDNOTES_VECTORS) / "keyslots" / "good");
  auto f = KeyslotFile::parse(v1.bytes);
  REQUIRE(f.is_ok());
  CHECK(f->major == 1);
  auto master = SecretBuffer::copy_of(unhex(v1.headers.at("master-key")));
  CHECK(f->mac_verifies(master));
  // The vectors were written by tests/vectors/tools/make_keyslots_vectors.py, a second
  // implementation: the slots carry over unchanged, the MAC and checksum agree.
  f->sequence = 7;
  f->audit_seq = std::stoull(v2.headers.at("audit-seq"));
  const auto chain = unhex(v2.headers.at("audit-chain"));
  REQUIRE(chain.size() == f->audit_chain.size());
  std::copy(chain.begin(), chain.end(), f->audit_chain.begin());
  CHECK(f->serialize(master) == v2.bytes);
}

TEST_CASE("envelope vectors") {
  REQUIRE(sodium_init() >= 0);
  auto files = files_in("envelope");
  REQUIRE(files.size() >= 4);
  for (const auto& p : files) {
    auto v = load_vector(p);
    INFO(p.filename().string());
    auto key = SecretBuffer::copy_of(unhex(v.headers.at("record-key")));
    auto r = envelope_open(key, v.headers.at("table"), v.headers.at("field"), v.headers.at("uuid"), v.bytes);
    CHECK(code_name(r.status().code()) == v.headers.at("expect"));
    if (r.is_ok()) CHECK(crypto::ct_equal(r->bytes(), unhex(v.headers.at("plaintext-hex"))));
  }
}
