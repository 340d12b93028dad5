#!/usr/bin/env python3
"""The key-slot copies under damage, crashes and races, through the built binary (issue 9).

Crashes are real: strace kills the process at the Nth call of a file-system system call
(`-e inject=SYSCALL:signal=KILL:when=N`), or slows one call by a second while panic runs.
Run: FIELDNOTES_BIN=build/cli/fieldnotes python3 -m unittest tests/cli/test_keyslots.py
"""
import glob
import hashlib
import json
import os
import shutil
import subprocess
import threading
import time
import unittest

from test_cli import Cli, PASS, snapshot

# The calls of a key-slot write (and of the commands around it) where a crash can land.
CALLS = ("fsync", "rename", "unlink", "link")
PASS2, PASS3 = b"second passphrase here\n", b"third passphrase here\n"


def strace_kill(call, n):
    return ["strace", "-f", "-qq", "-o", "/dev/null", "-e", "trace=%s" % call,
            "-e", "inject=%s:signal=KILL:when=%d" % (call, n)]


def strace_slow(call, micros=1000000):
    return ["strace", "-f", "-qq", "-o", "/dev/null", "-e", "trace=%s" % call,
            "-e", "inject=%s:delay_enter=%d" % (call, micros)]


def keyslot_files(vault):
    return sorted(p for p in glob.glob(os.path.join(vault, "keyslots*")) if os.path.isfile(p))


def names(vault):
    return sorted(os.listdir(vault))


class KeySlotCopies(Cli):
    """Damage: any single byte, anywhere, still opens; damage is never 'wrong passphrase'."""

    def setUp(self):
        super().setUp()
        self.recovery = self.init().encode() + b"\n"
        self.add("body one")

    def test_both_copies_present_and_identical(self):
        files = keyslot_files(self.vault)
        self.assertEqual([os.path.basename(f) for f in files], ["keyslots", "keyslots.2"])
        with open(files[0], "rb") as a, open(files[1], "rb") as b:
            self.assertEqual(a.read(), b.read())

    def test_a_flipped_byte_anywhere_in_either_copy_still_opens(self):
        for path in keyslot_files(self.vault):
            with open(path, "rb") as f:
                good = f.read()
            for i in range(len(good)):
                bad = bytearray(good)
                bad[i] ^= 0x5a
                with open(path, "wb") as f:
                    f.write(bad)
                p = self.run_fn(["list", "--json"])
                self.assertEqual(p.returncode, 0, "%s byte %d: %s" % (path, i, p.stderr.decode()))
                self.assertIn(b"verify --repair", p.stderr)
                if i % 16 == 0:  # the recovery key too (sampled: same code path)
                    q = self.run_fn(["list"], passphrase=None, fds={"--recovery-key-fd": self.recovery})
                    self.assertEqual(q.returncode, 0, q.stderr.decode())
                with open(path, "rb") as f:
                    self.assertEqual(f.read(), bytes(bad), "an open rewrote a damaged copy")
            with open(path, "wb") as f:
                f.write(good)

    def test_verify_names_the_damaged_copy_and_repair_rewrites_it(self):
        path = os.path.join(self.vault, "keyslots.2")
        with open(path, "r+b") as f:
            f.seek(100)
            b = f.read(1)
            f.seek(100)
            f.write(bytes([b[0] ^ 1]))
        p = self.run_fn(["verify"])
        self.assertEqual(p.returncode, 3)
        self.assertIn(b"keyslots.2: damaged", p.stdout)
        p = self.ok(["verify", "--repair"])
        self.assertIn(b"REPAIRED\tkeyslots.2: damaged", p.stdout)
        self.assertEqual(self.ok(["verify"]).stdout.count(b"FAILED"), 0)
        with open(path, "rb") as a, open(os.path.join(self.vault, "keyslots"), "rb") as b:
            self.assertEqual(a.read(), b.read())

    def test_the_next_key_slot_write_rewrites_a_damaged_copy(self):
        os.remove(os.path.join(self.vault, "keyslots"))
        self.ok(["passwd"], fds={"--new-passphrase-fd": PASS2})
        self.assertEqual(len(keyslot_files(self.vault)), 2)
        self.assertEqual(self.run_fn(["list"], passphrase=PASS2).stderr.count(b"verify --repair"), 0)

    def test_bad_key_slot_files_say_which_and_change_nothing(self):
        files = keyslot_files(self.vault)
        goods = {}
        for f in files:
            with open(f, "rb") as fh:
                goods[f] = fh.read()
        size = len(goods[files[0]])

        def both(a, b, expect_code, expect_text):
            with open(files[0], "wb") as f:
                f.write(a)
            with open(files[1], "wb") as f:
                f.write(b)
            before = snapshot(self.vault)
            p = self.run_fn(["list"])
            self.assertEqual(p.returncode, expect_code, p.stderr.decode())
            self.assertIn(expect_text, p.stderr.decode())
            self.assertNotIn("wrong passphrase", p.stderr.decode())
            self.assertEqual(snapshot(self.vault), before)

        good = goods[files[0]]
        both(b"", b"", 3, "damaged")
        for n in range(0, size):  # truncated at every length
            both(good[:n], good[:n], 3, "damaged")
        for i in range(0, size, 5):  # damaged differently
            a, b = bytearray(good), bytearray(good)
            a[i] ^= 1
            b[(i * 7 + 3) % size] ^= 0x80
            both(bytes(a), bytes(b), 3, "damaged")
        newer = bytearray(good)
        newer[8] = 3  # a newer major version, with its checksum recomputed
        newer = bytes(newer[:-32]) + hashlib.blake2b(bytes(newer[:-32]), digest_size=32).digest()
        both(newer, newer, 3, "not supported")
        both(newer, good[:10], 3, "not supported")
        for f in files:
            with open(f, "wb") as fh:
                fh.write(goods[f])
        self.ok(["list"])


class WithPristineVault(Cli):
    """A vault with one record, and a copy of it to start each trial from."""

    def setUp(self):
        super().setUp()
        self.recovery = self.init().encode() + b"\n"
        self.add("body one")
        self.pristine = os.path.join(self.tmp, "pristine")
        shutil.copytree(self.vault, self.pristine)

    def reset_vault(self):
        shutil.rmtree(self.vault)
        shutil.copytree(self.pristine, self.vault)


class KeySlotCrashes(WithPristineVault):
    """A crash at every write point, and two in a row, never leaves the vault unopenable."""


    def assert_killed(self, p, call, n, renames=2):
        """The crash happened where asked: every command here makes at least four fsync calls
        and `renames` rename calls; link is no longer used by any key-slot write (version 1
        used it)."""
        if (call == "fsync" and n <= 2) or (call == "rename" and n <= renames):
            self.assertEqual(p.returncode, -9, "not killed at %s #%d: %s" % (call, n, p.stderr.decode()))

    def opens_with(self, secrets_):
        for s in secrets_:
            if self.run_fn(["list"], passphrase=s).returncode == 0:
                return s
        return None

    def test_passwd_killed_then_a_second_passwd_killed(self):
        for call in CALLS:
            for n in (1, 2):
                self.reset_vault()
                k = self.run_fn(["passwd"], fds={"--new-passphrase-fd": PASS2}, prefix=strace_kill(call, n))
                self.assert_killed(k, call, n)
                # The second passwd is given whichever passphrase opens now.
                now = self.opens_with([PASS, PASS2])
                self.assertIsNotNone(now, "after passwd killed at %s #%d" % (call, n))
                self.run_fn(["passwd"], passphrase=now, fds={"--new-passphrase-fd": PASS3},
                            prefix=strace_kill("rename", 1))
                self.assertIsNotNone(self.opens_with([PASS, PASS2, PASS3]),
                                     "after passwd killed at %s #%d, then at rename #1" % (call, n))
                self.assertEqual(self.ok(["show", "1"], passphrase=self.opens_with([PASS, PASS2, PASS3])).stdout.strip()[-8:], b"body one")

    def test_recovery_reset_killed_leaves_the_old_or_the_printed_key(self):
        for call in CALLS:
            for n in (1, 2, 3):
                self.reset_vault()
                p = self.run_fn(["recovery", "--reset"], prefix=strace_kill(call, n))
                self.assert_killed(p, call, n)
                printed = p.stdout.strip()
                keys = [self.recovery] + ([printed + b"\n"] if printed else [])
                works = [k for k in keys
                         if self.run_fn(["list"], passphrase=None, fds={"--recovery-key-fd": k}).returncode == 0]
                self.assertTrue(works, "recovery --reset killed at %s #%d (printed: %r)" % (call, n, bool(printed)))

    def test_shred_killed_leaves_the_same_files_and_a_clean_verify(self):
        self.add("body two")
        shutil.rmtree(self.pristine)
        shutil.copytree(self.vault, self.pristine)
        # pwrite64 #1: the transaction's journal is killed before it is hot (a stale journal).
        for call in CALLS + ("pwrite64",):
            for n in (1, 2, 3, 4):
                self.reset_vault()
                before = names(self.vault)
                k = self.run_fn(["shred", "2", "--yes"], prefix=strace_kill(call, n))
                self.assert_killed(k, call, n)
                self.ok(["list"])
                self.assertEqual(names(self.vault), before, "shred killed at %s #%d" % (call, n))
                p = self.run_fn(["verify"])
                self.assertEqual(p.returncode, 0, "shred killed at %s #%d: %s" % (call, n, p.stdout.decode()))

    def test_receive_killed_then_received_again(self):
        bob = os.path.join(self.tmp, "bob")
        self.ok(["init", "--kdf-profile", "test", "--vault", bob], vault=False)
        b_id = json.loads(self.run_fn(["identity", "show", "--json", "--vault", bob], vault=False).stdout)
        self.ok(["contact", "add", "Bob", "--age", b_id["age"]])
        memo = os.path.join(self.tmp, "memo.bin")
        with open(memo, "wb") as f:
            f.write(os.urandom(5000))
        self.ok(["attach", "1", memo])
        bundle = os.path.join(self.tmp, "b.age")
        self.ok(["share", "1", "--to", "Bob", "-o", bundle, "--full", "--confirm-full",
                 "--include-uncleaned", "other"])
        bob_pristine = os.path.join(self.tmp, "bob-pristine")
        shutil.copytree(bob, bob_pristine)
        for call in CALLS:
            for n in (1, 2, 3):
                shutil.rmtree(bob)
                shutil.copytree(bob_pristine, bob)
                k = self.run_fn(["receive", bundle, "--accept-signer", "Alice", "--vault", bob], vault=False,
                                prefix=strace_kill(call, n))
                self.assert_killed(k, call, n, renames=1)
                listed = json.loads(self.run_fn(["list", "--json", "--vault", bob], vault=False).stdout)
                if not listed:  # nothing committed: it can be received again
                    p = self.run_fn(["receive", bundle, "--accept-signer", "Alice", "--vault", bob], vault=False)
                    self.assertEqual(p.returncode, 0, "receive killed at %s #%d: %s" % (call, n, p.stderr.decode()))
                shown = json.loads(self.run_fn(["show", "1", "--json", "--vault", bob], vault=False).stdout)
                self.assertEqual(len(shown["attachments"]), 1, "receive killed at %s #%d" % (call, n))
                p = self.run_fn(["verify", "--vault", bob], vault=False)
                self.assertEqual(p.returncode, 0, "receive killed at %s #%d: %s" % (call, n, p.stdout.decode()))


class PanicRaces(WithPristineVault):
    """panic wins against a key-slot write in flight, slowed by a second at any call."""

    def race(self, args, call, fds, delay, micros=1000000):
        self.reset_vault()
        result = {}
        t = threading.Thread(target=lambda: result.setdefault(
            "p", self.run_fn(args, fds=fds, prefix=strace_slow(call, micros))))
        t.start()
        time.sleep(delay)
        started = time.monotonic()
        p = self.run_fn(["panic", "--yes"], passphrase=None)
        took = time.monotonic() - started
        t.join()
        if os.environ.get("FIELDNOTES_TEST_VERBOSE"):
            print(args[0], call, delay, "writer:", result["p"].returncode, "panic took %.2fs" % took)
        self.assertEqual(p.returncode, 0, p.stderr.decode())
        for s in (PASS, PASS2):
            q = self.run_fn(["list"], passphrase=s)
            self.assertEqual(q.returncode, 2, "%s slowed at %s: opened after panic" % (args[0], call))
        q = self.run_fn(["list"], passphrase=None, fds={"--recovery-key-fd": self.recovery})
        self.assertEqual(q.returncode, 2)
        self.assertEqual(keyslot_files(self.vault), [])
        return result["p"].returncode, took

    def test_panic_during_a_slowed_passwd(self):
        outcomes = []
        for call in CALLS:
            for delay in (0.3, 1.2):
                outcomes.append(self.race(["passwd"], call, {"--new-passphrase-fd": PASS2}, delay))
        # The races were real: some writers were killed by panic (-9) or refused its marker (2).
        self.assertTrue(any(code in (-9, 2) for code, _ in outcomes), outcomes)

    def test_panic_during_a_slowed_recovery_reset(self):
        outcomes = [self.race(["recovery", "--reset"], call, None, 0.5) for call in CALLS]
        self.assertTrue(any(code in (-9, 2) for code, _ in outcomes), outcomes)

    def test_panic_kills_a_writer_stuck_inside_a_key_slot_write(self):
        # Each fsync takes 4 s: the writer holds the key-slot write lock far past panic's grace.
        code, took = self.race(["passwd"], "fsync", {"--new-passphrase-fd": PASS2}, 0.3, micros=4000000)
        self.assertEqual(code, -9)
        # Killed at the grace of 1.5 s; a tracee held inside strace's delay dies when it ends.
        self.assertLess(took, 6)

    def test_panic_alone_is_quick_and_needs_no_passphrase(self):
        started = time.monotonic()
        self.ok(["panic", "--yes"], passphrase=None)
        self.assertLess(time.monotonic() - started, 1.0)
        self.assertTrue(os.path.exists(os.path.join(self.vault, "destroyed")))
        # A copy put back by hand does not bring the vault back while the marker is there.
        shutil.copy(os.path.join(self.pristine, "keyslots"), os.path.join(self.vault, "keyslots"))
        self.assertEqual(self.run_fn(["list"]).returncode, 2)
        # A panic cut short (marker written, a copy left): panic again destroys it.
        p = self.ok(["panic", "--yes"], passphrase=None)
        self.assertIn(b"already destroyed", p.stderr)
        self.assertEqual(keyslot_files(self.vault), [])


if __name__ == "__main__":
    unittest.main()
