#!/usr/bin/env python3
"""Crash and fault harness (issue 11, Deliver 4, first step): each writing command is killed at
every fsync, rename, write, pwrite64 and unlink it makes in turn, and separately given ENOSPC
and EIO at each write and fsync, through strace (`-e inject=CALL:signal=KILL:when=N`,
`-e inject=CALL:error=ERR:when=N`). After each point the vault must open with the old or the new
secret, `verify` must exit 0, every record committed before must read byte-identical, the
interrupted change must be whole or absent, and no temp file may be left; an injected error
must end in exit 0 or 5, never a crash or another code.

The figures (points reached per command) are printed and recorded in docs/RELIABILITY.md.
Run: FIELDNOTES_BIN=build/cli/fieldnotes python3 -m unittest tests/cli/test_crash_harness.py
"""
import json
import os
import shutil
import sys
import unittest

from test_cli import Cli, PASS

PASS2 = b"a new passphrase for the harness\n"
KILL_CALLS = ("fsync", "fdatasync", "rename", "write", "pwrite64", "unlink")
FAULTS = (("write", "ENOSPC"), ("pwrite64", "ENOSPC"), ("write", "EIO"), ("pwrite64", "EIO"),
          ("fsync", "EIO"), ("fdatasync", "EIO"))
MAX_N = int(os.environ.get("FIELDNOTES_HARNESS_MAX_N", "14"))


def strace(call, action, n):
    return ["strace", "-f", "-qq", "-o", "/dev/null", "-e", "trace=%s" % call,
            "-e", "inject=%s:%s:when=%d" % (call, action, n)]


class CrashHarness(Cli):
    def setUp(self):
        super().setUp()
        self.init()
        self.add("first testimony of the client\n", title="one")
        self.add("second testimony, of the mother\n", title="two")
        reg = os.path.join(self.tmp, "reg.json")
        with open(reg, "w", encoding="utf-8") as f:
            json.dump([{"name": "Юрий Андреевич Дегтярёв", "role": "client"}], f)
        self.ok(["person", "import", reg])
        self.photo = os.path.join(self.tmp, "photo.bin")
        with open(self.photo, "wb") as f:
            f.write(os.urandom(150000))
        self.ok(["attach", "1", self.photo])
        self.people_file = os.path.join(self.tmp, "more.json")
        with open(self.people_file, "w", encoding="utf-8") as f:
            json.dump([{"name": "Галина Петровна Лобанова", "role": "relative"},
                       {"name": "Kirill Lobanov", "role": "witness"}], f)
        self.pristine = os.path.join(self.tmp, "pristine")
        shutil.copytree(self.vault, self.pristine)
        self.shown = {i: self.ok(["show", str(i)]).stdout for i in (1, 2)}

    # ---- the commands, and what "whole or absent" means for each ----

    def commands(self):
        return {
            "add": (["add", "--title", "three"], {"stdin": b"third testimony\n"}, self.state_records),
            "edit": (["edit", "2", "--title", "two, corrected"], {}, self.state_titles),
            "shred": (["shred", "2", "--yes"], {}, self.state_records),
            "passwd": (["passwd"], {"fds": {"--new-passphrase-fd": PASS2}}, self.state_secret),
            "person import": (["person", "import", self.people_file], {}, self.state_people),
            "attach": (["attach", "2", self.photo], {}, self.state_attachments),
        }

    def opener(self):
        for secret in (PASS, PASS2):
            if self.run_fn(["list"], passphrase=secret).returncode == 0:
                return secret
        return None

    def state_secret(self, secret):
        return secret  # which passphrase opens the vault: the old one or the new, never neither

    def state_records(self, secret):
        return sorted(r["title"] for r in json.loads(self.ok(["list", "--json"], passphrase=secret).stdout))

    def state_titles(self, secret):
        return self.state_records(secret)

    def state_people(self, secret):
        return len(json.loads(self.ok(["person", "list", "--json"], passphrase=secret).stdout))

    def state_attachments(self, secret):
        return self.ok(["show", "2"], passphrase=secret).stdout.count(b"attachment ")

    def reset(self):
        shutil.rmtree(self.vault)
        shutil.copytree(self.pristine, self.vault)

    def temp_files(self):
        found = []
        for root, _, files in os.walk(self.vault):
            found += [f for f in files if ".tmp" in f or f.endswith(".restoring")]
        return found

    def check_after(self, name, where, allowed):
        secret = self.opener()
        self.assertIsNotNone(secret, where + ": the vault no longer opens with the old or the new passphrase")
        # An interrupted passwd is rolled forward by the first open (docs/FORMAT.md, "The write
        # protocol"): from then on the new passphrase is the one.
        secret = self.opener()
        v = self.run_fn(["verify"], passphrase=secret)
        self.assertEqual(v.returncode, 0, where + ": " + v.stdout.decode() + v.stderr.decode())
        for i, text in self.shown.items():
            if name in ("shred", "edit", "attach") and i == 2:
                continue
            self.assertEqual(self.ok(["show", str(i)], passphrase=secret).stdout, text, where + ": record %d" % i)
        self.assertIn(self.commands()[name][2](secret), allowed, where + ": the change is torn")
        self.assertEqual(self.temp_files(), [], where + ": temp files left")

    def expected(self, name):
        """The state before and after the command, measured on the pristine vault."""
        args, kw, state = self.commands()[name]
        self.reset()
        before = state(PASS)
        p = self.run_fn(args, **kw)
        self.assertEqual(p.returncode, 0, name + ": " + p.stderr.decode())
        after = state(self.opener())
        self.assertNotEqual(before, after, name + ": the command changed nothing measurable")
        return [before, after]

    def test_every_writing_command_killed_and_faulted_at_each_point(self):
        figures = {}
        for name in self.commands():
            allowed = self.expected(name)
            args, kw, _ = self.commands()[name]
            kills = faults = 0
            for call in KILL_CALLS:
                for n in range(1, MAX_N + 1):
                    self.reset()
                    p = self.run_fn(args, prefix=strace(call, "signal=KILL", n), **kw)
                    if p.returncode != -9:
                        break  # fewer such calls than n: the next call
                    kills += 1
                    self.check_after(name, "%s killed at %s #%d" % (name, call, n), allowed)
            for call, err in FAULTS:
                for n in range(1, MAX_N + 1):
                    self.reset()
                    p = self.run_fn(args, prefix=strace(call, "error=" + err, n), **kw)
                    where = "%s with %s at %s #%d" % (name, err, call, n)
                    self.assertIn(p.returncode, (0, 5), where + ": " + p.stderr.decode())
                    faults += 1
                    self.check_after(name, where, allowed)
                    if p.returncode == 0 and n > 1:
                        break  # past the command's last such call
            figures[name] = (kills, faults)
        total_kills = sum(k for k, _ in figures.values())
        total_faults = sum(f for _, f in figures.values())
        print("crash harness: %s; %d crash points, %d injected errors" %
              (", ".join("%s %d/%d" % (n, k, f) for n, (k, f) in figures.items()), total_kills, total_faults),
              file=sys.stderr)
        self.assertGreaterEqual(total_kills, 100)
        self.assertGreaterEqual(total_faults, 100)


if __name__ == "__main__":
    unittest.main()
