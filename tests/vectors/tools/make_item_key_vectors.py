#!/usr/bin/env python3
"""Writes tests/vectors/item_key/ (docs/FORMAT.md, "Wrapped item keys") and prints the block of
docs/FORMAT.md that shows the good ones.

An implementation of the wrapping independent of vault/item_key.cpp and of libsodium:
XChaCha20-Poly1305 (HChaCha20, then the ChaCha20-Poly1305 of RFC 8439) in plain Python. The keys
chain with the other vectors: the KEK is the epoch-1 KEK of tests/vectors/keyslots/good, and the
record's item key is the record key of tests/vectors/envelope/record_body.
Run from the repository root: python3 tests/vectors/tools/make_item_key_vectors.py
"""
import os
import struct

DIR = os.path.join(os.path.dirname(__file__), "..", "item_key")
MASK = 0xFFFFFFFF


def rotl(v, c):
    return ((v << c) & MASK) | (v >> (32 - c))


def quarter_round(s, a, b, c, d):
    s[a] = (s[a] + s[b]) & MASK; s[d] = rotl(s[d] ^ s[a], 16)
    s[c] = (s[c] + s[d]) & MASK; s[b] = rotl(s[b] ^ s[c], 12)
    s[a] = (s[a] + s[b]) & MASK; s[d] = rotl(s[d] ^ s[a], 8)
    s[c] = (s[c] + s[d]) & MASK; s[b] = rotl(s[b] ^ s[c], 7)


def twenty_rounds(s):
    for _ in range(10):
        for a, b, c, d in ((0, 4, 8, 12), (1, 5, 9, 13), (2, 6, 10, 14), (3, 7, 11, 15),
                           (0, 5, 10, 15), (1, 6, 11, 12), (2, 7, 8, 13), (3, 4, 9, 14)):
            quarter_round(s, a, b, c, d)


CONSTANTS = [0x61707865, 0x3320646E, 0x79622D32, 0x6B206574]


def words(b):
    return list(struct.unpack("<%dI" % (len(b) // 4), b))


def chacha20_block(key, counter, nonce12):
    state = CONSTANTS + words(key) + [counter] + words(nonce12)
    s = list(state)
    twenty_rounds(s)
    return struct.pack("<16I", *[(x + y) & MASK for x, y in zip(s, state)])


def hchacha20(key, nonce16):
    s = CONSTANTS + words(key) + words(nonce16)
    twenty_rounds(s)
    return struct.pack("<8I", *(s[0:4] + s[12:16]))


def poly1305(key, msg):
    r = int.from_bytes(key[:16], "little") & 0x0FFFFFFC0FFFFFFC0FFFFFFC0FFFFFFF
    s = int.from_bytes(key[16:], "little")
    p = (1 << 130) - 5
    acc = 0
    for i in range(0, len(msg), 16):
        acc = (acc + int.from_bytes(msg[i:i + 16] + b"\x01", "little")) * r % p
    return ((acc + s) % (1 << 128)).to_bytes(16, "little")


def pad16(b):
    return bytes(-len(b) % 16)


def xchacha20poly1305_seal(key, nonce24, plaintext, ad):
    subkey = hchacha20(key, nonce24[:16])
    nonce12 = bytes(4) + nonce24[16:]
    stream = b"".join(chacha20_block(subkey, 1 + i, nonce12) for i in range((len(plaintext) + 63) // 64))
    ciphertext = bytes(x ^ y for x, y in zip(plaintext, stream))
    one_time_key = chacha20_block(subkey, 0, nonce12)[:32]
    mac_data = ad + pad16(ad) + ciphertext + pad16(ciphertext) + struct.pack("<QQ", len(ad), len(ciphertext))
    return ciphertext + poly1305(one_time_key, mac_data)


def item_key_ad(table, uuid, epoch):
    return b"fieldnotes item key v1\x00" + table.encode() + b"\x00" + uuid.encode() + struct.pack("<I", epoch)


def wrap(kek, table, uuid, epoch, item_key, nonce):
    return b"\x01" + nonce + xchacha20poly1305_seal(kek, nonce, item_key, item_key_ad(table, uuid, epoch))


def lines64(h):
    return [h[i:i + 64] for i in range(0, len(h), 64)]


def write(name, expect, comment, v, data):
    lines = [f"expect: {expect}", f"kek: {v['kek'].hex()}", f"table: {v['table']}", f"uuid: {v['uuid']}",
             f"epoch: {v['epoch']}"]
    if expect == "ok":
        lines += [f"item-key: {v['item_key'].hex()}", f"nonce: {v['nonce'].hex()}",
                  f"ad: {item_key_ad(v['table'], v['uuid'], v['epoch']).hex()}"]
    lines.append(f"comment: {comment}")
    with open(os.path.join(DIR, name), "w") as f:
        f.write("\n".join(lines) + "\n\n" + "\n".join(lines64(data.hex())) + "\n")


def markdown(name, v, data):
    """The block of docs/FORMAT.md: "name: value" lines, long hex values continued on indented lines."""
    out = [f"vector: {name}"]
    fields = [("kek", v["kek"].hex()), ("table", v["table"]), ("uuid", v["uuid"]), ("epoch", str(v["epoch"])),
              ("item-key", v["item_key"].hex()), ("nonce", v["nonce"].hex()),
              ("ad", item_key_ad(v["table"], v["uuid"], v["epoch"]).hex()), ("wrapped", data.hex())]
    for key, value in fields:
        parts = lines64(value) if len(value) > 64 else [value]
        out.append(f"{key}: {parts[0]}")
        out += [f"  {p}" for p in parts[1:]]
    return "\n".join(out)


def main():
    os.makedirs(DIR, exist_ok=True)
    record = {"kek": bytes(range(0x40, 0x60)), "table": "records", "uuid": "00112233445566778899aabbccddeeff",
              "epoch": 1, "item_key": bytes(range(0x80, 0xA0)), "nonce": bytes(range(0x60, 0x78))}
    person = {"kek": bytes(range(0x40, 0x60)), "table": "people", "uuid": "ffeeddccbbaa99887766554433221100",
              "epoch": 7, "item_key": bytes(range(0xA0, 0xC0)), "nonce": bytes(range(0x78, 0x90))}
    good_record = wrap(**{k: record[k] for k in ("kek", "table", "uuid", "epoch", "item_key", "nonce")})
    good_person = wrap(**{k: person[k] for k in ("kek", "table", "uuid", "epoch", "item_key", "nonce")})
    write("good_record", "ok", "a record's key under the epoch-1 KEK of keyslots/good, nonce 60..77", record, good_record)
    write("good_person", "ok", "a person's key under epoch 7, nonce 78..8f", person, good_person)
    write("version_2", "unsupported", "an unknown version byte", record, b"\x02" + good_record[1:])
    write("other_table", "corrupt", "a record's wrapped key presented as a person's: the table is in the associated data",
          dict(record, table="people"), good_record)
    write("other_uuid", "corrupt", "the wrapped key of another record (swapped rows)",
          dict(record, uuid=person["uuid"]), good_record)
    write("other_epoch", "corrupt", "the row's epoch changed: the epoch is in the associated data",
          dict(record, epoch=2), good_record)
    write("other_kek", "corrupt", "under another KEK (the one a shred replaced)",
          dict(record, kek=bytes(range(0x41, 0x61))), good_record)
    write("tag_bad", "corrupt", "one bit of the tag flipped", record, good_record[:-1] + bytes([good_record[-1] ^ 1]))
    write("truncated", "corrupt", "version and nonce only", record, good_record[:25])
    write("empty", "unsupported", "no bytes: no version", record, b"")
    print("```\n" + markdown("good_record", record, good_record) + "\n\n" + markdown("good_person", person, good_person) + "\n```")


if __name__ == "__main__":
    main()
