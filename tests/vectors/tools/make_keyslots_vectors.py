#!/usr/bin/env python3
"""Writes tests/vectors/keyslots/ (docs/FORMAT.md, "keyslots", version 2.1) from the version-1
vector `version_1_good`, whose master key and epoch KEK are known.

An implementation of the format independent of vault/keyslots.cpp: the MAC key is libsodium's
crypto_kdf (BLAKE2b with salt = subkey id, personal = context), the MAC keyed BLAKE2b-256, the
checksum unkeyed BLAKE2b-256. Slots are carried over from version 1 unchanged, as a migration
does. Run from the repository root: python3 tests/vectors/tools/make_keyslots_vectors.py
"""
import hashlib
import os
import struct

DIR = os.path.join(os.path.dirname(__file__), "..", "keyslots")
HEADER_V1 = 30
SLOT, EPOCH, MAC, SUM = 102, 76, 32, 32


def load(name):
    with open(os.path.join(DIR, name)) as f:
        head, hexbytes = f.read().split("\n\n", 1)
    headers = dict(line.split(": ", 1) for line in head.splitlines())
    return headers, bytes.fromhex("".join(hexbytes.split()))


def mac_key(master):
    salt = struct.pack("<Q", 5) + bytes(8)          # Subkey::kKeyslotsMac
    person = b"fnvault1" + bytes(8)
    return hashlib.blake2b(b"", digest_size=32, key=master, salt=salt, person=person).digest()


def checksum(b):
    return hashlib.blake2b(b, digest_size=32).digest()


AUDIT_SEQ = 42                      # the generation of "good": audit entry 42 and its chain value
AUDIT_CHAIN = bytes(range(0xA0, 0xC0))


def v2(body_after_header, prefix, sequence, master, major=2, mac_ok=True, sum_ok=True, minor=1):
    """prefix: magic..vault_id of version 1 (28 bytes); body: counts, slots, epochs.
    Minor 1 (the current one) carries the generation after the sequence number; minor 0 not."""
    head = prefix[:8] + bytes([major, minor]) + prefix[10:28] + struct.pack("<Q", sequence)
    if minor >= 1:
        head += struct.pack("<Q", AUDIT_SEQ) + AUDIT_CHAIN
    body = head + body_after_header
    mac = hashlib.blake2b(body, digest_size=32, key=mac_key(master)).digest()
    if not mac_ok:
        mac = bytes([mac[0] ^ 1]) + mac[1:]
    out = body + mac
    s = checksum(out)
    if not sum_ok:
        s = bytes([s[0] ^ 1]) + s[1:]
    return out + s


def write(name, expect, comment, data, headers, generation=False):
    lines = [f"expect: {expect}", f"passphrase: {headers['passphrase']}"]
    if expect == "ok":
        lines += [f"master-key: {headers['master-key']}", f"epoch-1-kek: {headers['epoch-1-kek']}"]
    if generation:
        lines += [f"audit-seq: {AUDIT_SEQ}", f"audit-chain: {AUDIT_CHAIN.hex()}"]
    lines.append(f"comment: {comment}")
    hexs = data.hex()
    body = "\n".join(hexs[i:i + 64] for i in range(0, len(hexs), 64))
    with open(os.path.join(DIR, name), "w") as f:
        f.write("\n".join(lines) + "\n\n" + body + "\n")


def main():
    headers, old = load("version_1_good")
    master = bytes.fromhex(headers["master-key"])
    prefix, rest = old[:28], old[28:-MAC]          # rest: n_slots, n_epochs, slots, epochs
    seq = 7
    good = v2(rest, prefix, seq, master)
    write("good", "ok", "version 2.1, test profile; one passphrase slot, one recovery slot, epoch 1, sequence 7, "
          "generation: audit entry 42", good, headers, generation=True)
    write("good_minor_0", "ok", "version 2.0 (before the generation): still read; rewritten as 2.1 by the next write",
          v2(rest, prefix, seq, master, minor=0), headers)

    def resum(b):
        return b[:-SUM] + checksum(b[:-SUM])

    def patched(at, new):
        b = bytearray(good)
        b[at:at + len(new)] = new
        return resum(bytes(b))

    slot0 = 38 + 40                                 # header, then the generation
    write("checksum_bad", "corrupt", "one bit of the checksum flipped: a damaged copy, never a wrong passphrase",
          v2(rest, prefix, seq, master, sum_ok=False), headers)
    write("byte_flipped", "corrupt", "one byte of the sealed master key flipped: the checksum says damaged before any KDF",
          good[:slot0 + 40] + bytes([good[slot0 + 40] ^ 0x5a]) + good[slot0 + 41:], headers)
    write("mac_bad", "corrupt", "the MAC does not verify (the slot opens; the copy was modified and its checksum recomputed)",
          v2(rest, prefix, seq, master, mac_ok=False), headers)
    write("major_version_3", "unsupported", "an unknown major version with a valid checksum is refused before any KDF",
          v2(rest, prefix, seq, master, major=3), headers)
    write("magic_bad", "corrupt", "not a fieldnotes key-slot file", resum(b"fnkslotX" + good[8:]), headers)
    write("flags_unknown", "corrupt", "unknown flag bits", patched(10, b"\x03\x00"), headers)
    write("no_slots", "corrupt", "slot count 0", patched(76, b"\x00"), headers)
    write("truncated", "corrupt", "one byte short (checksum over the rest)", resum(good[:-SUM - 1] + good[-SUM:]), headers)
    write("trailing_data", "corrupt", "one byte of trailing data after the checksum", good + b"\x00", headers)
    write("kdf_memory_huge", "unsupported", "4 TiB Argon2id memory: refused before any KDF",
          patched(slot0 + 6, struct.pack("<Q", 1 << 42)), headers)
    write("kdf_downgraded", "unsupported", "ops 2, 64 MiB: below the moderate floor and not the exact test profile",
          patched(slot0 + 2, struct.pack("<IQ", 2, 64 << 20)), headers)
    write("kdf_unknown", "unsupported", "KDF id 2 is not defined", patched(slot0 + 1, b"\x02"), headers)
    write("salt_modified", "wrong-key", "a modified salt with the checksum recomputed: the sealed master key does not open",
          patched(slot0 + 14, bytes([good[slot0 + 14] ^ 1])), headers)
    write("vault_id_modified", "wrong-key", "the vault id is associated data of every slot (checksum recomputed)",
          patched(12, bytes([good[12] ^ 1])), headers)
    write("empty", "corrupt", "an empty file", b"", headers)


if __name__ == "__main__":
    main()
