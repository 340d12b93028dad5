#!/usr/bin/env python3
"""Rollback detection through the built binary (issue 11, Deliver 3): an older vault.db put
back under current key slots, or older key slots under a newer vault.db, make every command
exit 3 naming a rollback; a crash between the two writes (strace kills `import` at each fsync
and rename) is not a rollback: the vault opens, verify is clean, the import is whole or absent.

Run: FIELDNOTES_BIN=build/cli/fieldnotes python3 -m unittest tests/cli/test_rollback.py
"""
import json
import os
import shutil
import sys
import unittest

from test_cli import Cli
from test_keyslots import strace_kill

VAULT_FILES = ("vault.db", "keyslots", "keyslots.2")


class Rollback(Cli):
    def setUp(self):
        super().setUp()
        self.init()
        self.add("first testimony\n", title="one")

    def save(self, names=VAULT_FILES):
        saved = {}
        for n in names:
            with open(os.path.join(self.vault, n), "rb") as f:
                saved[n] = f.read()
        return saved

    def put_back(self, saved):
        for n, data in saved.items():
            with open(os.path.join(self.vault, n), "wb") as f:
                f.write(data)

    def titles(self):
        p = self.ok(["list", "--json"])
        return [r["title"] for r in json.loads(p.stdout)]

    def assert_rollback(self, what):
        for args in (["list"], ["verify"], ["search", "testimony"]):
            p = self.run_fn(args)
            self.assertEqual(p.returncode, 3, "%s: %s" % (args, p.stderr.decode()))
            err = p.stderr.decode()
            self.assertIn(what, err)
            self.assertIn("rollback", err)
            self.assertIn("fieldnotes restore", err)

    def test_an_older_vault_db_under_current_key_slots_exits_3(self):
        old = self.save(["vault.db"])
        self.add("second testimony\n", title="two")
        self.put_back(old)
        self.assert_rollback("vault.db is older than its key slots")
        with open(os.path.join(self.vault, "vault.db"), "rb") as f:
            self.assertEqual(f.read(), old["vault.db"], "the refused vault.db was written to")

    def test_older_key_slots_under_a_newer_vault_db_exit_3(self):
        old = self.save(["keyslots", "keyslots.2"])
        self.add("second testimony\n", title="two")
        self.put_back(old)
        self.assert_rollback("the key slots are older than vault.db")

    def test_a_record_edit_undone_by_an_older_vault_db_exits_3(self):
        old = self.save(["vault.db"])
        self.ok(["edit", "1", "--title", "one, corrected"])
        self.put_back(old)
        self.assert_rollback("vault.db is older than its key slots")

    def test_backup_and_restore_are_their_own_consistent_generations(self):
        dest = os.path.join(self.tmp, "stick", "backup")
        self.ok(["backup", dest])
        self.add("second testimony\n", title="two")
        p = self.run_fn(["verify", "--vault", dest], vault=False)
        self.assertEqual(p.returncode, 0, p.stderr.decode())
        restored = os.path.join(self.tmp, "restored")
        self.ok(["restore", dest, "--vault", restored], vault=False)
        p = self.run_fn(["list", "--json", "--vault", restored], vault=False)
        self.assertEqual(p.returncode, 0, p.stderr.decode())
        self.assertEqual([r["title"] for r in json.loads(p.stdout)], ["one"])
        # a new generation: the backup's vault.db, put in the restored vault's place, is refused
        shutil.copy(os.path.join(dest, "vault.db"), os.path.join(restored, "vault.db"))
        p = self.run_fn(["list", "--vault", restored], vault=False)
        self.assertEqual(p.returncode, 3, p.stderr.decode())
        self.assertIn("rollback", p.stderr.decode())
        # the live vault, ahead of its backup, is untouched by it
        self.assertEqual(self.titles(), ["one", "two"])

    def test_import_killed_at_each_fsync_and_rename_is_whole_or_absent_and_never_a_rollback(self):
        folder = os.path.join(self.tmp, "statements")
        os.mkdir(folder)
        for i in range(5):
            with open(os.path.join(folder, "s%d.txt" % i), "w") as f:
                f.write("statement %d of a witness\n" % i)
        pristine = os.path.join(self.tmp, "pristine")
        shutil.copytree(self.vault, pristine)
        points = 0
        for call in ("fsync", "rename", "fdatasync", "pwrite64"):
            for n in range(1, 9):
                shutil.rmtree(self.vault)
                shutil.copytree(pristine, self.vault)
                k = self.run_fn(["import", folder], prefix=strace_kill(call, n))
                where = "import killed at %s #%d (exit %d)" % (call, n, k.returncode)
                if k.returncode != -9:
                    continue  # the command made fewer such calls: nothing to check at this n
                points += 1
                p = self.run_fn(["list", "--json"])
                self.assertEqual(p.returncode, 0, where + ": " + p.stderr.decode())
                titles = [r["title"] for r in json.loads(p.stdout)]
                self.assertIn(len(titles), (1, 6), where + ": %r" % titles)
                v = self.run_fn(["verify"])
                self.assertEqual(v.returncode, 0, where + ": " + v.stderr.decode())
        print("import crash points reached: %d" % points, file=sys.stderr)
        self.assertGreaterEqual(points, 8, "too few crash points were reached")


if __name__ == "__main__":
    unittest.main()
