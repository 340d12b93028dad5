// Attachment blobs: docs/FORMAT.md, "Attachment blobs".
//
// Both directions run the same pipeline on every thread: take the next batch of chunks (reading
// it under a lock for sealing, since the input is a stream; by offset for opening), seal or open
// it in place outside the lock, then wait for the batch's turn and write it. With two threads on
// two cores one thread's AEAD work overlaps the other's reading and writing, with no separate
// I/O thread and one batch buffer per thread.
#include "crypto/blob_stream.h"

#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cctype>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace fieldnotes::crypto {
namespace {

constexpr uint8_t kMagic[kBlobMagicBytes] = {'f', 'n', 'a', 't', 't', 'a', 'c', 'h'};
// BLAKE2b personalisation of the subkey derivation: binds the key to this use and version.
constexpr char kSubkeyLabel[] = "fieldnotes blob v1 chunk key";
constexpr std::size_t kChunkStride = kBlobChunkBytes + kBlobTagBytes;
constexpr std::size_t kBatchBytes = kBlobBatchChunks * kChunkStride;
constexpr uint8_t kFlagData = 0x00;
constexpr uint8_t kFlagFinal = 0x01;

void store_le64(uint8_t* p, uint64_t v) {
  for (int i = 0; i < 8; ++i) p[i] = static_cast<uint8_t>(v >> (8 * i));
}
uint64_t load_le64(const uint8_t* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

// STREAM nonce: 11-byte big-endian chunk counter, then the final-chunk flag.
void make_nonce(uint8_t nonce[kBlobNonceBytes], uint64_t counter, uint8_t flag) {
  std::memset(nonce, 0, kBlobNonceBytes);
  for (int i = 0; i < 8; ++i) nonce[10 - i] = static_cast<uint8_t>(counter >> (8 * i));
  nonce[11] = flag;
}

// subkey = BLAKE2b-256(key = key, label || header || le64(len(ad)) || ad)
SecretBuffer derive_subkey(const SecretBuffer& key, const uint8_t header[kBlobHeaderBytes],
                           std::span<const uint8_t> ad) {
  SecretBuffer subkey(kBlobKeyBytes);
  crypto_generichash_blake2b_state st;
  crypto_generichash_blake2b_init(&st, key.data(), key.size(), kBlobKeyBytes);
  crypto_generichash_blake2b_update(&st, reinterpret_cast<const uint8_t*>(kSubkeyLabel),
                                    sizeof kSubkeyLabel - 1);
  crypto_generichash_blake2b_update(&st, header, kBlobHeaderBytes);
  uint8_t len[8];
  store_le64(len, ad.size());
  crypto_generichash_blake2b_update(&st, len, sizeof len);
  crypto_generichash_blake2b_update(&st, ad.data(), ad.size());
  crypto_generichash_blake2b_final(&st, subkey.data(), kBlobKeyBytes);
  sodium_memzero(&st, sizeof st);
  return subkey;
}

Status io_error(const char* what, int err) {
  std::string reason = std::strerror(err);  // e.g. "no space left on device"
  if (!reason.empty()) reason[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(reason[0])));
  return {Code::kIo, std::string(what) + ": " + reason};
}

// Reads until `n` bytes or EOF. Returns the count, or -errno.
ssize_t read_full(int fd, uint8_t* p, std::size_t n) {
  std::size_t got = 0;
  while (got < n) {
    ssize_t r = ::read(fd, p + got, n - got);
    if (r < 0) {
      if (errno == EINTR) continue;
      return -errno;
    }
    if (r == 0) break;
    got += static_cast<std::size_t>(r);
  }
  return static_cast<ssize_t>(got);
}

ssize_t pread_full(int fd, uint8_t* p, std::size_t n, uint64_t off) {
  std::size_t got = 0;
  while (got < n) {
    ssize_t r = ::pread(fd, p + got, n - got, static_cast<off_t>(off + got));
    if (r < 0) {
      if (errno == EINTR) continue;
      return -errno;
    }
    if (r == 0) break;
    got += static_cast<std::size_t>(r);
  }
  return static_cast<ssize_t>(got);
}

int write_full(int fd, const uint8_t* p, std::size_t n) {
  while (n > 0) {
    ssize_t w = ::write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    p += w;
    n -= static_cast<std::size_t>(w);
  }
  return 0;
}

uint64_t padme(uint64_t len) {
  // Nikitin et al., "Reducing Metadata Leakage from Encrypted Files and Communication with
  // PURBs" (2019): keep the top floor(log2(E))+1 bits of the length, E = floor(log2(len)).
  const unsigned e = 63u - static_cast<unsigned>(std::countl_zero(len));
  const unsigned s = (31u - static_cast<unsigned>(std::countl_zero(e))) + 1u;
  const uint64_t mask = (uint64_t{1} << (e - s)) - 1;
  return (len + mask) & ~mask;
}

// Runs `body(first)` on `threads` threads (the caller's included) and joins them.
template <typename Body>
void run_threads(int threads, Body body) {
  std::vector<std::thread> helpers;
  helpers.reserve(static_cast<std::size_t>(threads - 1));
  for (int i = 1; i < threads; ++i) helpers.emplace_back(body);
  body();
  for (auto& t : helpers) t.join();
}

int clamp_threads(int threads) { return std::clamp(threads, 1, 8); }

// Ordering shared by the pipelines: batches are numbered when taken and written in that order.
struct Turns {
  std::mutex mu;
  std::condition_variable cv;
  uint64_t next_take = 0;
  uint64_t next_write = 0;
  bool stop = false;
  std::optional<Status> error;  // the first failure

  void fail(Status st) {  // REQUIRES: mu held
    if (!error) error = std::move(st);
    stop = true;
    cv.notify_all();
  }
  // Waits for `seq`'s turn to write. Returns false if the pipeline stopped.
  bool wait_turn(std::unique_lock<std::mutex>& lock, uint64_t seq) {
    cv.wait(lock, [&] { return stop || next_write == seq; });
    return !stop;
  }
  void done_writing(std::unique_lock<std::mutex>& lock) {
    ++next_write;
    lock.unlock();
    cv.notify_all();
  }
};

struct ChunkRef {
  std::size_t offset;   // in the batch buffer
  std::size_t pt_len;   // plaintext bytes
  uint64_t counter;
  uint8_t flag;
  uint64_t payload_off; // where the chunk's plaintext starts in the padded payload
};

}  // namespace

uint64_t blob_padded_bytes(uint64_t plaintext_bytes) {
  return padme(std::max(plaintext_bytes, kBlobMinPaddedBytes));
}

uint64_t blob_file_bytes(uint64_t plaintext_bytes) {
  const uint64_t t = blob_padded_bytes(plaintext_bytes);
  const uint64_t chunks = (t + kBlobChunkBytes - 1) / kBlobChunkBytes;
  return kBlobHeaderBytes + t + chunks * kBlobTagBytes + kBlobFinalChunkBytes;
}

// ---------------------------------------------------------------------------------------------
// Sealing

Result<BlobInfo> blob_seal(int in_fd, int out_fd, const SecretBuffer& key,
                           std::span<const uint8_t> ad, int threads) {
  if (key.size() != kBlobKeyBytes) return Status{Code::kInvalidInput, "blob key has the wrong size"};
  threads = clamp_threads(threads);

  struct stat st0 {};
  if (::fstat(in_fd, &st0) != 0) return io_error("cannot read the attachment", errno);
  const bool regular = S_ISREG(st0.st_mode);
  // A regular file is read from its current offset: that many bytes are expected.
  uint64_t expected = 0;
  if (regular) {
    const off_t start = ::lseek(in_fd, 0, SEEK_CUR);
    if (start < 0) return io_error("cannot read the attachment", errno);
    const auto size = static_cast<uint64_t>(st0.st_size);
    expected = size - std::min<uint64_t>(static_cast<uint64_t>(start), size);
  }

  uint8_t header[kBlobHeaderBytes];
  std::memcpy(header, kMagic, kBlobMagicBytes);
  header[kBlobMagicBytes] = kBlobVersion;
  randombytes_buf(header + kBlobMagicBytes + 1, kBlobSaltBytes);
  const SecretBuffer subkey = derive_subkey(key, header, ad);
  if (int err = write_full(out_fd, header, sizeof header); err != 0)
    return io_error("cannot write the sealed attachment", err);

  Turns turns;
  // Producer state, guarded by turns.mu.
  uint64_t next_counter = 0;
  uint64_t payload_off = 0;   // padded-payload bytes assigned to chunks so far
  uint64_t plain_len = 0;     // input bytes read so far
  uint64_t padded_len = 0;    // known once eof
  bool eof = false;
  bool final_taken = false;
  uint64_t file_bytes = kBlobHeaderBytes;

  auto body = [&] {
    SecretBuffer buf(kBatchBytes);
    std::vector<ChunkRef> chunks;
    chunks.reserve(kBlobBatchChunks + 1);
    for (;;) {
      chunks.clear();
      uint64_t seq = 0;
      std::size_t used = 0;
      {
        std::unique_lock lock(turns.mu);
        if (turns.stop || final_taken) return;
        seq = turns.next_take++;
        // Fill the batch: input until EOF, then zero padding up to the padded length, then the
        // final chunk. Reading happens under the lock because the input is a stream.
        while (chunks.size() < kBlobBatchChunks && !final_taken) {
          uint8_t* p = buf.data() + used;
          std::size_t len = 0;
          if (!eof) {
            ssize_t got = read_full(in_fd, p, kBlobChunkBytes);
            if (got < 0) {
              turns.fail(io_error("cannot read the attachment", static_cast<int>(-got)));
              return;
            }
            plain_len += static_cast<uint64_t>(got);
            if (plain_len > kBlobMaxPlaintextBytes) {
              turns.fail({Code::kInvalidInput, "attachment is larger than 1 PiB"});
              return;
            }
            len = static_cast<std::size_t>(got);
            if (len < kBlobChunkBytes) {
              eof = true;
              padded_len = blob_padded_bytes(plain_len);
              if (regular) {
                // A file still being written would be sealed half-way: refuse it.
                struct stat st1 {};
                if (::fstat(in_fd, &st1) != 0) {
                  turns.fail(io_error("cannot read the attachment", errno));
                  return;
                }
                if (expected != plain_len || st1.st_size != st0.st_size) {
                  turns.fail({Code::kIo, "the attachment changed size while it was read (is it "
                                         "still being written?)"});
                  return;
                }
              }
            }
          }
          if (eof) {
            const auto want = static_cast<std::size_t>(
                std::min<uint64_t>(kBlobChunkBytes, padded_len - payload_off));
            std::memset(p + len, 0, want - len);
            len = want;
          }
          if (len == 0) {  // payload complete: the final chunk carries the real length
            store_le64(p, plain_len);
            chunks.push_back({used, 8, next_counter++, kFlagFinal, payload_off});
            used += kBlobFinalChunkBytes;
            final_taken = true;
            break;
          }
          chunks.push_back({used, len, next_counter++, kFlagData, payload_off});
          payload_off += len;
          used += len + kBlobTagBytes;
        }
        file_bytes += used;
      }
      for (const ChunkRef& c : chunks) {
        uint8_t nonce[kBlobNonceBytes];
        make_nonce(nonce, c.counter, c.flag);
        uint8_t* p = buf.data() + c.offset;
        crypto_aead_chacha20poly1305_ietf_encrypt_detached(p, p + c.pt_len, nullptr, p, c.pt_len,
                                                           nullptr, 0, nullptr, nonce,
                                                           subkey.data());
      }
      std::unique_lock lock(turns.mu);
      if (!turns.wait_turn(lock, seq)) return;
      lock.unlock();
      const int err = write_full(out_fd, buf.data(), used);
      lock.lock();
      if (err != 0) {
        turns.fail(io_error("cannot write the sealed attachment", err));
        return;
      }
      turns.done_writing(lock);
    }
  };
  run_threads(threads, body);

  if (turns.error) return *turns.error;
  return BlobInfo{plain_len, file_bytes};
}

// ---------------------------------------------------------------------------------------------
// Opening

namespace {

Result<BlobInfo> open_stream(int in_fd, int out_fd, const SecretBuffer& key,
                             std::span<const uint8_t> ad, int threads) {
  if (key.size() != kBlobKeyBytes) return Status{Code::kInvalidInput, "blob key has the wrong size"};
  threads = clamp_threads(threads);

  struct stat st0 {};
  if (::fstat(in_fd, &st0) != 0) return io_error("cannot read the sealed attachment", errno);
  if (!S_ISREG(st0.st_mode))
    return Status{Code::kInvalidInput, "a sealed attachment must be read from a regular file"};
  const auto file_bytes = static_cast<uint64_t>(st0.st_size);

  uint8_t header[kBlobHeaderBytes];
  ssize_t got = pread_full(in_fd, header, sizeof header, 0);
  if (got < 0) return io_error("cannot read the sealed attachment", static_cast<int>(-got));
  if (static_cast<std::size_t>(got) < kBlobMagicBytes + 1 ||
      std::memcmp(header, kMagic, kBlobMagicBytes) != 0)
    return Status{Code::kCorrupt, "not a sealed attachment (bad magic)"};
  if (header[kBlobMagicBytes] != kBlobVersion)
    return Status{Code::kUnsupported, "sealed attachment version " +
                                          std::to_string(header[kBlobMagicBytes]) +
                                          " is not supported (upgrade fieldnotes)"};
  if (file_bytes < kBlobHeaderBytes + kBlobFinalChunkBytes)
    return Status{Code::kCorrupt, "sealed attachment is truncated"};

  // The chunk layout follows from the file size alone; the final chunk, read first, says
  // whether that size is the one that was written.
  const uint64_t region = file_bytes - kBlobHeaderBytes - kBlobFinalChunkBytes;
  uint64_t n_data = region / kChunkStride;
  uint64_t padded_len = n_data * kBlobChunkBytes;
  if (const uint64_t rem = region % kChunkStride; rem != 0) {
    if (rem <= kBlobTagBytes) return Status{Code::kCorrupt, "sealed attachment is truncated or malformed"};
    ++n_data;
    padded_len += rem - kBlobTagBytes;
  }

  const SecretBuffer subkey = derive_subkey(key, header, ad);
  const Status auth_failed{Code::kCorrupt,
                           "authentication failed (wrong key, or the file was modified or "
                           "truncated)"};

  uint8_t final_chunk[kBlobFinalChunkBytes];
  got = pread_full(in_fd, final_chunk, sizeof final_chunk, file_bytes - kBlobFinalChunkBytes);
  if (got < 0) return io_error("cannot read the sealed attachment", static_cast<int>(-got));
  if (static_cast<std::size_t>(got) != sizeof final_chunk)
    return Status{Code::kIo, "the sealed attachment changed while it was read"};
  uint8_t nonce[kBlobNonceBytes];
  make_nonce(nonce, n_data, kFlagFinal);
  uint8_t len_bytes[8];
  if (crypto_aead_chacha20poly1305_ietf_decrypt_detached(len_bytes, nullptr, final_chunk, 8,
                                                         final_chunk + 8, nullptr, 0, nonce,
                                                         subkey.data()) != 0)
    return auth_failed;
  const uint64_t plain_len = load_le64(len_bytes);
  if (plain_len > kBlobMaxPlaintextBytes || blob_padded_bytes(plain_len) != padded_len)
    return Status{Code::kCorrupt, "sealed attachment has a malformed length"};

  Turns turns;
  uint64_t next_chunk = 0;  // guarded by turns.mu

  auto body = [&] {
    SecretBuffer buf(kBatchBytes);
    std::vector<ChunkRef> chunks;
    chunks.reserve(kBlobBatchChunks);
    for (;;) {
      chunks.clear();
      uint64_t seq = 0;
      {
        std::lock_guard lock(turns.mu);
        if (turns.stop || next_chunk == n_data) return;
        seq = turns.next_take++;
        std::size_t used = 0;
        while (chunks.size() < kBlobBatchChunks && next_chunk < n_data) {
          const uint64_t off = next_chunk * kBlobChunkBytes;
          const auto len = static_cast<std::size_t>(std::min<uint64_t>(kBlobChunkBytes, padded_len - off));
          chunks.push_back({used, len, next_chunk, kFlagData, off});
          used += len + kBlobTagBytes;
          ++next_chunk;
        }
      }
      // Chunks sit contiguously in the file, so one batch is one read.
      const ChunkRef& last = chunks.back();
      const std::size_t bytes = last.offset + last.pt_len + kBlobTagBytes;
      const uint64_t file_off = kBlobHeaderBytes + chunks.front().counter * kChunkStride;
      const ssize_t r = pread_full(in_fd, buf.data(), bytes, file_off);
      std::optional<Status> bad;
      if (r < 0) {
        bad = io_error("cannot read the sealed attachment", static_cast<int>(-r));
      } else if (static_cast<std::size_t>(r) != bytes) {
        bad = Status{Code::kIo, "the sealed attachment changed while it was read"};
      } else {
        for (const ChunkRef& c : chunks) {
          uint8_t n[kBlobNonceBytes];
          make_nonce(n, c.counter, c.flag);
          uint8_t* p = buf.data() + c.offset;
          if (crypto_aead_chacha20poly1305_ietf_decrypt_detached(p, nullptr, p, c.pt_len,
                                                                 p + c.pt_len, nullptr, 0, n,
                                                                 subkey.data()) != 0) {
            bad = auth_failed;
            break;
          }
          // Padding must be zero: one padded length, one encoding.
          const uint64_t data_end = std::clamp(plain_len, c.payload_off, c.payload_off + c.pt_len);
          const auto data = static_cast<std::size_t>(data_end - c.payload_off);
          if (!sodium_is_zero(p + data, c.pt_len - data)) {
            bad = Status{Code::kCorrupt, "sealed attachment has nonzero padding"};
            break;
          }
        }
      }
      std::unique_lock lock(turns.mu);
      if (!turns.wait_turn(lock, seq)) return;
      if (bad) {  // nothing of this batch is released
        turns.fail(std::move(*bad));
        return;
      }
      lock.unlock();
      int err = 0;
      if (out_fd >= 0) {
        for (const ChunkRef& c : chunks) {
          if (c.payload_off >= plain_len) break;
          const auto data = static_cast<std::size_t>(
              std::min<uint64_t>(c.pt_len, plain_len - c.payload_off));
          if ((err = write_full(out_fd, buf.data() + c.offset, data)) != 0) break;
        }
      }
      lock.lock();
      if (err != 0) {
        turns.fail(io_error("cannot write the attachment", err));
        return;
      }
      turns.done_writing(lock);
    }
  };
  run_threads(threads, body);
  if (turns.error) return *turns.error;

  struct stat st1 {};
  if (::fstat(in_fd, &st1) != 0) return io_error("cannot read the sealed attachment", errno);
  if (static_cast<uint64_t>(st1.st_size) != file_bytes)
    return Status{Code::kIo, "the sealed attachment changed while it was read"};
  return BlobInfo{plain_len, file_bytes};
}

}  // namespace

Result<BlobInfo> blob_open(int in_fd, int out_fd, const SecretBuffer& key,
                           std::span<const uint8_t> ad, int threads) {
  if (out_fd < 0) return Status{Code::kInvalidInput, "no output for the attachment"};
  return open_stream(in_fd, out_fd, key, ad, threads);
}

Result<BlobInfo> blob_check(int in_fd, const SecretBuffer& key, std::span<const uint8_t> ad) {
  return open_stream(in_fd, -1, key, ad, 2);
}

}  // namespace fieldnotes::crypto
