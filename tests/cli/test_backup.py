#!/usr/bin/env python3
"""fieldnotes backup and restore, through the built binary (issue 11, Deliver 1 and 2).

Run: FIELDNOTES_BIN=build/cli/fieldnotes python3 -m unittest tests/cli/test_backup.py
"""
import json
import os
import shutil
import sys
import unittest

from test_cli import Cli, snapshot


def blob_inodes(d):
    b = os.path.join(d, "blobs")
    return {n: (os.stat(os.path.join(b, n)).st_ino, os.stat(os.path.join(b, n)).st_mtime_ns)
            for n in os.listdir(b)}


class Backup(Cli):
    def setUp(self):
        super().setUp()
        self.recovery = self.init()
        self.add("first testimony\n", title="one")
        self.add("second testimony\n", title="two")
        self.attachment = os.path.join(self.tmp, "voice.ogg")
        with open(self.attachment, "wb") as f:
            f.write(os.urandom(3 * 65536 + 77))
        self.ok(["attach", "1", self.attachment])
        self.dest = os.path.join(self.tmp, "stick", "backup")

    def backup(self, dest=None):
        return self.ok(["backup", dest or self.dest])

    def on(self, d, args, **kw):
        return self.run_fn(args + ["--vault", d], vault=False, **kw)

    def listing(self, d):
        p = self.on(d, ["list", "--json"])
        self.assertEqual(p.returncode, 0, p.stderr.decode())
        return json.loads(p.stdout)

    def test_backup_is_a_vault_that_verifies_and_holds_nothing_in_plaintext(self):
        p = self.backup()
        self.assertIn(b"verified: 2 records, 1 attachments", p.stdout)
        self.assertNotIn(b"replaced", p.stdout)
        self.assertFalse(os.path.exists(os.path.join(self.dest, "backup-incomplete")))
        self.assertEqual(self.on(self.dest, ["verify"]).returncode, 0)
        self.assertEqual(self.listing(self.dest), self.listing(self.vault))
        for root, _, files in os.walk(self.dest):
            for f in files:
                with open(os.path.join(root, f), "rb") as fh:
                    data = fh.read()
                self.assertNotIn(b"testimony", data, f)
                self.assertNotIn(b"SQLite format 3", data, f)

    def test_a_flipped_byte_in_the_backup_database_fails_verify_and_restore(self):
        self.backup()
        db = os.path.join(self.dest, "vault.db")
        with open(db, "r+b") as f:
            f.seek(4096 + 100)
            b = f.read(1)
            f.seek(4096 + 100)
            f.write(bytes([b[0] ^ 1]))
        self.assertEqual(self.on(self.dest, ["verify"]).returncode, 3)
        new = os.path.join(self.tmp, "new")
        p = self.on(new, ["restore", self.dest])
        self.assertEqual(p.returncode, 3, p.stderr.decode())
        self.assertFalse(os.path.exists(new))
        self.assertEqual([n for n in os.listdir(self.tmp) if "restoring" in n], [])

    def test_truncated_backup_database_fails_verify(self):
        self.backup()
        db = os.path.join(self.dest, "vault.db")
        os.truncate(db, os.path.getsize(db) - 4096)
        self.assertEqual(self.on(self.dest, ["verify"]).returncode, 3)

    def test_restore_lists_the_same_records_and_extracts_the_same_attachments(self):
        self.backup()
        for how in ("passphrase", "recovery"):
            new = os.path.join(self.tmp, "new-" + how)
            if how == "passphrase":
                p = self.on(new, ["restore", self.dest])
            else:
                p = self.on(new, ["restore", self.dest], passphrase=None,
                            fds={"--recovery-key-fd": self.recovery.encode() + b"\n"})
            self.assertEqual(p.returncode, 0, p.stderr.decode())
            self.assertIn(b"restored 2 records, 1 attachments", p.stdout)
            self.assertEqual(self.listing(new), self.listing(self.vault))
            out = os.path.join(self.tmp, how + ".ogg")
            self.assertEqual(self.on(new, ["extract", "1", "voice.ogg", "-o", out]).returncode, 0)
            with open(out, "rb") as a, open(self.attachment, "rb") as b:
                self.assertEqual(a.read(), b.read())
            self.assertEqual(self.on(new, ["verify"]).returncode, 0)
        # An empty directory is a fine target too.
        empty = os.path.join(self.tmp, "empty")
        os.mkdir(empty)
        self.assertEqual(self.on(empty, ["restore", self.dest]).returncode, 0)
        self.assertEqual(self.listing(empty), self.listing(self.vault))

    def test_restore_refuses_an_existing_vault_or_a_non_empty_directory(self):
        self.backup()
        before = snapshot(self.vault)
        p = self.run_fn(["restore", self.dest])
        self.assertEqual(p.returncode, 4)
        self.assertIn(b"a vault already exists", p.stderr)
        self.assertIn(b"fieldnotes: hint:", p.stderr)
        self.assertEqual(snapshot(self.vault), before)
        other = os.path.join(self.tmp, "papers")
        os.mkdir(other)
        with open(os.path.join(other, "letter.txt"), "w") as f:
            f.write("x")
        self.assertEqual(self.on(other, ["restore", self.dest]).returncode, 4)
        self.assertEqual(os.listdir(other), ["letter.txt"])

    def test_restore_with_a_wrong_passphrase_or_a_missing_source(self):
        self.backup()
        new = os.path.join(self.tmp, "new")
        self.assertEqual(self.on(new, ["restore", self.dest], passphrase=b"wrong horse\n").returncode, 2)
        self.assertFalse(os.path.exists(new))
        p = self.on(new, ["restore", os.path.join(self.tmp, "nothing")])
        self.assertEqual(p.returncode, 3)
        self.assertIn(b"no backup at", p.stderr)
        self.assertFalse(os.path.exists(new))

    def test_second_backup_holds_the_new_record_and_rewrites_no_attachment_stream(self):
        self.backup()
        streams = blob_inodes(self.dest)
        self.assertEqual(len(streams), 1)
        self.add("third testimony\n", title="three")
        p = self.backup()
        self.assertIn(b"replaced the backup of ", p.stdout)
        self.assertIn(b"0 attachment streams copied, 1 already there", p.stdout)
        self.assertEqual(blob_inodes(self.dest), streams)
        titles = [r["title"] for r in self.listing(self.dest)]
        self.assertIn("three", titles)
        j = json.loads(self.ok(["backup", self.dest, "--json"]).stdout)
        self.assertEqual(j["attachment_streams_written"], 0)
        self.assertEqual(j["attachment_streams_kept"], 1)
        self.assertIsInstance(j["replaced"], int)

    def test_a_shredded_record_leaves_the_next_backup(self):
        self.backup()
        self.ok(["shred", "1", "--yes"])
        p = self.backup()
        self.assertIn(b"1 removed", p.stdout)
        self.assertEqual(os.listdir(os.path.join(self.dest, "blobs")), [])
        self.assertEqual([r["id"] for r in self.listing(self.dest)], [2])
        self.assertEqual(self.on(self.dest, ["verify"]).returncode, 0)

    def test_refused_destinations_leave_them_and_the_vault_unchanged(self):
        before = snapshot(self.vault)
        a_file = os.path.join(self.tmp, "file")
        with open(a_file, "wb") as f:
            f.write(b"not a directory")
        p = self.run_fn(["backup", a_file])
        self.assertEqual(p.returncode, 4, p.stderr.decode())
        with open(a_file, "rb") as f:
            self.assertEqual(f.read(), b"not a directory")
        papers = os.path.join(self.tmp, "papers")
        os.mkdir(papers)
        with open(os.path.join(papers, "letter.txt"), "w") as f:
            f.write("x")
        self.assertEqual(self.run_fn(["backup", papers]).returncode, 4)
        self.assertEqual(os.listdir(papers), ["letter.txt"])
        # A backup of another vault (same passphrase) is never mixed with this one.
        other = os.path.join(self.tmp, "other")
        self.ok(["init", "--kdf-profile", "test", "--vault", other], vault=False)
        other_backup = os.path.join(self.tmp, "other-backup")
        self.ok(["backup", other_backup, "--vault", other], vault=False)
        theirs = snapshot(other_backup)
        p = self.run_fn(["backup", other_backup])
        self.assertEqual(p.returncode, 4)
        self.assertIn(b"another vault", p.stderr)
        self.assertEqual(snapshot(other_backup), theirs)
        self.assertEqual(self.run_fn(["backup", self.vault]).returncode, 1)
        after = snapshot(self.vault)
        after.pop("lock", None)
        before.pop("lock", None)
        self.assertEqual(after, before)

    def test_an_interrupted_backup_is_not_restored_and_the_next_backup_finishes_it(self):
        self.backup()
        with open(os.path.join(self.dest, "backup-incomplete"), "w") as f:
            f.write("interrupted")
        new = os.path.join(self.tmp, "new")
        p = self.on(new, ["restore", self.dest])
        self.assertEqual(p.returncode, 3)
        self.assertIn(b"interrupted", p.stderr)
        self.assertFalse(os.path.exists(new))
        self.backup()
        self.assertEqual(self.on(new, ["restore", self.dest]).returncode, 0)

    def test_read_only_destination_is_an_io_error(self):
        ro = os.path.join(self.tmp, "ro")
        os.mkdir(ro)
        prefix = ()
        if os.geteuid() == 0:
            # Root writes anywhere: the backup runs as nobody, who owns everything here but the
            # read-only stick's directory may not be written by its owner either.
            if shutil.which("setpriv") is None:
                self.skipTest("root ignores directory permissions, and setpriv is missing")
            for root, dirs, files in os.walk(self.tmp):
                for n in dirs + files:
                    os.lchown(os.path.join(root, n), 65534, 65534)
            os.lchown(self.tmp, 65534, 65534)
            prefix = ("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups")
        os.chmod(ro, 0o500)
        before = snapshot(self.vault)
        try:
            p = self.run_fn(["backup", os.path.join(ro, "b")], prefix=prefix)
            self.assertEqual(p.returncode, 5, p.stderr.decode())
            self.assertIn("cannot create", p.stderr.decode())
            self.assertEqual(os.listdir(ro), [])
            self.assertEqual(snapshot(self.vault), before)
        finally:
            os.chmod(ro, 0o700)



class BackupFaults(Cli):
    """backup killed at each sync point, a full disk at each write, a locked DEST."""

    def setUp(self):
        super().setUp()
        self.init()
        self.add("first testimony\n", title="one")
        attachment = os.path.join(self.tmp, "voice.ogg")
        with open(attachment, "wb") as f:
            f.write(os.urandom(3 * 65536 + 77))
        self.ok(["attach", "1", attachment])
        self.dest = os.path.join(self.tmp, "stick", "backup")

    def backup(self):
        return self.ok(["backup", self.dest])

    def on(self, d, args):
        return self.run_fn(args + ["--vault", d], vault=False)

    def dest_state(self):
        """0 when DEST verifies as a complete backup, 3 when it is refused."""
        p = self.on(self.dest, ["verify"])
        return p.returncode, p.stdout.decode() + p.stderr.decode()

    def assert_vault_unchanged(self, before, where):
        self.assertEqual(snapshot(self.vault), before, where + ": the vault changed")
        self.assertEqual(self.run_fn(["verify"]).returncode, 0, where)

    def test_backup_killed_at_each_fsync_and_rename_never_leaves_a_complete_looking_copy(self):
        from test_keyslots import strace_kill
        before = snapshot(self.vault)
        points = 0
        for call in ("fsync", "rename", "unlink"):
            for n in range(1, 12):
                shutil.rmtree(os.path.join(self.tmp, "stick"), ignore_errors=True)
                k = self.run_fn(["backup", self.dest], prefix=strace_kill(call, n))
                where = "backup killed at %s #%d" % (call, n)
                if k.returncode != -9:
                    self.assertEqual(k.returncode, 0, where + ": " + k.stderr.decode())
                    continue
                points += 1
                self.assert_vault_unchanged(before, where)
                if not os.path.exists(self.dest):
                    continue
                code, out = self.dest_state()
                marker = os.path.exists(os.path.join(self.dest, "backup-incomplete"))
                if marker:
                    self.assertEqual(code, 3, where + ": an interrupted backup verified: " + out)
                    self.assertIn("interrupted", out)
                    r = self.ok_or(["restore", self.dest, "--vault", os.path.join(self.tmp, "r%d%s" % (n, call))])
                    self.assertNotEqual(r.returncode, 0, where + ": restore took an interrupted backup")
                elif code == 0:  # verifies: then it is the whole backup
                    p = self.on(self.dest, ["list", "--json"])
                    self.assertEqual(p.stdout, self.ok(["list", "--json"]).stdout, where)
                else:  # not even a vault yet (killed while writing the marker)
                    self.assertIn("not a fieldnotes vault", out, where)
                # running the backup again completes it
                self.backup()
                self.assertEqual(self.dest_state()[0], 0, where + ": the second backup did not complete")
        print("backup crash points reached: %d" % points, file=sys.stderr)
        self.assertGreaterEqual(points, 10)

    def ok_or(self, args):
        return self.run_fn(args, vault=False)

    def test_a_full_disk_at_each_write_gives_exit_5_and_no_complete_looking_copy(self):
        before = snapshot(self.vault)
        points = 0
        for n in range(1, 40, 3):
            shutil.rmtree(os.path.join(self.tmp, "stick"), ignore_errors=True)
            prefix = ["strace", "-f", "-qq", "-o", "/dev/null", "-e", "trace=write,pwrite64",
                      "-e", "inject=write,pwrite64:error=ENOSPC:when=%d" % n]
            p = self.run_fn(["backup", self.dest], prefix=prefix)
            where = "backup with ENOSPC at write #%d" % n
            if p.returncode == 0:
                continue  # fewer writes than n
            points += 1
            self.assertEqual(p.returncode, 5, where + ": " + p.stderr.decode())
            self.assert_vault_unchanged(before, where)
            if os.path.exists(self.dest) and os.listdir(self.dest):
                self.assertNotEqual(self.dest_state()[0], 0, where + ": a failed backup verifies as complete")
        print("backup ENOSPC points reached: %d" % points, file=sys.stderr)
        self.assertGreaterEqual(points, 5)

    def test_restore_killed_at_each_fsync_and_rename_leaves_no_target_or_the_whole_vault(self):
        from test_keyslots import strace_kill
        self.backup()
        source = snapshot(self.dest)
        want = self.ok(["list", "--json"]).stdout
        points = 0
        for call in ("fsync", "rename", "unlink"):
            for n in range(1, 12):
                target = os.path.join(self.tmp, "restored")
                shutil.rmtree(target, ignore_errors=True)
                k = self.run_fn(["restore", self.dest, "--vault", target], vault=False, prefix=strace_kill(call, n))
                where = "restore killed at %s #%d" % (call, n)
                if k.returncode != -9:
                    self.assertEqual(k.returncode, 0, where + ": " + k.stderr.decode())
                    continue
                points += 1
                self.assertEqual(snapshot(self.dest), source, where + ": the backup changed")
                if os.path.exists(os.path.join(target, "vault.db")):
                    p = self.on(target, ["list", "--json"])
                    self.assertEqual(p.returncode, 0, where + ": " + p.stderr.decode())
                    self.assertEqual(p.stdout, want, where)
                    self.assertEqual(self.on(target, ["verify"]).returncode, 0, where)
                else:
                    # no vault there: a second restore makes it (and removes the staging left behind)
                    self.ok(["restore", self.dest, "--vault", target], vault=False)
                    self.assertEqual(self.on(target, ["list", "--json"]).stdout, want, where)
                    self.assertEqual([n for n in os.listdir(self.tmp) if n.endswith(".restoring")], [], where)
        print("restore crash points reached: %d" % points, file=sys.stderr)
        self.assertGreaterEqual(points, 10)

    def test_a_locked_destination_is_waited_for_then_refused(self):
        import fcntl
        self.backup()
        with open(os.path.join(self.dest, "lock"), "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            p = self.run_fn(["backup", self.dest])
        self.assertEqual(p.returncode, 2, p.stderr.decode())
        self.assertIn("in use", p.stderr.decode())
        self.assertEqual(self.dest_state()[0], 0)


if __name__ == "__main__":
    unittest.main()
