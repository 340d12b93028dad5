#!/usr/bin/env python3
"""Prints the block of docs/FORMAT.md, "Subkey vectors": every subkey of the master key of
tests/vectors/keyslots/good.

An implementation of the derivation independent of crypto/kdf.cpp and of libsodium: crypto_kdf
is BLAKE2b-256 keyed with the master key, over the empty message, with salt = le64(id) || 0^8
and personal = context || 0^8 (Python's hashlib). Run from the repository root:
python3 tests/vectors/tools/make_subkey_vectors.py
"""
import hashlib
import os
import struct

GOOD = os.path.join(os.path.dirname(__file__), "..", "keyslots", "good")
CONTEXT = b"fnvault1"
# crypto/kdf.h, enum class Subkey: never reused or renumbered.
SUBKEYS = [(1, "database"), (2, "audit MAC"), (3, "identity"), (4, "epoch wrap"), (5, "key-slot file MAC"),
           (6, "audit sealing"), (7, "contacts"), (8, "seen bundles")]


def master_key():
    with open(GOOD) as f:
        head = f.read().split("\n\n", 1)[0]
    headers = dict(line.split(": ", 1) for line in head.splitlines())
    return bytes.fromhex(headers["master-key"])


def subkey(master, number):
    salt = struct.pack("<Q", number) + bytes(8)
    person = CONTEXT + bytes(16 - len(CONTEXT))
    return hashlib.blake2b(b"", digest_size=32, key=master, salt=salt, person=person).digest()


def main():
    master = master_key()
    print("vector: keyslots/good")
    print("master-key: " + master.hex())
    print("context: " + CONTEXT.decode())
    for number, _ in SUBKEYS:
        print(f"id {number}: " + subkey(master, number).hex())


if __name__ == "__main__":
    main()
