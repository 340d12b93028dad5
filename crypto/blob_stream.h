// Sealed attachment streams ("attachment blobs"): a file of any size sealed in fixed 64 KiB
// chunks with ChaCha20-Poly1305-IETF under a per-blob subkey, counter nonces and a mandatory
// final chunk (as age's STREAM), the plaintext padded with Padmé so its exact length does not
// leak. The format, its constants and the MUST-reject rules: docs/FORMAT.md, "Attachment blobs".
// Vectors: tests/vectors/blob/.
//
// Memory is constant: each thread holds one batch of kBlobBatchChunks chunks (about 1 MiB, in
// sodium_malloc memory), whatever the size of the input.
//
// Thread safety: the functions are thread-safe (no shared state); each call may start up to
// `threads - 1` helper threads and joins them before it returns. crypto::init() must have been
// called.
//
// WARNING: writing to a pipe whose reader has exited raises SIGPIPE; callers that write to
// pipes ignore SIGPIPE (the CLI does) so that the write fails with kIo instead.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include <sodium.h>

#include "base/status.h"
#include "crypto/secret.h"

namespace fieldnotes::crypto {

// Version 1 parameters (docs/FORMAT.md, "Attachment blobs"). The chunk size is fixed by the
// version and is not stored in the file.
constexpr std::size_t kBlobChunkBytes = 64 * 1024;  // plaintext bytes per non-final chunk
constexpr std::size_t kBlobKeyBytes = crypto_aead_chacha20poly1305_ietf_KEYBYTES;
constexpr std::size_t kBlobTagBytes = crypto_aead_chacha20poly1305_ietf_ABYTES;
constexpr std::size_t kBlobNonceBytes = crypto_aead_chacha20poly1305_ietf_NPUBBYTES;
static_assert(kBlobKeyBytes == 32 && kBlobTagBytes == 16 && kBlobNonceBytes == 12);
constexpr std::size_t kBlobMagicBytes = 8;          // "fnattach"
constexpr uint8_t kBlobVersion = 1;
constexpr std::size_t kBlobSaltBytes = 24;
constexpr std::size_t kBlobHeaderBytes = kBlobMagicBytes + 1 + kBlobSaltBytes;   // 33
constexpr std::size_t kBlobFinalChunkBytes = 8 + kBlobTagBytes;                 // 24
constexpr uint64_t kBlobMinPaddedBytes = 1024;      // smaller payloads are padded to this
constexpr uint64_t kBlobMaxPlaintextBytes = uint64_t{1} << 50;  // 1 PiB: keeps padding math exact
constexpr std::size_t kBlobBatchChunks = 8;        // chunks a thread seals or opens at a time

struct BlobInfo {
  uint64_t plaintext_bytes = 0;  // the real (unpadded) length
  uint64_t file_bytes = 0;       // the sealed stream's size, header included
};

// The padded payload length of a `plaintext_bytes`-long plaintext: Padmé of
// max(plaintext_bytes, kBlobMinPaddedBytes). At most ~12% more (~3% at 1 GiB).
// REQUIRES: plaintext_bytes <= kBlobMaxPlaintextBytes.
uint64_t blob_padded_bytes(uint64_t plaintext_bytes);

// The size of the sealed stream of a `plaintext_bytes`-long plaintext.
// REQUIRES: plaintext_bytes <= kBlobMaxPlaintextBytes.
uint64_t blob_file_bytes(uint64_t plaintext_bytes);

// Reads `in_fd` from its current offset to EOF and writes a sealed stream to `out_fd` (at its
// current offset) under `key` (kBlobKeyBytes, random per attachment, supplied by the caller)
// with `ad` (the attachment's uuid etc.) authenticated. Uses up to `threads` threads (clamped to 1..8). Does NOT fsync: the caller does.
// Returns kInvalidInput for a key of the wrong size or a plaintext over kBlobMaxPlaintextBytes;
// kIo on read or write errors (e.g. ENOSPC), or when `in_fd` is a regular file whose size
// changed while it was read (it was still being written). On failure `out_fd` holds a partial
// stream that the caller deletes.
Result<BlobInfo> blob_seal(int in_fd, int out_fd, const SecretBuffer& key,
                           std::span<const uint8_t> ad, int threads = 2);

// Opens a sealed stream. `in_fd` must be a regular file that holds the stream and nothing else
// (it is read with pread, whatever its offset; the final chunk is read first, to learn the real
// length): kInvalidInput otherwise. Writes only authenticated plaintext to `out_fd`.
// Returns kCorrupt (and writes nothing more) on a bad tag, truncation at any point, a missing
// final chunk, data after the final chunk, a wrong key or ad, nonzero padding or a malformed
// header; kUnsupported for an unknown version; kIo on read/write errors. Plaintext of the chunks
// before a bad one may already have been written: callers that must release nothing on failure
// write to a temp file and delete it.
Result<BlobInfo> blob_open(int in_fd, int out_fd, const SecretBuffer& key,
                           std::span<const uint8_t> ad, int threads = 2);

// Authenticates a whole stream without writing plaintext anywhere (for `verify`). Same errors
// as blob_open.
Result<BlobInfo> blob_check(int in_fd, const SecretBuffer& key, std::span<const uint8_t> ad);

}  // namespace fieldnotes::crypto
