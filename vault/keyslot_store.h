// The key-slot data on disk: two copies (`keyslots`, `keyslots.2`), which one is current, the
// protocol that writes them, and panic's destruction of both. Format and protocol:
// docs/FORMAT.md, "Key-slot copies".
//
// Any single damaged byte, anywhere, leaves the other copy to open the vault; a crash at any
// point of a write leaves at least one whole copy that opens with the old or the new secret; and
// once panic's marker exists no write can bring a copy back.
//
// Thread-safety: used by one thread of the process that holds the vault lock.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "crypto/secret.h"
#include "vault/keyslots.h"

namespace fieldnotes::vault {

// One copy as found on disk.
struct SlotCopy {
  std::string name;                   // file name in the vault directory
  Status state;                       // ok, or kNotFound, kCorrupt (damaged), kUnsupported
  std::vector<uint8_t> bytes;
  std::optional<KeyslotFile> file;    // when state is ok
  bool authentic = false;             // its MAC verified under the vault's master key
};

class KeyslotStore {
 public:
  // Reads both copies before any KDF. kDestroyed when panic's marker is present or no copy
  // exists; kUnsupported when no copy is usable and one is of a newer version; kCorrupt when
  // every copy is damaged (the message names each and why).
  static Result<KeyslotStore> load(const std::filesystem::path& dir);
  // A vault being created: both copies missing.
  static KeyslotStore empty(const std::filesystem::path& dir);

  // Says whether a master key and the copy it came from belong to this vault's database
  // (ok), or not (an error, returned if no other copy does better).
  using Acceptor = std::function<Status(const crypto::SecretBuffer& master, const KeyslotFile& copy)>;

  // Opens the master key from the newest copy whose slot of `kind` accepts `secret` (Argon2id
  // runs once per distinct slot), then authenticates every copy with it and makes the newest
  // authentic one current, once `accept` agrees. kWrongKey only when well-formed slots
  // rejected the secret.
  Result<crypto::SecretBuffer> unlock(SlotKind kind, std::span<const uint8_t> secret, const Acceptor& accept);

  // REQUIRES: unlock succeeded.
  const KeyslotFile& current() const { return copies_[current_].file.value(); }

  // Copies that are not the current data, each as "NAME: why". Empty when both are current.
  std::vector<std::string> problems() const;
  // True when a copy is authentic but older than the current one (an interrupted write) or
  // the data is still version 1: such a copy can hold a retired passphrase or epoch key, so
  // it is rewritten as soon as the vault opens.
  bool holds_retired_data() const;
  // True when a copy is damaged, missing or foreign (rewritten by the next write or repair).
  bool has_damaged_copy() const;

  // Writes `next` to both copies by the protocol of docs/FORMAT.md, with its sequence number
  // raised above every copy's, and makes it current. kDestroyed (nothing written) once panic's
  // marker exists. REQUIRES: the caller holds the vault lock on `lock_fd`.
  Status write(KeyslotFile& next, const crypto::SecretBuffer& master, int lock_fd);

  const std::vector<SlotCopy>& copies() const { return copies_; }

 private:
  std::filesystem::path dir_;
  std::vector<SlotCopy> copies_;   // [0] keyslots, [1] keyslots.2
  std::size_t current_ = 0;
};

// Removes what interrupted key-slot writes leave: temp copies and version 1's `keyslots.old`,
// overwritten with random bytes first (they may hold a retired epoch key) unless they are a
// link to a live copy. Appends a note per file removed to `removed`.
Status scrub_keyslot_leftovers(const std::filesystem::path& dir, std::vector<std::string>* removed);

// panic: leaves the destroyed marker, overwrites and unlinks every copy and temp copy, then
// waits for a key-slot write in flight (killing its process if it does not finish within
// `grace`) and destroys again. Needs no secret.
Status destroy_key_slots(const std::filesystem::path& dir, std::chrono::milliseconds grace);

// True when panic's marker is in `dir`.
bool destroyed_marker_present(const std::filesystem::path& dir);

}  // namespace fieldnotes::vault
