// age v1: see crypto/age.h and docs/FORMAT.md ("age bundles (crypto/age)").
#include "crypto/age.h"

#include <algorithm>
#include <cstring>

#include "crypto/base64.h"
#include "crypto/bech32.h"
#include "crypto/hkdf.h"

namespace fieldnotes::crypto {
namespace {

constexpr std::string_view kRecipientHrp = "age";
constexpr std::string_view kIdentityHrp = "AGE-SECRET-KEY-";
constexpr std::string_view kX25519Label = "age-encryption.org/v1/X25519";
constexpr std::string_view kScryptLabel = "age-encryption.org/v1/scrypt";
constexpr std::size_t kColumns = 64;          // base64 characters per line
constexpr std::size_t kBytesPerLine = 48;     // kColumns * 3 / 4
constexpr std::size_t kEncChunkBytes = kAgeChunkBytes + kAgeTagBytes;
constexpr std::size_t kWrapKeyBytes = crypto_aead_chacha20poly1305_ietf_KEYBYTES;
static_assert(kWrapKeyBytes == 32);

std::span<const uint8_t> as_bytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}
std::string_view as_text(std::span<const uint8_t> b) {
  return {reinterpret_cast<const char*>(b.data()), b.size()};
}

// --- base64 -------------------------------------------------------------------------------

std::string b64_raw(std::span<const uint8_t> in) {
  return base64_encode(in, Base64Padding::kUnpadded);
}
std::optional<AgeBytes> unb64_raw(std::string_view in) {
  return base64_decode_strict(in, Base64Padding::kUnpadded);
}

bool is_space(uint8_t c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

// --- ChaCha20-Poly1305 with a zero nonce, for wrapping the 16-byte file key --------------

AgeBytes wrap_file_key(const SecretBuffer& wrap_key, const SecretBuffer& file_key) {
  static constexpr uint8_t kZeroNonce[12] = {};
  AgeBytes body(kAgeFileKeyBytes + kAgeTagBytes);
  unsigned long long clen = 0;
  crypto_aead_chacha20poly1305_ietf_encrypt(body.data(), &clen, file_key.data(),
                                            file_key.size(), nullptr, 0, nullptr, kZeroNonce,
                                            wrap_key.data());
  return body;
}

// REQUIRES: body.size() == kAgeFileKeyBytes + kAgeTagBytes (checked by the caller, so that
// a wrong size is a header failure, not "not for us").
std::optional<SecretBuffer> unwrap_file_key(const SecretBuffer& wrap_key,
                                            std::span<const uint8_t> body) {
  static constexpr uint8_t kZeroNonce[12] = {};
  SecretBuffer file_key(kAgeFileKeyBytes);
  unsigned long long mlen = 0;
  if (crypto_aead_chacha20poly1305_ietf_decrypt(file_key.data(), &mlen, nullptr, body.data(),
                                                body.size(), nullptr, 0, kZeroNonce,
                                                wrap_key.data()) != 0) {
    return std::nullopt;
  }
  return file_key;
}

// --- header -------------------------------------------------------------------------------

struct Stanza {
  std::vector<std::string> args;  // args[0] is the type
  AgeBytes body;
};

struct Header {
  std::vector<Stanza> stanzas;
  std::size_t mac_input_end = 0;  // offset just past "---"
  AgeBytes mac;
  std::size_t payload_start = 0;  // offset of the payload nonce
};

AgeRefusal header_error(std::string what) {
  return {AgeFailure::kHeader, Status{Code::kCorrupt, "age header is malformed: " + what}};
}

bool valid_arg(std::string_view a) {
  if (a.empty()) return false;
  return std::all_of(a.begin(), a.end(), [](char c) { return c >= 33 && c <= 126; });
}

// Reads one LF-terminated line starting at `pos`, within the header size cap.
std::optional<std::string_view> next_line(std::span<const uint8_t> in, std::size_t& pos) {
  std::size_t limit = std::min(in.size(), kAgeMaxHeaderBytes);
  for (std::size_t i = pos; i < limit; ++i) {
    if (in[i] == '\n') {
      std::string_view line = as_text(in.subspan(pos, i - pos));
      pos = i + 1;
      return line;
    }
  }
  return std::nullopt;
}

std::variant<Header, AgeRefusal> parse_header(std::span<const uint8_t> in) {
  Header h;
  std::size_t pos = 0;
  auto first = next_line(in, pos);
  if (!first) return header_error("no version line (not an age file, or empty)");
  if (*first != kAgeVersionLine) {
    if (first->starts_with("age-encryption.org/")) {
      return AgeRefusal{AgeFailure::kUnsupported,
                        Status{Code::kUnsupported, "age file has an unsupported version"}};
    }
    return header_error("bad version line");
  }
  for (;;) {
    auto line = next_line(in, pos);
    if (!line) {
      return header_error(pos >= kAgeMaxHeaderBytes || in.size() > kAgeMaxHeaderBytes
                              ? "header larger than the limit"
                              : "truncated header");
    }
    if (line->starts_with("---")) {
      if (line->size() < 4 || (*line)[3] != ' ') return header_error("bad MAC line");
      auto mac = unb64_raw(line->substr(4));
      if (!mac || mac->size() != kHmacSha256Bytes) return header_error("bad MAC encoding");
      h.mac = std::move(*mac);
      // "---" ends at pos - 1 (LF) - line size + 3.
      h.mac_input_end = pos - 1 - line->size() + 3;
      h.payload_start = pos;
      return h;
    }
    if (!line->starts_with("-> ")) return header_error("line is neither a stanza nor the MAC");
    Stanza s;
    std::string_view rest = line->substr(3);
    for (;;) {
      std::size_t sp = rest.find(' ');
      std::string_view a = rest.substr(0, sp);
      if (!valid_arg(a)) return header_error("bad stanza argument");
      s.args.emplace_back(a);
      if (sp == std::string_view::npos) break;
      rest = rest.substr(sp + 1);
    }
    for (;;) {
      auto body = next_line(in, pos);
      if (!body) return header_error("truncated stanza body");
      if (body->size() > kColumns) return header_error("stanza body line too long");
      auto bytes = unb64_raw(*body);
      if (!bytes) return header_error("stanza body is not canonical unpadded base64");
      s.body.insert(s.body.end(), bytes->begin(), bytes->end());
      if (bytes->size() < kBytesPerLine) break;  // a body always ends with a short line
    }
    h.stanzas.push_back(std::move(s));
  }
}

std::string serialize_stanza(const Stanza& s) {
  std::string out = "->";
  for (const auto& a : s.args) out += " " + a;
  out += "\n";
  std::string b = b64_raw(s.body);
  for (std::size_t i = 0; i <= b.size(); i += kColumns) {
    out += b.substr(i, kColumns);  // the final line is shorter, possibly empty
    out += "\n";
  }
  return out;
}

SecretBuffer header_mac_key(const SecretBuffer& file_key) {
  return hkdf_sha256(file_key.bytes(), {}, "header", kHmacSha256Bytes);
}

SecretBuffer payload_key_of(const SecretBuffer& file_key, std::span<const uint8_t> nonce) {
  return hkdf_sha256(file_key.bytes(), nonce, "payload", kWrapKeyBytes);
}

// --- recipients ---------------------------------------------------------------------------

// Result of trying one stanza: the file key, "not for this identity", or a fatal failure.
using Unwrapped = std::variant<SecretBuffer, std::monostate, AgeRefusal>;

Unwrapped x25519_unwrap(const AgeIdentity& id, const Stanza& s) {
  if (s.args[0] != "X25519") return std::monostate{};
  if (s.args.size() != 2) return header_error("X25519 stanza has the wrong number of arguments");
  auto share = unb64_raw(s.args[1]);
  if (!share || share->size() != kAgeX25519Bytes) return header_error("bad X25519 share");
  if (s.body.size() != kAgeFileKeyBytes + kAgeTagBytes) {
    return header_error("X25519 stanza body has the wrong size");
  }
  SecretBuffer shared(kAgeX25519Bytes);
  if (crypto_scalarmult(shared.data(), id.secret().data(), share->data()) != 0) {
    // All-zero output: a low-order share. The spec makes this a hard error.
    return header_error("X25519 share is a low-order point");
  }
  AgeRecipient me = id.recipient();
  AgeBytes salt(*share);
  salt.insert(salt.end(), me.bytes().begin(), me.bytes().end());
  SecretBuffer wrap = hkdf_sha256(shared.bytes(), salt, kX25519Label, kWrapKeyBytes);
  auto fk = unwrap_file_key(wrap, s.body);
  if (!fk) return std::monostate{};
  return std::move(*fk);
}

SecretBuffer scrypt_salt(std::span<const uint8_t> salt) {
  SecretBuffer out(kScryptLabel.size() + salt.size());
  std::copy(kScryptLabel.begin(), kScryptLabel.end(), out.data());
  std::copy(salt.begin(), salt.end(), out.data() + kScryptLabel.size());
  return out;
}

Result<SecretBuffer> scrypt_wrap_key(const SecretBuffer& pass, std::span<const uint8_t> salt,
                                     int work_factor) {
  SecretBuffer s = scrypt_salt(salt);
  SecretBuffer key(kWrapKeyBytes);
  if (crypto_pwhash_scryptsalsa208sha256_ll(pass.data(), pass.size(), s.data(), s.size(),
                                            uint64_t{1} << work_factor, 8, 1, key.data(),
                                            key.size()) != 0) {
    return Status{Code::kIo, "scrypt failed (out of memory?)"};
  }
  return key;
}

struct ScryptStanza {
  AgeBytes salt;
  int work_factor = 0;
};

std::variant<ScryptStanza, AgeRefusal> check_scrypt(const Stanza& s, int max_wf) {
  if (s.args.size() != 3) return header_error("scrypt stanza has the wrong number of arguments");
  auto salt = unb64_raw(s.args[1]);
  if (!salt || salt->size() != kAgeScryptSaltBytes) return header_error("bad scrypt salt");
  const std::string& wf = s.args[2];
  // Canonical decimal: no sign, no leading zero, digits only; two digits are plenty.
  if (wf.empty() || wf.size() > 2 || wf[0] < '1' || wf[0] > '9' ||
      !std::all_of(wf.begin(), wf.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return header_error("bad scrypt work factor");
  }
  int n = 0;
  for (char c : wf) n = n * 10 + (c - '0');
  if (n > max_wf || n > 63) {
    return AgeRefusal{AgeFailure::kUnsupported,
                      Status{Code::kUnsupported, "age file's scrypt work factor " + wf +
                                                     " is above the limit of " +
                                                     std::to_string(max_wf)}};
  }
  if (s.body.size() != kAgeFileKeyBytes + kAgeTagBytes) {
    return header_error("scrypt stanza body has the wrong size");
  }
  return ScryptStanza{std::move(*salt), n};
}

// --- STREAM -------------------------------------------------------------------------------

void set_counter(std::array<uint8_t, 12>& nonce, uint64_t counter, bool last) {
  std::fill(nonce.begin(), nonce.end(), 0);
  for (int i = 0; i < 8; ++i) nonce[10 - i] = static_cast<uint8_t>(counter >> (8 * i));
  nonce[11] = last ? 1 : 0;
}

AgeRefusal payload_error(std::string what) {
  return {AgeFailure::kPayload, Status{Code::kCorrupt, "age payload " + what +
                                                           " (file truncated or modified)"}};
}

}  // namespace

// --- keys ---------------------------------------------------------------------------------

Result<AgeRecipient> AgeRecipient::parse(std::string_view s) {
  auto d = bech32_decode(s);
  if (!d) return Status{Code::kInvalidInput, "not an age recipient (age1...): " + d.status().message()};
  if (d->hrp != kRecipientHrp || d->data.size() != kAgeX25519Bytes) {
    return Status{Code::kInvalidInput, "not an X25519 age recipient (age1...)"};
  }
  AgeRecipient r;
  std::copy_n(d->data.data(), kAgeX25519Bytes, r.key_.begin());
  return r;
}

AgeRecipient AgeRecipient::from_bytes(std::span<const uint8_t, kAgeX25519Bytes> public_key) {
  AgeRecipient r;
  std::copy(public_key.begin(), public_key.end(), r.key_.begin());
  return r;
}

std::string AgeRecipient::to_string() const {
  SecretBuffer s = bech32_encode(kRecipientHrp, key_);
  return std::string(s.view());
}

AgeIdentity AgeIdentity::generate() { return AgeIdentity(SecretBuffer::random(kAgeX25519Bytes)); }

Result<AgeIdentity> AgeIdentity::parse(std::string_view s) {
  auto d = bech32_decode(s);
  if (!d) return Status{Code::kInvalidInput, "not an age identity: " + d.status().message()};
  if (d->hrp != kIdentityHrp || d->data.size() != kAgeX25519Bytes) {
    return Status{Code::kInvalidInput, "not an X25519 age identity (AGE-SECRET-KEY-1...)"};
  }
  return AgeIdentity(std::move(d->data));
}

Result<AgeIdentity> AgeIdentity::from_secret(std::span<const uint8_t> scalar) {
  if (scalar.size() != kAgeX25519Bytes) {
    return Status{Code::kInvalidInput, "X25519 identity must be 32 bytes"};
  }
  return AgeIdentity(SecretBuffer::copy_of(scalar));
}

SecretBuffer AgeIdentity::to_string() const { return bech32_encode(kIdentityHrp, scalar_.bytes()); }

AgeRecipient AgeIdentity::recipient() const {
  std::array<uint8_t, kAgeX25519Bytes> pk;
  crypto_scalarmult_base(pk.data(), scalar_.data());
  return AgeRecipient::from_bytes(pk);
}

const char* age_failure_name(AgeFailure f) {
  switch (f) {
    case AgeFailure::kNone: return "none";
    case AgeFailure::kArmor: return "armor failure";
    case AgeFailure::kHeader: return "header failure";
    case AgeFailure::kHeaderMac: return "HMAC failure";
    case AgeFailure::kNoMatch: return "no match";
    case AgeFailure::kPayload: return "payload failure";
    case AgeFailure::kUnsupported: return "unsupported";
    case AgeFailure::kInvalidInput: return "invalid input";
  }
  return "?";
}

// --- encryption ---------------------------------------------------------------------------

namespace {

// Builds the header for `file_key` and `stanzas`, emits header || nonce and returns the
// payload key.
Result<SecretBuffer> emit_header(const SecretBuffer& file_key, const std::vector<Stanza>& stanzas,
                                 const AgeSink& sink) {
  std::string header = std::string(kAgeVersionLine) + "\n";
  for (const auto& s : stanzas) header += serialize_stanza(s);
  header += "---";
  SecretBuffer mk = header_mac_key(file_key);
  auto mac = hmac_sha256(mk.bytes(), as_bytes(header));
  header += " " + b64_raw(mac) + "\n";
  std::array<uint8_t, kAgePayloadNonceBytes> nonce;
  random_bytes(nonce);
  FN_RETURN_IF_ERROR(sink(as_bytes(header)));
  FN_RETURN_IF_ERROR(sink(nonce));
  return payload_key_of(file_key, nonce);
}

}  // namespace

AgeEncryptor::AgeEncryptor(SecretBuffer payload_key, AgeSink sink)
    : payload_key_(std::move(payload_key)), buf_(kAgeChunkBytes), sink_(std::move(sink)) {}

Result<AgeEncryptor> AgeEncryptor::to_recipients(std::span<const AgeRecipient> recipients,
                                                 AgeSink sink) {
  if (recipients.empty()) return Status{Code::kInvalidInput, "no age recipients given"};
  SecretBuffer file_key = SecretBuffer::random(kAgeFileKeyBytes);
  std::vector<Stanza> stanzas;
  for (const auto& r : recipients) {
    SecretBuffer eph = SecretBuffer::random(kAgeX25519Bytes);
    std::array<uint8_t, kAgeX25519Bytes> share;
    crypto_scalarmult_base(share.data(), eph.data());
    SecretBuffer shared(kAgeX25519Bytes);
    if (crypto_scalarmult(shared.data(), eph.data(), r.bytes().data()) != 0) {
      return Status{Code::kInvalidInput, "age recipient is not a usable X25519 public key"};
    }
    AgeBytes salt(share.begin(), share.end());
    salt.insert(salt.end(), r.bytes().begin(), r.bytes().end());
    SecretBuffer wrap = hkdf_sha256(shared.bytes(), salt, kX25519Label, kWrapKeyBytes);
    stanzas.push_back({{"X25519", b64_raw(share)}, wrap_file_key(wrap, file_key)});
  }
  auto pk = emit_header(file_key, stanzas, sink);
  if (!pk) return pk.status();
  return AgeEncryptor(std::move(pk.value()), std::move(sink));
}

Result<AgeEncryptor> AgeEncryptor::to_passphrase(const SecretBuffer& passphrase, int work_factor,
                                                 AgeSink sink) {
  if (passphrase.empty()) return Status{Code::kInvalidInput, "empty passphrase"};
  if (work_factor < kAgeScryptMinWorkFactor || work_factor > kAgeScryptMaxWorkFactor) {
    return Status{Code::kInvalidInput, "scrypt work factor out of range"};
  }
  SecretBuffer file_key = SecretBuffer::random(kAgeFileKeyBytes);
  std::array<uint8_t, kAgeScryptSaltBytes> salt;
  random_bytes(salt);
  auto wrap = scrypt_wrap_key(passphrase, salt, work_factor);
  if (!wrap) return wrap.status();
  std::vector<Stanza> stanzas;
  stanzas.push_back({{"scrypt", b64_raw(salt), std::to_string(work_factor)},
                     wrap_file_key(wrap.value(), file_key)});
  auto pk = emit_header(file_key, stanzas, sink);
  if (!pk) return pk.status();
  return AgeEncryptor(std::move(pk.value()), std::move(sink));
}

Status AgeEncryptor::seal_chunk(bool last) {
  AgeBytes out(buffered_ + kAgeTagBytes);
  nonce_[11] = last ? 1 : 0;
  unsigned long long clen = 0;
  crypto_aead_chacha20poly1305_ietf_encrypt(out.data(), &clen, buf_.data(), buffered_, nullptr,
                                            0, nullptr, nonce_.data(), payload_key_.data());
  buffered_ = 0;
  // Increment the 11-byte big-endian counter; 2^88 chunks is unreachable, but never wrap.
  for (int i = 10; i >= 0; --i) {
    if (++nonce_[i] != 0) break;
    if (i == 0) return {Code::kInvalidInput, "age payload too large"};
  }
  Status st = sink_(out);
  if (!st) failed_ = true;
  return st;
}

Status AgeEncryptor::write(std::span<const uint8_t> plaintext) {
  if (finished_ || failed_) return {Code::kInvalidInput, "age encryptor already finished or failed"};
  while (!plaintext.empty()) {
    if (buffered_ == kAgeChunkBytes) FN_RETURN_IF_ERROR(seal_chunk(false));  // more follows
    std::size_t n = std::min(plaintext.size(), kAgeChunkBytes - buffered_);
    std::copy_n(plaintext.data(), n, buf_.data() + buffered_);
    buffered_ += n;
    plaintext = plaintext.subspan(n);
  }
  return Status::ok();
}

Status AgeEncryptor::finish() {
  if (finished_ || failed_) return {Code::kInvalidInput, "age encryptor already finished or failed"};
  finished_ = true;
  return seal_chunk(true);
}

namespace {
Result<AgeBytes> finish_one_shot(Result<AgeEncryptor> enc, AgeBytes& out,
                                 std::span<const uint8_t> plaintext, bool armor) {
  if (!enc) return enc.status();
  FN_RETURN_IF_ERROR(enc->write(plaintext));
  FN_RETURN_IF_ERROR(enc->finish());
  if (armor) return age_armor(out);
  return std::move(out);
}
}  // namespace

Result<AgeBytes> age_encrypt(std::span<const uint8_t> plaintext,
                             std::span<const AgeRecipient> recipients, bool armor) {
  AgeBytes out;
  out.reserve(plaintext.size() + plaintext.size() / kAgeChunkBytes * kAgeTagBytes + 512);
  auto sink = [&out](std::span<const uint8_t> b) {
    out.insert(out.end(), b.begin(), b.end());
    return Status::ok();
  };
  return finish_one_shot(AgeEncryptor::to_recipients(recipients, sink), out, plaintext, armor);
}

Result<AgeBytes> age_encrypt_passphrase(std::span<const uint8_t> plaintext,
                                        const SecretBuffer& passphrase, int work_factor,
                                        bool armor) {
  AgeBytes out;
  auto sink = [&out](std::span<const uint8_t> b) {
    out.insert(out.end(), b.begin(), b.end());
    return Status::ok();
  };
  return finish_one_shot(AgeEncryptor::to_passphrase(passphrase, work_factor, sink), out,
                         plaintext, armor);
}

// --- decryption ---------------------------------------------------------------------------

namespace {

Outcome<SecretBuffer, AgeRefusal> decrypt_binary(std::span<const uint8_t> in,
                                                 std::span<const AgeIdentity> identities,
                                                 const AgeDecryptOptions& options) {
  auto parsed = parse_header(in);
  if (auto* f = std::get_if<AgeRefusal>(&parsed)) return std::move(*f);
  Header& h = std::get<Header>(parsed);

  const bool has_scrypt = std::any_of(h.stanzas.begin(), h.stanzas.end(),
                                      [](const Stanza& s) { return s.args[0] == "scrypt"; });
  if (has_scrypt && h.stanzas.size() != 1) {
    return header_error("a scrypt stanza must be the only stanza");
  }

  std::optional<SecretBuffer> file_key;
  bool passphrase_tried = false;
  if (has_scrypt) {
    auto checked = check_scrypt(h.stanzas[0], options.max_scrypt_work_factor);
    if (auto* f = std::get_if<AgeRefusal>(&checked)) return std::move(*f);
    const auto& sc = std::get<ScryptStanza>(checked);
    if (options.passphrase) {
      auto pass = options.passphrase();
      if (!pass) return AgeRefusal{AgeFailure::kInvalidInput, pass.status()};
      passphrase_tried = true;
      auto wrap = scrypt_wrap_key(pass.value(), sc.salt, sc.work_factor);
      if (!wrap) return AgeRefusal{AgeFailure::kUnsupported, wrap.status()};
      if (auto fk = unwrap_file_key(wrap.value(), h.stanzas[0].body)) file_key = std::move(*fk);
    }
  } else {
    for (const auto& id : identities) {
      for (const auto& s : h.stanzas) {
        Unwrapped u = x25519_unwrap(id, s);
        if (auto* f = std::get_if<AgeRefusal>(&u)) return std::move(*f);
        if (auto* fk = std::get_if<SecretBuffer>(&u)) {
          file_key = std::move(*fk);
          break;
        }
      }
      if (file_key) break;
    }
  }
  if (!file_key) {
    if (passphrase_tried) {
      return AgeRefusal{AgeFailure::kNoMatch,
                        Status{Code::kWrongKey, "wrong passphrase for this age file"}};
    }
    return AgeRefusal{AgeFailure::kNoMatch,
                      Status{Code::kNotThisKey, "age file is not addressed to any of the keys given"}};
  }

  SecretBuffer mk = header_mac_key(*file_key);
  auto mac = hmac_sha256(mk.bytes(), in.first(h.mac_input_end));
  if (sodium_memcmp(mac.data(), h.mac.data(), mac.size()) != 0) {
    return AgeRefusal{AgeFailure::kHeaderMac,
                      Status{Code::kCorrupt, "age header MAC does not match (header modified)"}};
  }

  if (in.size() - h.payload_start < kAgePayloadNonceBytes) {
    return header_error("payload nonce missing or truncated");
  }
  SecretBuffer pk = payload_key_of(*file_key, in.subspan(h.payload_start, kAgePayloadNonceBytes));
  std::span<const uint8_t> payload = in.subspan(h.payload_start + kAgePayloadNonceBytes);

  SecretBuffer out(payload.size());  // plaintext is never longer than the ciphertext
  std::size_t out_len = 0, pos = 0;
  std::array<uint8_t, 12> nonce{};
  for (uint64_t counter = 0;; ++counter) {
    const std::size_t rem = payload.size() - pos;
    if (rem == 0) return payload_error("ends without a final chunk");
    const std::size_t clen = std::min(rem, kEncChunkBytes);
    if (clen < kAgeTagBytes) return payload_error("chunk is truncated");
    bool last = clen < kEncChunkBytes;
    auto open = [&](bool final_flag) {
      set_counter(nonce, counter, final_flag);
      unsigned long long mlen = 0;
      int rc = crypto_aead_chacha20poly1305_ietf_decrypt(out.data() + out_len, &mlen, nullptr,
                                                         payload.data() + pos, clen, nullptr, 0,
                                                         nonce.data(), pk.data());
      return rc == 0;
    };
    bool ok = open(last);
    // A full-size chunk at the very end may be the final one.
    if (!ok && !last && rem == kEncChunkBytes) ok = open(last = true);
    if (!ok) {
      return payload_error("chunk " + std::to_string(counter) + " failed to authenticate");
    }
    const std::size_t mlen = clen - kAgeTagBytes;
    if (last && mlen == 0 && counter > 0) return payload_error("has an empty final chunk");
    pos += clen;
    out_len += mlen;
    if (last) {
      if (pos != payload.size()) return payload_error("has data after the final chunk");
      break;
    }
  }
  out.truncate(out_len);
  return out;
}

}  // namespace

Outcome<SecretBuffer, AgeRefusal> age_decrypt(std::span<const uint8_t> file,
                                              std::span<const AgeIdentity> identities,
                                              const AgeDecryptOptions& options) {
  // Anything that does not start like a binary age file (and is not empty) is decoded as
  // armor, so leading garbage before an armored file is an armor failure, as the testkit
  // requires.
  if (!file.empty() && !as_text(file).starts_with("age-encryption.org/")) {
    auto bin = age_dearmor(file);
    if (!bin) return bin.failure();
    return decrypt_binary(bin.value(), identities, options);
  }
  return decrypt_binary(file, identities, options);
}

// --- armor --------------------------------------------------------------------------------

bool age_is_binary(std::span<const uint8_t> data) {
  std::string_view t = as_text(data);
  return t.starts_with(kAgeVersionLine) && t.size() > kAgeVersionLine.size() &&
         t[kAgeVersionLine.size()] == '\n';
}

bool age_is_armored(std::span<const uint8_t> data) {
  std::size_t i = 0;
  while (i < data.size() && is_space(data[i])) ++i;
  return as_text(data.subspan(i)).starts_with("-----");
}

bool age_is_age_file(std::span<const uint8_t> data) {
  if (age_is_binary(data)) return true;
  std::size_t i = 0;
  while (i < data.size() && is_space(data[i])) ++i;
  return as_text(data.subspan(i)).starts_with(kAgeArmorBegin);
}

AgeBytes age_armor(std::span<const uint8_t> binary) {
  std::string out = std::string(kAgeArmorBegin) + "\n";
  for (std::size_t i = 0; i < binary.size(); i += kBytesPerLine) {
    out += base64_encode(binary.subspan(i, std::min(kBytesPerLine, binary.size() - i)),
                         Base64Padding::kPadded);
    out += "\n";
  }
  out += std::string(kAgeArmorEnd) + "\n";
  return AgeBytes(out.begin(), out.end());
}

Outcome<AgeBytes, AgeRefusal> age_dearmor(std::span<const uint8_t> armored) {
  auto bad = [](std::string what) {
    return Outcome<AgeBytes, AgeRefusal>(
        AgeRefusal{AgeFailure::kArmor, Status{Code::kCorrupt, "age armor is malformed: " + what}});
  };
  std::string_view t = as_text(armored);
  std::size_t pos = 0;
  while (pos < t.size() && is_space(static_cast<uint8_t>(t[pos]))) ++pos;
  // Returns the next line without its LF and one optional CR; nullopt at end of input.
  auto line = [&](bool& had_eol) -> std::optional<std::string_view> {
    if (pos >= t.size()) return std::nullopt;
    std::size_t e = t.find('\n', pos);
    had_eol = e != std::string_view::npos;
    if (!had_eol) e = t.size();
    std::string_view l = t.substr(pos, e - pos);
    pos = had_eol ? e + 1 : e;
    if (l.ends_with('\r')) l.remove_suffix(1);
    return l;
  };
  bool eol = false;
  auto begin = line(eol);
  if (!begin || *begin != kAgeArmorBegin || !eol) {
    return bad("no BEGIN line (not an age file, or not armored)");
  }
  AgeBytes out;
  bool saw_short = false;
  for (;;) {
    auto l = line(eol);
    if (!l) return bad("no END line");
    if (*l == kAgeArmorEnd) break;
    if (saw_short) return bad("data after the short final line");
    if (l->empty()) return bad("empty line");
    if (l->size() > kColumns) return bad("line longer than 64 columns");
    if (!eol) return bad("no END line");
    if (l->size() < kColumns || l->ends_with('=')) saw_short = true;
    auto bytes = base64_decode_strict(*l, Base64Padding::kPadded);
    if (!bytes) return bad("line is not canonical base64");
    out.insert(out.end(), bytes->begin(), bytes->end());
  }
  for (; pos < t.size(); ++pos) {
    if (!is_space(static_cast<uint8_t>(t[pos]))) return bad("data after the END line");
  }
  return out;
}

}  // namespace fieldnotes::crypto
