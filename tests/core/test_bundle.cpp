// src/tar and src/bundle: hostile archives and payloads are refused; a payload that is
// accepted after any mutation carries exactly the records that were signed.
#include <catch2/catch.hpp>

#include <cstring>
#include <random>

#include "crypto/age.h"
#include "crypto/aead.h"
#include "src/bundle.h"
#include "src/tar.h"

using namespace fieldnotes;
using namespace fieldnotes::core;

namespace {

struct Init {
  Init() { if (!crypto::init()) std::abort(); }
} const init_once;

// One hand-made ustar header + data, for entries libarchive would refuse to write.
void put_entry(std::vector<uint8_t>& out, const std::string& name, char type, const std::string& data,
               const std::string& link = "") {
  std::array<char, 512> h{};
  std::memcpy(h.data(), name.data(), std::min<std::size_t>(name.size(), 100));
  std::snprintf(h.data() + 100, 8, "%07o", 0600);
  std::snprintf(h.data() + 108, 8, "%07o", 0);
  std::snprintf(h.data() + 116, 8, "%07o", 0);
  std::snprintf(h.data() + 124, 12, "%011o", static_cast<unsigned>(data.size()));
  std::snprintf(h.data() + 136, 12, "%011o", 0);
  h[156] = type;
  std::memcpy(h.data() + 157, link.data(), std::min<std::size_t>(link.size(), 100));
  std::memcpy(h.data() + 257, "ustar", 6);
  std::memcpy(h.data() + 263, "00", 2);
  std::memset(h.data() + 148, ' ', 8);
  unsigned sum = 0;
  for (char c : h) sum += static_cast<unsigned char>(c);
  std::snprintf(h.data() + 148, 8, "%06o", sum);
  h[155] = ' ';
  out.insert(out.end(), h.begin(), h.end());
  out.insert(out.end(), data.begin(), data.end());
  out.resize((out.size() + 511) / 512 * 512, 0);
}

std::vector<uint8_t> finish(std::vector<uint8_t> v) {
  v.resize(v.size() + 1024, 0);
  return v;
}

vault::IdentityKeys random_keys() {
  vault::IdentityKeys k;
  k.x25519_secret = crypto::SecretBuffer::random(32);
  k.ed25519_seed = crypto::SecretBuffer::random(32);
  crypto::random_bytes(k.minisign_key_id);
  return k;
}

}  // namespace

TEST_CASE("tar: round trip of regular files") {
  std::vector<TarEntry> in{{"MANIFEST.json", {'{', '}'}}, {"records/0001.md", std::vector<uint8_t>(70000, 'x')}, {"empty", {}}};
  auto t = tar_write(in);
  REQUIRE(t.is_ok());
  auto out = tar_read(*t);
  REQUIRE(out.is_ok());
  REQUIRE(out->size() == 3);
  CHECK((*out)[1].path == "records/0001.md");
  CHECK((*out)[1].data == in[1].data);
  CHECK((*out)[2].data.empty());
  CHECK_FALSE(tar_write({{"../evil", {}}}).is_ok());
}

TEST_CASE("tar: hostile archives are refused") {
  auto refused = [](const std::vector<uint8_t>& t, const TarLimits& l = {}) {
    auto r = tar_read(t, l);
    return !r.is_ok() && r.status().code() == Code::kInvalidInput;
  };
  std::vector<uint8_t> ok;
  put_entry(ok, "a.md", '0', "hello");
  REQUIRE(tar_read(finish(ok)).is_ok());

  for (const char* name : {"../a.md", "/etc/passwd", "a/../../b", "a//b", "./a", "a b", "a\\\\b", "ä.md", ""}) {
    std::vector<uint8_t> t;
    put_entry(t, name, '0', "x");
    INFO(name);
    CHECK(refused(finish(t)));
  }
  for (char type : {'1', '2', '3', '4', '6'}) {  // hard link, symlink, char dev, block dev, fifo
    std::vector<uint8_t> t;
    put_entry(t, "a.md", type, "", "/etc/passwd");
    INFO(type);
    CHECK(refused(finish(t)));
  }
  {
    std::vector<uint8_t> t;
    put_entry(t, "a.md", '0', "one");
    put_entry(t, "a.md", '0', "two");
    CHECK(refused(finish(t)));
  }
  {
    std::vector<uint8_t> t;
    for (int i = 0; i < 5; ++i) put_entry(t, "f" + std::to_string(i), '0', "x");
    CHECK(refused(finish(t), TarLimits{4, 100, 1000}));
    CHECK(tar_read(finish(t), TarLimits{5, 100, 1000}).is_ok());
    CHECK(refused(finish(t), TarLimits{10, 100, 4}));
  }
  {
    std::vector<uint8_t> t;
    put_entry(t, "big", '0', std::string(200, 'x'));
    CHECK(refused(finish(t), TarLimits{10, 100, 1000}));
  }
  auto full = finish(ok);
  for (std::size_t cut = 1; cut < 1024; cut += 511) {  // truncated inside the header and the data
    std::vector<uint8_t> t(full.begin(), full.begin() + static_cast<long>(cut));
    INFO(cut);
    CHECK(refused(t));
  }
  auto trailing = full;
  trailing.push_back('x');
  CHECK(refused(trailing));
  CHECK(refused(std::vector<uint8_t>(100, 'x')));
}

TEST_CASE("bundle payload: accepted only as signed, for its recipients") {
  auto alice = random_keys(), bob = random_keys();
  auto bob_pub = public_identity(bob);
  REQUIRE(bob_pub.is_ok());
  BundleInput in;
  in.records_markdown.emplace_back("# First\n\nredacted text one\n");
  in.records_markdown.emplace_back("# Second\n\ntext two\n");
  in.recipients = {bob_pub->age};
  in.sequence = 7;
  in.created = 1700000000;
  auto file = make_bundle(in, alice);
  REQUIRE(file.is_ok());
  auto bob_id = crypto::AgeIdentity::from_secret(bob.x25519_secret.bytes());
  std::array<crypto::AgeIdentity, 1> ids{std::move(bob_id).value()};
  auto payload = crypto::age_decrypt(*file, ids);
  REQUIRE(payload.is_ok());
  std::vector<uint8_t> tar(payload->bytes().begin(), payload->bytes().end());
  std::array<uint8_t, 32> fh{};

  auto opened = open_payload(tar, bob_pub->age.to_string(), false, fh, false);
  REQUIRE(opened.is_ok());
  CHECK(opened->kind == BundleKind::kSigned);
  CHECK(opened->sequence == 7);
  REQUIRE(opened->records.size() == 2);
  CHECK(opened->records[0].title == "First");
  CHECK(opened->records[1].body == in.records_markdown[1].view());
  CHECK(opened->sender_fingerprint == public_identity(alice)->fingerprint);

  SECTION("through open_bundle, with the right and the wrong vault") {
    OpenOptions o;
    CHECK(open_bundle(*file, bob, o).is_ok());
    CHECK(open_bundle(*file, alice, o).status().code() == Code::kNotThisKey);
  }
  SECTION("re-encrypted to someone else: refused") {
    auto carol = random_keys();
    CHECK(open_payload(tar, public_identity(carol)->age.to_string(), false, fh, false).status().code() == Code::kRefused);
    CHECK(open_payload(tar, bob_pub->age.to_string(), true, fh, false).status().code() == Code::kRefused);
  }
  SECTION("any single-byte change: refused, or the very same records") {
    std::mt19937 rng(12345);
    int accepted = 0, refused = 0;
    for (int i = 0; i < 3000; ++i) {
      auto t = tar;
      std::size_t at = rng() % t.size();
      t[at] = static_cast<uint8_t>(t[at] ^ (1u << (rng() % 8)));
      auto r = open_payload(t, bob_pub->age.to_string(), false, fh, false);
      if (r.is_ok()) {
        ++accepted;
        REQUIRE(r->records.size() == 2);
        CHECK(r->records[0].body == in.records_markdown[0].view());
        CHECK(r->records[1].body == in.records_markdown[1].view());
        CHECK(r->sequence == 7);
      } else {
        ++refused;
      }
    }
    CHECK(refused > 2000);  // most bytes matter; the rest are tar padding and unused header fields
  }
  SECTION("unsigned payloads need allow_unsigned") {
    std::vector<uint8_t> text{'h', 'i', '\n'};
    CHECK(open_payload(text, "x", false, fh, false).status().code() == Code::kRefused);
    auto r = open_payload(text, "x", false, fh, true);
    REQUIRE(r.is_ok());
    CHECK(r->kind == BundleKind::kUnsignedText);
    std::vector<uint8_t> binary{0xff, 0xfe, 0x00};
    CHECK_FALSE(open_payload(binary, "x", false, fh, true).is_ok());
  }
}
