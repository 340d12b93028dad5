// age v1 files (C2SP age.md, https://age-encryption.org/v1): X25519 and scrypt recipients,
// the header MAC, the STREAM payload and the ASCII armor. Format notes, limits and the
// MUST-reject rules we enforce: docs/FORMAT.md, "age bundles (crypto/age)".
//
// Everything here is built on libsodium primitives: X25519 (crypto_scalarmult),
// ChaCha20-Poly1305 IETF, HMAC-SHA256 / HKDF-SHA256 (crypto/hkdf.h) and
// crypto_pwhash_scryptsalsa208sha256_ll. Not supported: plugin and post-quantum recipient
// types (their stanzas are skipped like any unknown stanza, as the spec requires).
//
// Thread safety: free functions are thread-safe; an AgeEncryptor must not be used from two
// threads at once. crypto::init() must have been called.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <sodium.h>

#include "base/status.h"
#include "crypto/secret.h"

namespace fieldnotes::crypto {

using AgeBytes = std::vector<uint8_t>;

constexpr std::size_t kAgeFileKeyBytes = 16;
constexpr std::size_t kAgeX25519Bytes = crypto_scalarmult_curve25519_BYTES;
static_assert(kAgeX25519Bytes == 32 && crypto_scalarmult_curve25519_SCALARBYTES == 32);
constexpr std::size_t kAgePayloadNonceBytes = 16;
constexpr std::size_t kAgeChunkBytes = 64 * 1024;  // plaintext bytes per STREAM chunk
constexpr std::size_t kAgeTagBytes = crypto_aead_chacha20poly1305_ietf_ABYTES;
static_assert(kAgeTagBytes == 16 && crypto_aead_chacha20poly1305_ietf_NPUBBYTES == 12);
constexpr std::size_t kAgeScryptSaltBytes = 16;
// age's own default; 2^18 * 1 KiB = 256 MiB of memory.
constexpr int kAgeScryptDefaultWorkFactor = 18;
// Highest work factor accepted when decrypting unless the caller says otherwise (the same
// cap as the reference implementation; 2^22 needs 4 GiB). Above it: AgeFailure::kUnsupported.
constexpr int kAgeScryptMaxWorkFactor = 22;
// Lowest work factor we write (tests use 10, as the testkit does).
constexpr int kAgeScryptMinWorkFactor = 1;
// The header (version line through the MAC line) may not exceed this; stops a hostile file
// from making us buffer or unwrap without bound.
constexpr std::size_t kAgeMaxHeaderBytes = 64 * 1024;

constexpr std::string_view kAgeVersionLine = "age-encryption.org/v1";
constexpr std::string_view kAgeArmorBegin = "-----BEGIN AGE ENCRYPTED FILE-----";
constexpr std::string_view kAgeArmorEnd = "-----END AGE ENCRYPTED FILE-----";

// ---------------------------------------------------------------------------------------
// Keys

// An X25519 recipient: the public half, written `age1...` (Bech32, hrp "age").
class AgeRecipient {
 public:
  // Parses an `age1...` string. kInvalidInput if it is not one (wrong prefix, mixed case,
  // bad checksum, wrong length).
  static Result<AgeRecipient> parse(std::string_view s);
  static AgeRecipient from_bytes(std::span<const uint8_t, kAgeX25519Bytes> public_key);

  std::string to_string() const;  // `age1...`, lower case
  std::span<const uint8_t, kAgeX25519Bytes> bytes() const { return key_; }
  bool operator==(const AgeRecipient& o) const { return key_ == o.key_; }

 private:
  std::array<uint8_t, kAgeX25519Bytes> key_{};
};

// An X25519 identity: the secret scalar, in secure memory. Move-only.
class AgeIdentity {
 public:
  static AgeIdentity generate();
  // Parses an `AGE-SECRET-KEY-1...` string (upper case, as age-keygen writes it).
  // kInvalidInput otherwise; the message never contains the string.
  static Result<AgeIdentity> parse(std::string_view s);
  // From the raw 32-byte scalar (e.g. unsealed from the vault). kInvalidInput if the size
  // is wrong.
  static Result<AgeIdentity> from_secret(std::span<const uint8_t> scalar);

  // `AGE-SECRET-KEY-1...` in secure memory. Never log it.
  SecretBuffer to_string() const;
  AgeRecipient recipient() const;
  const SecretBuffer& secret() const { return scalar_; }

 private:
  explicit AgeIdentity(SecretBuffer scalar) : scalar_(std::move(scalar)) {}
  SecretBuffer scalar_;
};

// ---------------------------------------------------------------------------------------
// Failures

// The stage at which a file was refused, in the vocabulary of the age testkit.
enum class AgeFailure {
  kNone,
  kArmor,        // ASCII armor malformed                          Code::kCorrupt
  kHeader,       // header malformed, or a stanza addressed to us is malformed
                 //   (bad share, low-order point, file key of the wrong size)  Code::kCorrupt
  kHeaderMac,    // header MAC mismatch (header modified)          Code::kCorrupt
  kNoMatch,      // no stanza could be opened with the identities given:
                 //   Code::kNotThisKey; Code::kWrongKey when the file is a passphrase
                 //   file and the passphrase given does not open it
  kPayload,      // payload truncated, modified, or followed by data  Code::kCorrupt
  kUnsupported,  // unknown version line, scrypt work factor above the cap  Code::kUnsupported
  kInvalidInput, // misuse by the caller, or the passphrase prompt failed (its Status)
};
const char* age_failure_name(AgeFailure f);

// Why a file was refused: the stage, and the Status underneath. Decryption and dearmoring
// return Outcome<T, AgeRefusal> (base/status.h): the value, or this.
struct AgeRefusal {
  AgeFailure stage = AgeFailure::kNone;
  Status status;
};

// ---------------------------------------------------------------------------------------
// Encryption

// Receives the encrypted bytes in order. A non-ok Status aborts the encryption.
using AgeSink = std::function<Status(std::span<const uint8_t>)>;

// Streaming encryption: the header is emitted by the factory, each full 64 KiB chunk as
// soon as it is known not to be the last, the final chunk by finish().
// Thread-compatible (one thread at a time). REQUIRES: finish() called exactly once at the end;
// destroying an unfinished encryptor leaves a truncated file, which every reader rejects.
class AgeEncryptor {
 public:
  // To one or more X25519 recipients. kInvalidInput if `recipients` is empty.
  static Result<AgeEncryptor> to_recipients(std::span<const AgeRecipient> recipients,
                                            AgeSink sink);
  // To a passphrase, with scrypt N = 2^work_factor. kInvalidInput if the passphrase is
  // empty or work_factor is outside [kAgeScryptMinWorkFactor, kAgeScryptMaxWorkFactor].
  static Result<AgeEncryptor> to_passphrase(const SecretBuffer& passphrase, int work_factor,
                                            AgeSink sink);

  AgeEncryptor(AgeEncryptor&&) noexcept = default;
  AgeEncryptor& operator=(AgeEncryptor&&) noexcept = default;

  Status write(std::span<const uint8_t> plaintext);
  Status finish();

 private:
  AgeEncryptor(SecretBuffer payload_key, AgeSink sink);
  Status seal_chunk(bool last);

  SecretBuffer payload_key_;
  SecretBuffer buf_;  // pending plaintext, < kAgeChunkBytes bytes (or exactly, before a write)
  std::size_t buffered_ = 0;
  std::array<uint8_t, 12> nonce_{};  // 11-byte big-endian counter || last-chunk flag
  AgeSink sink_;
  bool finished_ = false;
  bool failed_ = false;
};

// One-shot helpers; output is the binary format, or armored when `armor` is true.
Result<AgeBytes> age_encrypt(std::span<const uint8_t> plaintext,
                             std::span<const AgeRecipient> recipients, bool armor = false);
Result<AgeBytes> age_encrypt_passphrase(std::span<const uint8_t> plaintext,
                                        const SecretBuffer& passphrase,
                                        int work_factor = kAgeScryptDefaultWorkFactor,
                                        bool armor = false);

// ---------------------------------------------------------------------------------------
// Decryption

// Asked for the passphrase only when the file's header holds a scrypt stanza (and at most
// once). A non-ok Status (e.g. the user cancelled) is returned as is, with
// AgeFailure::kInvalidInput.
using AgePassphrasePrompt = std::function<Result<SecretBuffer>()>;

struct AgeDecryptOptions {
  // Refuse (kUnsupported) scrypt stanzas above this, before running scrypt.
  int max_scrypt_work_factor = kAgeScryptMaxWorkFactor;
  AgePassphrasePrompt passphrase;  // empty: passphrase files give kNoMatch
};

// Decrypts a whole age file, binary or armored, with
// the identities given (tried in order against every stanza) and/or the passphrase prompt.
// On success returns the plaintext in secure memory. On failure returns no plaintext at all
// -- not even of chunks that authenticated -- and the stage (AgeFailure) with a Status.
// Input that is empty or starts with "age-encryption.org/" is parsed as binary; anything
// else as armor (so a non-age file fails with kArmor, "no BEGIN line"). With no identities
// and no prompt the result is kNoMatch (after the header was checked).
// A file whose header holds a scrypt stanza next to any other stanza is refused (kHeader).
Outcome<SecretBuffer, AgeRefusal> age_decrypt(std::span<const uint8_t> file,
                                              std::span<const AgeIdentity> identities,
                                              const AgeDecryptOptions& options = {});

// ---------------------------------------------------------------------------------------
// Recognising and armoring

// True iff `data` starts with the binary version line ("age-encryption.org/v1\n").
bool age_is_binary(std::span<const uint8_t> data);
// True iff `data`, after optional leading whitespace, starts with "-----" (a PEM-like
// boundary).
bool age_is_armored(std::span<const uint8_t> data);
// True iff `data` looks like an age file: binary, or armored with the age BEGIN line.
bool age_is_age_file(std::span<const uint8_t> data);

// Wraps a binary age file in the ASCII armor (64-column padded base64, LF line ends,
// final newline).
AgeBytes age_armor(std::span<const uint8_t> binary);
// Strictly decodes the armor (spec and testkit rules: whitespace only outside the armor,
// LF or CRLF, full 64-column lines but the last, canonical padded base64, no headers,
// nothing but whitespace after the END line). Failure: AgeFailure::kArmor.
Outcome<AgeBytes, AgeRefusal> age_dearmor(std::span<const uint8_t> armored);

}  // namespace fieldnotes::crypto
