#include "vault/keyslots.h"

#include <sodium.h>

#include <algorithm>
#include <cstring>
#include <string>

#include "crypto/aead.h"

namespace fieldnotes::vault {

namespace {

using crypto::SecretBuffer;

void put_u16(std::vector<uint8_t>& o, uint16_t v) {
  o.push_back(static_cast<uint8_t>(v));
  o.push_back(static_cast<uint8_t>(v >> 8));
}
void put_u32(std::vector<uint8_t>& o, uint32_t v) {
  for (int i = 0; i < 4; ++i) o.push_back(static_cast<uint8_t>(v >> (8 * i)));
}
void put_u64(std::vector<uint8_t>& o, uint64_t v) {
  for (int i = 0; i < 8; ++i) o.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

class Reader {
 public:
  explicit Reader(std::span<const uint8_t> b) : b_(b) {}
  bool has(std::size_t n) const { return b_.size() - pos_ >= n; }
  uint8_t u8() { return b_[pos_++]; }
  uint16_t u16() {
    uint16_t v = static_cast<uint16_t>(b_[pos_] | (b_[pos_ + 1] << 8));
    pos_ += 2;
    return v;
  }
  uint32_t u32() {
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v |= uint32_t{b_[pos_ + i]} << (8 * i);
    pos_ += 4;
    return v;
  }
  uint64_t u64() {
    uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v |= uint64_t{b_[pos_ + i]} << (8 * i);
    pos_ += 8;
    return v;
  }
  template <std::size_t N>
  void take(std::array<uint8_t, N>& out) {
    std::memcpy(out.data(), b_.data() + pos_, N);
    pos_ += N;
  }
  std::size_t pos() const { return pos_; }

 private:
  std::span<const uint8_t> b_;
  std::size_t pos_ = 0;
};

std::vector<uint8_t> slot_ad(const KeyslotFile& f, const Slot& s) {
  std::vector<uint8_t> ad = f.ad_prefix();
  ad.push_back(static_cast<uint8_t>(s.kind));
  ad.push_back(kKdfArgon2id13);
  put_u32(ad, s.params.ops);
  put_u64(ad, s.params.mem_bytes);
  ad.insert(ad.end(), s.salt.begin(), s.salt.end());
  return ad;
}

std::vector<uint8_t> epoch_ad(const KeyslotFile& f, uint32_t number) {
  static constexpr char kLabel[] = "fieldnotes epoch kek";
  std::vector<uint8_t> ad(kLabel, kLabel + sizeof kLabel - 1);
  ad.insert(ad.end(), f.vault_id.begin(), f.vault_id.end());
  put_u32(ad, number);
  return ad;
}

Status corrupt(const char* why) {
  return {Code::kCorrupt, std::string("key-slot file is damaged: ") + why};
}

}  // namespace

std::vector<uint8_t> KeyslotFile::ad_prefix() const {
  std::vector<uint8_t> o(kKeyslotsMagic, kKeyslotsMagic + sizeof kKeyslotsMagic);
  o.push_back(kSlotAdMajor);
  o.push_back(kSlotAdMinor);
  put_u16(o, flags);
  o.insert(o.end(), vault_id.begin(), vault_id.end());
  return o;
}

namespace {

using Checksum = std::array<uint8_t, kKeyslotsChecksumBytes>;

Checksum checksum_of(std::span<const uint8_t> bytes) {
  Checksum c;
  crypto_generichash(c.data(), c.size(), bytes.data(), bytes.size(), nullptr, 0);
  return c;
}

// The slots and epochs that follow the header, in either version.
Status parse_items(Reader& r, std::size_t nslots, std::size_t nepochs, KeyslotFile& f) {
  for (std::size_t i = 0; i < nslots; ++i) {
    Slot s;
    uint8_t kind = r.u8();
    if (kind != static_cast<uint8_t>(SlotKind::kPassphrase) &&
        kind != static_cast<uint8_t>(SlotKind::kRecovery))
      return corrupt("unknown slot kind");
    s.kind = static_cast<SlotKind>(kind);
    if (r.u8() != kKdfArgon2id13)
      return Status{Code::kUnsupported, "key-slot file uses an unknown key derivation function"};
    s.params.ops = r.u32();
    s.params.mem_bytes = r.u64();
    // Checked here, before any KDF can run at an attacker-chosen cost.
    FN_RETURN_IF_ERROR(crypto::check_params(s.params));
    r.take(s.salt);
    r.take(s.sealed_master);
    f.slots.push_back(s);
  }
  uint32_t prev = 0;
  for (std::size_t i = 0; i < nepochs; ++i) {
    Epoch e;
    e.number = r.u32();
    if (i > 0 && e.number <= prev) return corrupt("epochs out of order");
    prev = e.number;
    r.take(e.sealed_kek);
    f.epochs.push_back(e);
  }
  r.take(f.mac);
  return Status::ok();
}

Status unsupported_major(uint8_t major) {
  return Status{Code::kUnsupported, "key-slot file version " + std::to_string(major) +
                                        " is not supported by this fieldnotes"};
}

}  // namespace

Result<KeyslotFile> KeyslotFile::parse(std::span<const uint8_t> bytes) {
  if (bytes.size() < kKeyslotsLegacyHeaderBytes) return corrupt("too short");
  const bool magic_ok = std::memcmp(bytes.data(), kKeyslotsMagic, sizeof kKeyslotsMagic) == 0;
  // Version 2 and later end with a checksum of every byte before it: a copy whose checksum
  // holds was written whole by some fieldnotes; one whose checksum fails is damaged.
  const bool checksum_ok =
      bytes.size() > kKeyslotsChecksumBytes &&
      crypto::ct_equal(checksum_of(bytes.first(bytes.size() - kKeyslotsChecksumBytes)),
                       bytes.last(kKeyslotsChecksumBytes));
  const uint8_t major = bytes[sizeof kKeyslotsMagic];
  if (!magic_ok) return corrupt(checksum_ok ? "not a fieldnotes key-slot file" : "checksum mismatch: its bytes were changed");
  if (!checksum_ok && major != kKeyslotsLegacyMajor) return corrupt("checksum mismatch: its bytes were changed");
  if (checksum_ok && major != kKeyslotsMajor) return unsupported_major(major);

  Reader r(bytes.subspan(sizeof kKeyslotsMagic));
  KeyslotFile f;
  f.major = r.u8();
  f.minor = r.u8();
  f.flags = r.u16();
  if ((f.flags & ~kFlagTestProfile) != 0) return corrupt("unknown flags");
  r.take(f.vault_id);
  const bool legacy = f.major == kKeyslotsLegacyMajor;
  if (!legacy) f.sequence = r.u64();
  const bool generation = f.has_generation();
  if (generation) {
    f.audit_seq = r.u64();
    r.take(f.audit_chain);
  }
  std::size_t nslots = r.u8();
  std::size_t nepochs = r.u8();
  if (nslots == 0 || nslots > kMaxSlots) return corrupt("bad slot count");
  if (nepochs == 0 || nepochs > kMaxEpochs) return corrupt("bad epoch count");
  std::size_t expect = (legacy ? kKeyslotsLegacyHeaderBytes : kKeyslotsHeaderBytes) +
                       (generation ? kKeyslotsGenerationBytes : 0) + nslots * kSlotBytes +
                       nepochs * kEpochBytes + kKeyslotsMacBytes + (legacy ? 0 : kKeyslotsChecksumBytes);
  if (bytes.size() != expect) return corrupt("wrong length (truncated or trailing data)");
  FN_RETURN_IF_ERROR(parse_items(r, nslots, nepochs, f));
  return f;
}

std::vector<uint8_t> KeyslotFile::body(uint8_t as_major, uint8_t as_minor) const {
  std::vector<uint8_t> o(kKeyslotsMagic, kKeyslotsMagic + sizeof kKeyslotsMagic);
  o.push_back(as_major);
  o.push_back(as_minor);
  put_u16(o, flags);
  o.insert(o.end(), vault_id.begin(), vault_id.end());
  if (as_major != kKeyslotsLegacyMajor) put_u64(o, sequence);
  if (as_major == kKeyslotsMajor && as_minor >= kKeyslotsGenerationMinor) {
    put_u64(o, audit_seq);
    o.insert(o.end(), audit_chain.begin(), audit_chain.end());
  }
  o.push_back(static_cast<uint8_t>(slots.size()));
  o.push_back(static_cast<uint8_t>(epochs.size()));
  for (const Slot& s : slots) {
    o.push_back(static_cast<uint8_t>(s.kind));
    o.push_back(kKdfArgon2id13);
    put_u32(o, s.params.ops);
    put_u64(o, s.params.mem_bytes);
    o.insert(o.end(), s.salt.begin(), s.salt.end());
    o.insert(o.end(), s.sealed_master.begin(), s.sealed_master.end());
  }
  for (const Epoch& e : epochs) {
    put_u32(o, e.number);
    o.insert(o.end(), e.sealed_kek.begin(), e.sealed_kek.end());
  }
  return o;
}

std::vector<uint8_t> KeyslotFile::serialize(const SecretBuffer& master) const {
  std::vector<uint8_t> o = body(kKeyslotsMajor, kKeyslotsMinor);
  SecretBuffer mac_key = crypto::kdf_derive_subkey(master, crypto::Subkey::kKeyslotsMac);
  auto file_mac = crypto::mac_blake2b(mac_key, o);
  o.insert(o.end(), file_mac.begin(), file_mac.end());
  auto sum = checksum_of(o);
  o.insert(o.end(), sum.begin(), sum.end());
  return o;
}

bool KeyslotFile::mac_verifies(const SecretBuffer& master) const {
  SecretBuffer mac_key = crypto::kdf_derive_subkey(master, crypto::Subkey::kKeyslotsMac);
  return crypto::mac_blake2b_verify(mac_key, body(major, minor), mac);
}

Result<const SecretBuffer*> SlotKeyCache::derive(std::span<const uint8_t> secret, const Slot& slot) {
  std::vector<uint8_t> id(slot.salt.begin(), slot.salt.end());
  put_u32(id, slot.params.ops);
  put_u64(id, slot.params.mem_bytes);
  auto it = keys_.find(id);
  if (it == keys_.end()) {
    auto key = crypto::pwhash_argon2id(secret, slot.salt, slot.params);
    if (!key) return key.status();
    it = keys_.emplace(std::move(id), std::move(key).value()).first;
  }
  return &it->second;
}

Result<SecretBuffer> KeyslotFile::open_master(SlotKind kind, std::span<const uint8_t> secret,
                                              SlotKeyCache& cache) const {
  bool any = false;
  for (const Slot& s : slots) {
    if (s.kind != kind) continue;
    any = true;
    auto slot_key = cache.derive(secret, s);
    if (!slot_key) return slot_key.status();
    auto master = crypto::aead_xchacha_open(**slot_key, s.sealed_master, slot_ad(*this, s));
    if (master) return std::move(master).value();
    // not this slot: try the next
  }
  if (!any)
    return Status{Code::kWrongKey, kind == SlotKind::kRecovery ? "this vault has no recovery-key slot"
                                                               : "this vault has no passphrase slot"};
  return Status{Code::kWrongKey, kind == SlotKind::kRecovery ? "wrong recovery key"
                                                             : "wrong passphrase"};
}

Result<SecretBuffer> KeyslotFile::unlock(SlotKind kind, std::span<const uint8_t> secret) const {
  SlotKeyCache cache;
  auto master = open_master(kind, secret, cache);
  if (!master) return master.status();
  // The master key is right; now the whole copy must authenticate.
  if (!mac_verifies(*master)) return corrupt("authentication of the file failed (it was modified)");
  return master;
}

Result<std::array<uint8_t, crypto::kPwhashSaltBytes>> KeyslotFile::add_slot(
    SlotKind kind, std::span<const uint8_t> secret, const crypto::Argon2idParams& params,
    const SecretBuffer& master) {
  if (slots.size() >= kMaxSlots) return Status{Code::kRefused, "the key-slot file has no free slot"};
  Slot s;
  s.kind = kind;
  s.params = params;
  crypto::random_bytes(s.salt);
  auto slot_key = crypto::pwhash_argon2id(secret, s.salt, params);
  if (!slot_key) return slot_key.status();
  auto sealed = crypto::aead_xchacha_seal(*slot_key, master.bytes(), slot_ad(*this, s));
  std::copy(sealed.begin(), sealed.end(), s.sealed_master.begin());
  slots.push_back(s);
  std::stable_sort(slots.begin(), slots.end(),
                   [](const Slot& a, const Slot& b) { return a.kind < b.kind; });
  return s.salt;
}

Status KeyslotFile::set_slot(SlotKind kind, std::span<const uint8_t> secret,
                             const crypto::Argon2idParams& params, const SecretBuffer& master) {
  auto salt = add_slot(kind, secret, params, master);
  if (!salt) return salt.status();
  keep_only_slot(kind, *salt);
  return Status::ok();
}

void KeyslotFile::keep_only_slot(SlotKind kind, std::span<const uint8_t> keep) {
  slots.erase(std::remove_if(slots.begin(), slots.end(),
                             [&](const Slot& x) {
                               return x.kind == kind && std::memcmp(x.salt.data(), keep.data(), x.salt.size()) != 0;
                             }),
              slots.end());
}

void KeyslotFile::remove_slot(std::span<const uint8_t> salt) {
  slots.erase(std::remove_if(slots.begin(), slots.end(),
                             [&](const Slot& x) { return std::memcmp(x.salt.data(), salt.data(), x.salt.size()) == 0; }),
              slots.end());
}

Result<SecretBuffer> KeyslotFile::open_epoch(const SecretBuffer& master, uint32_t number) const {
  SecretBuffer wrap = crypto::kdf_derive_subkey(master, crypto::Subkey::kEpochWrap);
  for (const Epoch& e : epochs) {
    if (e.number != number) continue;
    auto kek = crypto::aead_xchacha_open(wrap, e.sealed_kek, epoch_ad(*this, number));
    if (!kek) return corrupt("an epoch key does not authenticate");
    return std::move(kek).value();
  }
  return Status{Code::kNotFound, "epoch key " + std::to_string(number) + " is not in the key-slot file"};
}

void KeyslotFile::add_epoch(const SecretBuffer& master, uint32_t number, const SecretBuffer& kek) {
  SecretBuffer wrap = crypto::kdf_derive_subkey(master, crypto::Subkey::kEpochWrap);
  Epoch e;
  e.number = number;
  auto sealed = crypto::aead_xchacha_seal(wrap, kek.bytes(), epoch_ad(*this, number));
  std::copy(sealed.begin(), sealed.end(), e.sealed_kek.begin());
  epochs.push_back(e);
}

// ---- recovery key ----

namespace {
constexpr char kBase32[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
constexpr std::size_t kRecoveryRawBytes = 32;
constexpr std::size_t kRecoveryRandomBytes = 30;
constexpr std::size_t kRecoveryChars = 52;  // ceil(256 / 5)

void recovery_checksum(const uint8_t* random30, uint8_t out[2]) {
  static constexpr char kLabel[] = "fieldnotes recovery";
  crypto_generichash_state st;
  uint8_t h[16];
  crypto_generichash_init(&st, reinterpret_cast<const uint8_t*>(kLabel), sizeof kLabel - 1, sizeof h);
  crypto_generichash_update(&st, random30, kRecoveryRandomBytes);
  crypto_generichash_final(&st, h, sizeof h);
  out[0] = h[0];
  out[1] = h[1];
}
}  // namespace

SecretBuffer recovery_key_generate() {
  SecretBuffer raw(kRecoveryRawBytes);
  randombytes_buf(raw.data(), kRecoveryRandomBytes);
  recovery_checksum(raw.data(), raw.data() + kRecoveryRandomBytes);
  return raw;
}

SecretBuffer recovery_key_format(const SecretBuffer& raw) {
  SecretBuffer text(kRecoveryChars + kRecoveryChars / 4 - 1);
  std::size_t bit = 0, out = 0;
  for (std::size_t c = 0; c < kRecoveryChars; ++c) {
    unsigned v = 0;
    for (int i = 0; i < 5; ++i, ++bit) {
      unsigned b = bit < kRecoveryRawBytes * 8 ? (raw.data()[bit / 8] >> (7 - bit % 8)) & 1u : 0u;
      v = (v << 1) | b;
    }
    if (c > 0 && c % 4 == 0) text.data()[out++] = '-';
    text.data()[out++] = static_cast<uint8_t>(kBase32[v]);
  }
  return text;
}

Result<SecretBuffer> recovery_key_parse(std::span<const uint8_t> text) {
  SecretBuffer raw(kRecoveryRawBytes);
  std::size_t bit = 0, chars = 0;
  for (uint8_t ch : text) {
    if (ch == '-' || ch == ' ' || ch == '\n' || ch == '\r' || ch == '\t') continue;
    uint8_t up = (ch >= 'a' && ch <= 'z') ? static_cast<uint8_t>(ch - 32) : ch;
    // Common misreadings: 0→O, 1→I, 8→B.
    if (up == '0') up = 'O';
    if (up == '1') up = 'I';
    if (up == '8') up = 'B';
    const char* p = std::strchr(kBase32, up);
    if (p == nullptr || up == 0) return Status{Code::kWrongKey, "the recovery key contains a character that is not in it"};
    unsigned v = static_cast<unsigned>(p - kBase32);
    if (++chars > kRecoveryChars) return Status{Code::kWrongKey, "the recovery key is too long"};
    for (int i = 4; i >= 0; --i, ++bit) {
      if (bit < kRecoveryRawBytes * 8 && ((v >> i) & 1u))
        raw.data()[bit / 8] = static_cast<uint8_t>(raw.data()[bit / 8] | (1u << (7 - bit % 8)));
    }
  }
  if (chars != kRecoveryChars) return Status{Code::kWrongKey, "the recovery key is too short"};
  uint8_t sum[2];
  recovery_checksum(raw.data(), sum);
  if (sodium_memcmp(sum, raw.data() + kRecoveryRandomBytes, 2) != 0)
    return Status{Code::kWrongKey, "the recovery key is mistyped (its checksum does not match)"};
  return raw;
}

}  // namespace fieldnotes::vault
