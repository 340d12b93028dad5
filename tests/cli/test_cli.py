#!/usr/bin/env python3
"""End-to-end tests of the fieldnotes command, through the built binary.

Every test checks exact exit codes, and failures check that the vault is unchanged.
Run: FIELDNOTES_BIN=build/cli/fieldnotes python3 -m unittest tests/cli/test_cli.py
"""
import hashlib
import json
import os
import re
import secrets
import shutil
import subprocess
import tempfile
import time
import unittest

BIN = os.path.abspath(os.environ.get("FIELDNOTES_BIN", "build/cli/fieldnotes"))
PASS = b"correct horse battery staple\n"


def snapshot(d):
    out = {}
    for root, _, files in os.walk(d):
        for f in files:
            p = os.path.join(root, f)
            with open(p, "rb") as fh:
                out[os.path.relpath(p, d)] = hashlib.sha256(fh.read()).hexdigest()
    return out


class Cli(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="fn-cli-")
        self.vault = os.path.join(self.tmp, "vault")
        self.tmpdir = os.path.join(self.tmp, "tmpdir")
        os.mkdir(self.tmpdir)

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def run_fn(self, args, stdin=b"", passphrase=PASS, fds=None, env=None, vault=True, prefix=()):
        """Runs fieldnotes (under `prefix`, e.g. strace); secrets go through pipes given as
        --passphrase-fd etc."""
        fds = dict(fds or {})
        argv = list(prefix) + [BIN] + args
        if vault:
            argv += ["--vault", self.vault]
        if passphrase is not None:
            fds["--passphrase-fd"] = passphrase
        pass_fds = []
        for flag, data in fds.items():
            r, w = os.pipe()
            os.write(w, data)
            os.close(w)
            argv += [flag, str(r)]
            pass_fds.append(r)
        e = dict(os.environ, TMPDIR=self.tmpdir)
        e.pop("FIELDNOTES_VAULT", None)
        if env:
            e.update(env)
        try:
            p = subprocess.run(argv, input=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               pass_fds=pass_fds, env=e, timeout=120)
        finally:
            for r in pass_fds:
                os.close(r)
        return p

    def ok(self, args, **kw):
        p = self.run_fn(args, **kw)
        self.assertEqual(p.returncode, 0, p.stderr.decode())
        return p

    def init(self):
        p = self.ok(["init", "--kdf-profile", "test"])
        return p.stdout.decode().strip()

    def add(self, body, title="t", extra=()):
        p = self.ok(["add", "--title", title] + list(extra), stdin=body.encode())
        return p.stdout.decode().strip()


class InitAndUnlock(Cli):
    def test_init_prints_recovery_key_once_and_sets_modes(self):
        key = self.init()
        self.assertRegex(key, r"^([A-Z2-7]{4}-){12}[A-Z2-7]{4}$")
        self.assertEqual(os.stat(self.vault).st_mode & 0o777, 0o700)
        for f in os.listdir(self.vault):
            self.assertEqual(os.stat(os.path.join(self.vault, f)).st_mode & 0o077, 0, f)
        p = self.run_fn(["init", "--kdf-profile", "test"])
        self.assertEqual(p.returncode, 4)
        self.assertIn("fieldnotes: error: a vault already exists", p.stderr.decode())
        p = self.ok(["list"])
        self.assertIn(b"not for real testimony", p.stderr)

    def test_unknown_profile_and_empty_passphrase_are_usage_errors(self):
        self.assertEqual(self.run_fn(["init", "--kdf-profile", "fast"]).returncode, 1)
        self.assertEqual(self.run_fn(["init", "--kdf-profile", "test"], passphrase=b"\n").returncode, 1)
        self.assertFalse(os.path.exists(os.path.join(self.vault, "keyslots")))

    def test_wrong_passphrase_exit_2_and_vault_byte_identical(self):
        self.init()
        self.add("some testimony")
        before = snapshot(self.vault)
        for cmd in (["list"], ["show", "1"], ["search", "x"], ["shred", "1", "--yes"], ["passwd"]):
            p = self.run_fn(cmd, passphrase=b"wrong horse\n", fds={"--new-passphrase-fd": b"x" * 20 + b"\n"} if cmd == ["passwd"] else None)
            self.assertEqual(p.returncode, 2, cmd)
            self.assertIn("wrong passphrase", p.stderr.decode())
            self.assertIn("fieldnotes: hint:", p.stderr.decode())
        self.assertEqual(snapshot(self.vault), before)

    def test_missing_or_foreign_vault(self):
        p = self.run_fn(["list"])
        self.assertEqual(p.returncode, 3)
        self.assertIn("no vault at", p.stderr.decode())
        os.makedirs(self.vault)
        with open(os.path.join(self.vault, "other.txt"), "w") as f:
            f.write("x")
        self.assertEqual(self.run_fn(["list"]).returncode, 3)
        self.assertEqual(self.run_fn(["init", "--kdf-profile", "test"]).returncode, 4)

    def test_keyslots_from_another_vault(self):
        self.init()
        other = os.path.join(self.tmp, "other")
        self.ok(["init", "--kdf-profile", "test", "--vault", other], vault=False)
        # One copy from another vault (same passphrase): the other copy opens, and says so.
        shutil.copy(os.path.join(other, "keyslots"), os.path.join(self.vault, "keyslots"))
        before = snapshot(self.vault)
        p = self.ok(["list"])
        self.assertIn(b"keyslots: belongs to another vault", p.stderr)
        self.assertEqual(snapshot(self.vault), before)
        p = self.run_fn(["verify"])
        self.assertEqual(p.returncode, 3)
        self.assertIn(b"keyslots: belongs to another vault", p.stdout)
        self.assertIn(b"verify --repair", p.stderr)
        # Both copies from another vault: refused as foreign, never as a wrong passphrase.
        shutil.copy(os.path.join(other, "keyslots.2"), os.path.join(self.vault, "keyslots.2"))
        before = snapshot(self.vault)
        p = self.run_fn(["list"])
        self.assertEqual(p.returncode, 3)
        self.assertIn(b"another vault", p.stderr)
        self.assertNotIn(b"wrong passphrase", p.stderr)
        self.assertEqual(snapshot(self.vault), before)

    def test_passwd_and_recovery(self):
        rk = self.init().encode() + b"\n"
        self.add("body one")
        self.ok(["passwd"], fds={"--new-passphrase-fd": b"another long passphrase\n"})
        self.assertEqual(self.run_fn(["list"]).returncode, 2)
        self.ok(["list"], passphrase=b"another long passphrase\n")
        # the recovery key unlocks any command
        p = self.ok(["show", "1"], passphrase=None, fds={"--recovery-key-fd": rk})
        self.assertIn(b"body one", p.stdout)
        p = self.ok(["recovery", "--reset"], passphrase=None, fds={"--recovery-key-fd": rk})
        new_rk = p.stdout.strip() + b"\n"
        self.assertNotEqual(new_rk, rk)
        self.assertEqual(self.run_fn(["list"], passphrase=None, fds={"--recovery-key-fd": rk}).returncode, 2)
        self.ok(["list"], passphrase=None, fds={"--recovery-key-fd": new_rk})
        # a lost passphrase is replaced with the recovery key
        self.ok(["passwd"], passphrase=None, fds={"--recovery-key-fd": new_rk, "--new-passphrase-fd": b"third passphrase!!\n"})
        self.ok(["list"], passphrase=b"third passphrase!!\n")


class Records(Cli):
    def setUp(self):
        super().setUp()
        self.init()

    def test_add_list_show_search(self):
        i1 = self.add("Юрий Дегтярёв рассказал о части.\n", title="Показания", extra=["--case", "c17", "--tag", "t1"])
        i2 = self.add("Unrelated English text.\n", title="Other")
        self.assertEqual((i1, i2), ("1", "2"))
        out = self.ok(["list"]).stdout.decode()
        self.assertIn("Показания", out)
        self.assertEqual(len(out.strip().splitlines()), 2)
        self.assertEqual([r["id"] for r in json.loads(self.ok(["list", "--json", "--case", "c17"]).stdout)], [1])
        self.assertEqual([r["id"] for r in json.loads(self.ok(["list", "--json", "--tag", "nope"]).stdout)], [])
        show = json.loads(self.ok(["show", "1", "--json"]).stdout)
        self.assertEqual(show["body"], "Юрий Дегтярёв рассказал о части.\n")
        self.assertEqual(show["tags"], ["t1"])
        for q in ("Degtyarev", "degtyaryov", "Degtiarev", "ДЕГТЯРЕВ", "дегтярёв", "Yuriy", "Yurii", "Iurii"):
            hits = json.loads(self.ok(["search", q, "--json"]).stdout)
            self.assertEqual([h["id"] for h in hits], [1], q)
        self.assertEqual(json.loads(self.ok(["search", "Petrov", "--json"]).stdout), [])
        self.assertEqual(self.run_fn(["show", "99"]).returncode, 3)
        self.assertEqual(self.run_fn(["show", "abc"]).returncode, 1)

    def test_bad_input_leaves_the_vault_unchanged(self):
        self.add("first")
        before = snapshot(self.vault)
        p = self.run_fn(["add", "--title", "x"], stdin=b"\xff\xfe broken")
        self.assertEqual(p.returncode, 3)
        self.assertIn("UTF-8", p.stderr.decode())
        self.assertEqual(self.run_fn(["add", "--title", "x"], stdin=b"").returncode, 3)
        self.assertEqual(self.run_fn(["add", "--title", "x"], stdin=b"  \n").returncode, 3)
        self.assertEqual(self.run_fn(["add"], stdin=b"no title").returncode, 1)
        self.assertEqual(self.run_fn(["add", "--title", "x", "/nonexistent/file"]).returncode, 5)
        self.assertEqual(snapshot(self.vault), before)

    def test_import_is_one_transaction(self):
        d = os.path.join(self.tmp, "in")
        os.mkdir(d)
        for i in range(5):
            with open(os.path.join(d, "n%d.txt" % i), "w") as f:
                f.write("note %d\n" % i)
        with open(os.path.join(d, "skip.bin"), "w") as f:
            f.write("x")
        ids = self.ok(["import", d]).stdout.decode().split()
        self.assertEqual(ids, ["1", "2", "3", "4", "5"])
        with open(os.path.join(d, "bad.md"), "wb") as f:
            f.write(b"\xc3\x28")
        before = snapshot(self.vault)
        self.assertEqual(self.run_fn(["import", d]).returncode, 3)
        self.assertEqual(snapshot(self.vault), before)

    def test_full_disk_exit_5_vault_unchanged(self):
        import resource
        import signal
        self.add("first")
        before = snapshot(self.vault)

        def small_files():
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            resource.setrlimit(resource.RLIMIT_FSIZE, (os.path.getsize(os.path.join(self.vault, "vault.db")) + 4096,) * 2)
        rp, wp = os.pipe()
        os.write(wp, PASS)
        os.close(wp)
        p = subprocess.run([BIN, "add", "--vault", self.vault, "--title", "big", "--passphrase-fd", str(rp)],
                           input=("testimony line\n" * 20000).encode(), pass_fds=[rp], preexec_fn=small_files,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        os.close(rp)
        self.assertEqual(p.returncode, 5, p.stderr.decode())
        self.assertIn("check free space", p.stderr.decode())
        # SQLite rolled the transaction back: same files, same records (the database file's
        # bytes may differ in pages it rewrote from its journal, so the content is compared).
        self.assertEqual(sorted(snapshot(self.vault)), sorted(before))
        self.assertEqual([r["title"] for r in json.loads(self.ok(["list", "--json"]).stdout)], ["t"])
        self.ok(["verify"])

    def test_read_only_vault(self):
        self.add("first")
        argv_prefix = []
        binary = BIN
        if os.geteuid() == 0:
            if not shutil.which("setpriv"):
                self.skipTest("setpriv missing")
            # root ignores permissions: run as nobody, who may read but not write
            for root, dirs, files in os.walk(self.tmp):
                for x in dirs + files:
                    os.chown(os.path.join(root, x), 65534, 65534)
            os.chown(self.tmp, 65534, 65534)
            argv_prefix = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
            # the build tree may sit where nobody cannot reach (e.g. under /root): run a copy
            binary = os.path.join(self.tmp, "fieldnotes-copy")
            shutil.copy(BIN, binary)
            os.chown(binary, 65534, 65534)
        for root, dirs, files in os.walk(self.vault):
            for x in files:
                os.chmod(os.path.join(root, x), 0o400)
            for x in dirs:
                os.chmod(os.path.join(root, x), 0o500)
        os.chmod(self.vault, 0o500)
        before = snapshot(self.vault)
        try:
            def fn(args, body=b""):
                rp, wp = os.pipe()
                os.write(wp, PASS)
                os.close(wp)
                p = subprocess.run(argv_prefix + [binary] + args + ["--vault", self.vault, "--passphrase-fd", str(rp)],
                                   input=body, pass_fds=[rp], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
                os.close(rp)
                return p
            p = fn(["list"])
            self.assertEqual(p.returncode, 0, p.stderr.decode())
            p = fn(["add", "--title", "x"], b"second")
            self.assertEqual(p.returncode, 5, p.stderr.decode())
            self.assertEqual(snapshot(self.vault), before)
        finally:
            for root, dirs, files in os.walk(self.vault):
                for x in dirs:
                    os.chmod(os.path.join(root, x), 0o700)
            os.chmod(self.vault, 0o700)

    def test_review_walks_doubtful_spans_on_a_terminal(self):
        if not shutil.which("script"):
            self.skipTest("script(1) missing")
        doc = os.path.join(self.tmp, "doc.txt")
        with open(doc, "w") as f:
            f.write("Капитан Шестаков забрал телефон.\n")
        pw = os.path.join(self.tmp, "pw")
        with open(pw, "wb") as f:
            f.write(PASS)
        out = os.path.join(self.tmp, "out.txt")
        cmd = "%s redact --review --vault %s --passphrase-fd 3 %s > %s 3<%s" % (BIN, self.vault, doc, out, pw)
        # answer "y" to the first question, "n" to any other
        feed = "sleep 1; printf 'y\\n'; sleep 0.5; printf 'n\\n'; sleep 0.5; printf 'n\\n'; sleep 1"
        subprocess.run(["sh", "-c", "(%s) | script -qec '%s' /dev/null" % (feed, cmd)],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
        with open(out) as f:
            text = f.read()
        self.assertIn("Шестаков", text)  # kept after review
        p = self.ok(["redact", doc])
        self.assertNotIn("Шестаков", p.stdout.decode())  # redacted without review

    def test_canary_never_reaches_any_file(self):
        canary = "CANARY" + secrets.token_hex(16)
        rid = self.add("testimony with %s inside\n" % canary, title="title " + canary)
        self.ok(["list"])
        self.ok(["show", rid])
        self.ok(["search", canary[:20]])
        self.ok(["edit", rid, "--title", "renamed " + canary])
        self.ok(["verify"])
        for root in (self.vault, self.tmpdir):
            for dirpath, _, files in os.walk(root):
                for f in files:
                    with open(os.path.join(dirpath, f), "rb") as fh:
                        data = fh.read()
                    self.assertNotIn(canary.encode(), data, f)
                    self.assertNotIn(canary.encode("utf-16-le"), data, f)

    def test_shred_via_cli(self):
        self.add("keep me")
        self.add("shred me")
        p = self.run_fn(["shred", "2"])
        self.assertEqual(p.returncode, 4)
        self.assertIn("--yes", p.stderr.decode())
        self.ok(["shred", "2", "--yes"])
        self.assertEqual(self.run_fn(["show", "2"]).returncode, 3)
        self.assertEqual(self.run_fn(["shred", "2", "--yes"]).returncode, 3)
        self.ok(["show", "1"])
        log = json.loads(self.ok(["log", "--json"]).stdout)
        self.assertEqual([e["operation"] for e in log], ["init", "add", "add", "shred"])
        self.assertEqual(log[-1]["record"], 2)
        self.assertEqual(self.add("next"), "3")  # ids are never reused

    def test_edit_in_ram_directory(self):
        if not os.path.isdir("/dev/shm"):
            self.skipTest("no /dev/shm")
        self.add("original text\n")
        editor = os.path.join(self.tmp, "ed.sh")
        seen = os.path.join(self.tmp, "seen")
        with open(editor, "w") as f:
            f.write('#!/bin/sh\necho "$1" > %s\necho "added line" >> "$1"\n' % seen)
        os.chmod(editor, 0o700)
        self.ok(["edit", "1"], env={"EDITOR": editor, "VISUAL": "", "XDG_RUNTIME_DIR": ""})
        body = json.loads(self.ok(["show", "1", "--json"]).stdout)["body"]
        self.assertEqual(body, "original text\nadded line\n")
        with open(seen) as f:
            path = f.read().strip()
        self.assertTrue(path.startswith("/dev/shm/"), path)
        self.assertFalse(os.path.exists(path))
        self.assertFalse(os.path.exists(os.path.dirname(path)))
        # a failing editor changes nothing
        self.assertEqual(self.run_fn(["edit", "1"], env={"EDITOR": "false", "VISUAL": ""}).returncode, 5)

    def test_verify_reports_damage(self):
        for i in range(30):
            self.add("record %d " % i + "x" * 3000)
        p = self.ok(["verify"])
        self.assertIn(b"30 records", p.stdout)
        db = os.path.join(self.vault, "vault.db")
        size = os.path.getsize(db)
        with open(db, "r+b") as f:
            f.seek(size // 2 + 100)
            b = f.read(1)
            f.seek(size // 2 + 100)
            f.write(bytes([b[0] ^ 0xFF]))
        p = self.run_fn(["verify"])
        self.assertEqual(p.returncode, 3, p.stderr.decode())

    def test_export_redacted_by_default_full_needs_confirmation(self):
        self.add("text", title="T")
        p = self.run_fn(["export", "1", "--full"])
        self.assertEqual(p.returncode, 4)
        out = os.path.join(self.tmp, "out.md")
        self.ok(["export", "1", "--full", "--confirm-full", "-o", out])
        with open(out) as f:
            self.assertIn("text", f.read())
        self.ok(["export", "1", "--format", "json"])
        log = [e["operation"] for e in json.loads(self.ok(["log", "--json"]).stdout)]
        self.assertIn("export-full", log)
        self.assertIn("export", log)
        self.assertEqual(self.run_fn(["export", "1", "--format", "pdf"]).returncode, 1)
        self.assertEqual(self.run_fn(["export", "7"]).returncode, 3)


class People(Cli):
    def setUp(self):
        super().setUp()
        self.init()

    def write(self, name, text):
        p = os.path.join(self.tmp, name)
        with open(p, "w", encoding="utf-8") as f:
            f.write(text)
        return p

    def test_names_that_are_not_utf8_are_refused_before_the_passphrase(self):
        before = snapshot(self.vault)
        for args in (["person", "add", "\udcff\udcfe"], ["person", "add", "Юрий", "--alias", "\udcd0"]):
            argv = [a.encode("utf-8", "surrogateescape") for a in args]
            p = self.run_fn([a.decode("utf-8", "surrogateescape") for a in argv], passphrase=b"")
            self.assertEqual(p.returncode, 3, p.stderr.decode(errors="replace"))
            self.assertIn(b"not valid UTF-8", p.stderr)
            self.assertNotIn(b"unexpected", p.stderr)
        self.assertEqual(snapshot(self.vault), before)

    def test_import_valid_register(self):
        reg = [{"name": "Юрий Андреевич Дегтярёв", "aliases": ["Yura"], "role": "client",
                "phones": ["+7 916 555-01-23"], "disclose": False, "pseudonym": "Client A"},
               {"name": "Pavel Chikov", "role": "lawyer", "disclose": True}]
        self.ok(["person", "import", self.write("r.json", json.dumps(reg, ensure_ascii=False))])
        people = json.loads(self.ok(["person", "list", "--json"]).stdout)
        self.assertEqual([p["name"] for p in people], ["Юрий Андреевич Дегтярёв", "Pavel Chikov"])
        self.assertEqual(people[1]["disclose"], "public")
        self.ok(["person", "edit", "2", "--disclose", "co-counsel"])
        self.assertEqual(json.loads(self.ok(["person", "show", "Pavel Chikov"]).stdout)["disclose"], "co-counsel")
        self.ok(["person", "rm", "2", "--yes"])
        self.assertEqual(len(json.loads(self.ok(["person", "list", "--json"]).stdout)), 1)
        pid = self.ok(["person", "add", "Ольга", "--role", "witness", "--phone", "+380 44 123 45 67"]).stdout.strip()
        self.assertEqual(pid, b"3")

    def test_import_refuses_anything_else_with_exit_3(self):
        before = snapshot(self.vault)
        for bad in ['{"name": "x"}', "not json", '[{"name": ""}]', '[{"aliases": ["x"]}]',
                    '[{"name": "x", "role": "spy"}]', '[{"name": "x", "phones": "123"}]',
                    '[{"name": "x", "nmae": "typo"}]', '[1, 2]', '[{"name": "x", "disclose": "maybe"}]']:
            p = self.run_fn(["person", "import", self.write("bad.json", bad)])
            self.assertEqual(p.returncode, 3, bad)
            self.assertIn("nothing was imported", p.stderr.decode())
        with open(os.path.join(self.tmp, "bad8.json"), "wb") as f:
            f.write(b'[{"name": "\xff"}]')
        self.assertEqual(self.run_fn(["person", "import", os.path.join(self.tmp, "bad8.json")]).returncode, 3)
        self.assertEqual(snapshot(self.vault), before)


class PanicAndLocking(Cli):
    def test_panic_destroys_and_is_fast_at_10000_records(self):
        rk = self.init().encode() + b"\n"
        d = os.path.join(self.tmp, "in")
        os.mkdir(d)
        for i in range(10000):
            with open(os.path.join(d, "%05d.txt" % i), "w") as f:
                f.write("record %d\n" % i)
        self.ok(["import", d])
        t0 = time.monotonic()
        p = self.run_fn(["panic", "--yes"], passphrase=None)
        elapsed = time.monotonic() - t0
        self.assertEqual(p.returncode, 0, p.stderr.decode())
        self.assertLess(elapsed, 1.0)
        for args, kw in ((["list"], {}), (["show", "1"], {}),
                         (["list"], {"passphrase": None, "fds": {"--recovery-key-fd": rk}})):
            p = self.run_fn(args, **kw)
            self.assertEqual(p.returncode, 2)
            self.assertIn("destroyed", p.stderr.decode())
        self.assertEqual(self.run_fn(["panic", "--yes"], passphrase=None).returncode, 0)
        p = self.run_fn(["panic"], passphrase=None, stdin=b"")
        self.assertEqual(p.returncode, 0)

    def test_panic_without_yes_needs_a_terminal(self):
        self.init()
        p = self.run_fn(["panic"], passphrase=None)
        self.assertEqual(p.returncode, 4)
        self.ok(["list"])

    def test_two_processes_second_waits_nothing_lost(self):
        self.init()
        r, w = os.pipe()
        pr, pw = os.pipe()
        os.write(pw, PASS)
        os.close(pw)
        # `redact` holds the vault while it reads standard input.
        first = subprocess.Popen([BIN, "redact", "--vault", self.vault, "--passphrase-fd", str(pr)],
                                 stdin=r, stdout=subprocess.PIPE, stderr=subprocess.PIPE, pass_fds=[pr])
        os.close(r)
        os.close(pr)
        time.sleep(0.5)
        pr2, pw2 = os.pipe()
        os.write(pw2, PASS)
        os.close(pw2)
        second = subprocess.Popen([BIN, "add", "--vault", self.vault, "--title", "t", "--passphrase-fd", str(pr2)],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, pass_fds=[pr2])
        os.close(pr2)
        second.stdin.write(b"written while another process held the vault\n")
        second.stdin.close()
        time.sleep(1.0)
        self.assertIsNone(second.poll(), "the second process must wait for the lock")
        os.write(w, b"hello\n")
        os.close(w)
        self.assertEqual(first.wait(30), 0)
        self.assertEqual(second.wait(30), 0)
        self.assertEqual(second.stdout.read().strip(), b"1")
        first.stdout.close(); first.stderr.close(); second.stdout.close(); second.stderr.close()
        self.assertIn(b"written while", self.ok(["show", "1"]).stdout)


class Sharing(Cli):
    """share / receive between two vaults, and with Debian's age, tar, minisign, sha256sum."""

    def setUp(self):
        super().setUp()
        self.init()
        self.alice, self.bob = self.vault, os.path.join(self.tmp, "bob")
        self.ok(["init", "--kdf-profile", "test", "--vault", self.bob], vault=False)
        self.a_id = json.loads(self.ok(["identity", "show", "--json"]).stdout)
        self.b_id = json.loads(self.fn_bob(["identity", "show", "--json"]).stdout)
        self.ok(["contact", "add", "Bob", "--age", self.b_id["age"], "--minisign", self.b_id["minisign"]])
        self.fn_bob(["contact", "add", "Alice", "--age", self.a_id["age"], "--minisign", self.a_id["minisign"]])
        self.add("Показания: Юрий Дегтярёв, телефон +7 916 555-01-23, в/ч 12345.\n", title="Testimony")

    def fn_bob(self, args, code=0, **kw):
        p = self.run_fn(args + ["--vault", self.bob], vault=False, **kw)
        self.assertEqual(p.returncode, code, p.stderr.decode())
        return p

    def share_to_bob(self, extra=()):
        out = os.path.join(self.tmp, "b%d.age" % secrets.randbelow(10**9))
        self.ok(["share", "1", "--to", "Bob", "-o", out] + list(extra))
        return out

    def test_identity_json_shape(self):
        self.assertEqual(sorted(self.a_id), ["age", "fingerprint", "minisign"])
        self.assertRegex(self.a_id["age"], r"^age1[02-9ac-hj-np-z]{58}$")
        self.assertRegex(self.a_id["minisign"], r"^RW[A-Za-z0-9+/]{54}$")
        self.assertRegex(self.a_id["fingerprint"], r"^([A-Z2-7]{4}-){3}[A-Z2-7]{4}$")
        self.assertEqual(json.loads(self.ok(["identity", "show", "--json"]).stdout), self.a_id)  # stable
        qr = self.ok(["identity", "show", "--qr"]).stdout.decode()
        self.assertIn("\u2588", qr)

    def test_fieldnotes_to_fieldnotes_verified_and_replay_refused(self):
        b = self.share_to_bob()
        ids = self.fn_bob(["receive", b]).stdout.split()
        self.assertEqual(ids, [b"1"])
        rec = json.loads(self.fn_bob(["show", "1", "--json"]).stdout)
        self.assertEqual((rec["sender"], rec["verification"], rec["kind"]), ("Alice", "verified", "received"))
        self.assertNotIn("Дегтярёв", rec["body"])
        self.assertNotIn("555-01-23", rec["body"])
        before = snapshot(self.bob)
        p = self.fn_bob(["receive", b], code=4)
        self.assertIn("replay", p.stderr.decode())
        self.assertEqual(snapshot(self.bob), before)
        # a later bundle is accepted; an older one (sequence) is refused
        b2 = self.share_to_bob()
        b3 = self.share_to_bob()
        self.fn_bob(["receive", b3])
        self.fn_bob(["receive", b2], code=4)

    def test_garbage_keys_and_options_are_refused_vault_unchanged(self):
        before = snapshot(self.alice)
        # One checksum character changed (never to itself: 1 key in 32 ends with "q").
        wrong_last = "q" if self.b_id["age"][-1] != "q" else "p"
        for age, sig in (("age1notakey", None), (self.b_id["age"][:-1] + wrong_last, None),
                         ("AGE-SECRET-KEY-1XYZ", None), (self.b_id["age"], "RWnotakey"),
                         (self.b_id["age"], self.b_id["minisign"][:-2])):
            args = ["contact", "add", "Mallory", "--age", age] + (["--minisign", sig] if sig else [])
            p = self.run_fn(args)
            self.assertEqual(p.returncode, 1, (age, sig, p.stderr.decode()))
        self.assertEqual(self.run_fn(["contact", "add", "Bob", "--age", self.b_id["age"]]).returncode, 4)  # name taken
        self.assertEqual(self.run_fn(["contact", "rm", "Nobody"]).returncode, 3)
        self.assertEqual(self.run_fn(["share", "1", "--to", "Bob", "--audience", "everyone", "-o", "x"]).returncode, 1)
        self.assertEqual(self.run_fn(["share", "1", "-o", "x"]).returncode, 1)  # neither --to nor --passphrase
        self.assertEqual(self.run_fn(["receive", os.path.join(self.tmp, "missing.age")]).returncode, 5)
        junk = os.path.join(self.tmp, "junk.age")
        with open(junk, "wb") as f:
            f.write(secrets.token_bytes(5000))
        self.assertEqual(self.run_fn(["receive", junk]).returncode, 3)
        self.assertEqual(snapshot(self.alice), before)

    def test_unknown_signer_needs_accept(self):
        self.fn_bob(["contact", "rm", "Alice"])
        b = self.share_to_bob()
        p = self.fn_bob(["receive", b], code=4)
        self.assertIn(self.a_id["fingerprint"], p.stderr.decode())
        self.fn_bob(["receive", b, "--accept-signer", "Alice (checked)"])
        names = [c["name"] for c in json.loads(self.fn_bob(["contact", "list", "--json"]).stdout)]
        self.assertIn("Alice (checked)", names)

    def test_not_for_this_vault_and_reencryption(self):
        carol = os.path.join(self.tmp, "carol")
        self.ok(["init", "--kdf-profile", "test", "--vault", carol], vault=False)
        b = self.share_to_bob()
        p = self.run_fn(["receive", b, "--vault", carol], vault=False)
        self.assertEqual(p.returncode, 3)
        self.assertIn("not addressed", p.stderr.decode())

    def test_flipped_byte_anywhere_exit_3_vault_unchanged(self):
        b = self.share_to_bob()
        with open(b, "rb") as f:
            data = f.read()
        before = snapshot(self.bob)
        step = max(1, len(data) // 40)
        for i in list(range(0, len(data), step)) + [len(data) - 1]:
            bad = bytearray(data)
            bad[i] ^= 0x20
            path = os.path.join(self.tmp, "bad.age")
            with open(path, "wb") as f:
                f.write(bad)
            p = self.run_fn(["receive", path, "--vault", self.bob], vault=False)
            self.assertEqual(p.returncode, 3, "byte %d: %s" % (i, p.stderr.decode()))
        for cut in (10, len(data) // 2, len(data) - 1):
            path = os.path.join(self.tmp, "cut.age")
            with open(path, "wb") as f:
                f.write(data[:cut])
            self.assertEqual(self.run_fn(["receive", path, "--vault", self.bob], vault=False).returncode, 3)
        with open(os.path.join(self.tmp, "long.age"), "wb") as f:
            f.write(data + b"x")
        self.assertEqual(self.run_fn(["receive", os.path.join(self.tmp, "long.age"), "--vault", self.bob], vault=False).returncode, 3)
        self.assertEqual(snapshot(self.bob), before)

    def test_standard_tools_open_and_check_a_bundle(self):
        if not shutil.which("age") or not shutil.which("minisign"):
            self.skipTest("Debian's age and minisign are not installed")
        key = os.path.join(self.tmp, "carol.key")
        subprocess.run(["age-keygen", "-o", key], check=True, stderr=subprocess.DEVNULL)
        with open(key) as f:
            carol = re.search(r"age1[0-9a-z]+", f.read()).group(0)
        self.ok(["contact", "add", "Carol", "--age", carol])
        b = os.path.join(self.tmp, "c.age")
        self.ok(["share", "1", "--to", "Carol", "-o", b])
        out = os.path.join(self.tmp, "x")
        os.mkdir(out)
        age = subprocess.run(["age", "-d", "-i", key, b], stdout=subprocess.PIPE, check=True)
        subprocess.run(["tar", "x", "-C", out], input=age.stdout, check=True)
        self.assertEqual(sorted(os.listdir(out)), ["MANIFEST.json", "SHA256SUMS", "SHA256SUMS.minisig", "records"])
        self.assertEqual(os.listdir(os.path.join(out, "records")), ["0001.md"])  # names reveal nothing
        subprocess.run(["sha256sum", "-c", "--strict", "SHA256SUMS"], cwd=out, check=True, stdout=subprocess.DEVNULL)
        v = subprocess.run(["minisign", "-V", "-m", "SHA256SUMS", "-P", self.a_id["minisign"]], cwd=out,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.assertEqual(v.returncode, 0, v.stderr)
        self.assertIn(b"Trusted comment: fieldnotes bundle", v.stdout)
        with open(os.path.join(out, "MANIFEST.json")) as f:
            manifest = json.load(f)
        self.assertEqual(manifest["recipients"], [carol])
        self.assertEqual(manifest["sender"]["minisign"], self.a_id["minisign"])
        # a modified record fails sha256sum -c
        with open(os.path.join(out, "records", "0001.md"), "a") as f:
            f.write("x")
        self.assertNotEqual(subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=out, stdout=subprocess.DEVNULL,
                                           stderr=subprocess.DEVNULL).returncode, 0)

    def test_plain_age_files_need_allow_unsigned(self):
        if not shutil.which("age"):
            self.skipTest("Debian's age is not installed")
        path = os.path.join(self.tmp, "plain.age")
        subprocess.run(["age", "-r", self.b_id["age"], "-o", path], input="notes from a colleague\n".encode(), check=True)
        self.fn_bob(["receive", path], code=4)
        self.assertEqual(self.fn_bob(["receive", path, "--allow-unsigned"]).stdout.split(), [b"1"])
        rec = json.loads(self.fn_bob(["show", "1", "--json"]).stdout)
        self.assertEqual((rec["verification"], rec["body"]), ("unverified", "notes from a colleague\n"))

    def test_age_passphrase_file_received_with_the_passphrase(self):
        if not shutil.which("age") or not shutil.which("script"):
            self.skipTest("age or script(1) missing")
        src = os.path.join(self.tmp, "in.txt")
        with open(src, "w") as f:
            f.write("passphrase-protected notes\n")
        path = os.path.join(self.tmp, "pp.age")
        # Debian's age reads a passphrase only from a terminal: script(1) gives it one.
        feed = "sleep 1; printf 'bundle pass 123\\n'; sleep 1; printf 'bundle pass 123\\n'; sleep 1"
        subprocess.run(["sh", "-c", "(%s) | script -qec 'age -p -o %s %s' /dev/null" % (feed, path, src)],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=60)
        self.assertTrue(os.path.exists(path))
        self.fn_bob(["receive", path, "--allow-unsigned"], fds={"--bundle-passphrase-fd": b"wrong\n"}, code=2)
        self.fn_bob(["receive", path, "--allow-unsigned"], fds={"--bundle-passphrase-fd": b"bundle pass 123\n"})

    def test_passphrase_bundle_between_vaults(self):
        b = os.path.join(self.tmp, "p.age")
        self.ok(["share", "1", "--passphrase", "--work-factor", "10", "-o", b], fds={"--bundle-passphrase-fd": b"shared secret\n"})
        self.fn_bob(["receive", b], fds={"--bundle-passphrase-fd": b"shared secret\n"})

    def test_full_share_needs_confirmation_and_no_partial_file(self):
        out = os.path.join(self.tmp, "full.age")
        p = self.run_fn(["share", "1", "--to", "Bob", "--full", "-o", out])
        self.assertEqual(p.returncode, 4)
        self.assertFalse(os.path.exists(out))
        p = self.run_fn(["share", "1", "--to", "Nobody", "-o", out])
        self.assertEqual(p.returncode, 3)
        self.assertFalse(os.path.exists(out))
        self.ok(["share", "1", "--to", "Bob", "--full", "--confirm-full", "-o", out])
        self.fn_bob(["receive", out])
        self.assertIn("Дегтярёв", json.loads(self.fn_bob(["show", "1", "--json"]).stdout)["body"])
        self.assertIn("share-full", [e["operation"] for e in json.loads(self.ok(["log", "--json"]).stdout)])


FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures")


class Attachments(Cli):
    def setUp(self):
        super().setUp()
        self.init()
        self.add("record with attachments\n")
        self.big = os.path.join(self.tmp, "voice.ogg")
        with open(self.big, "wb") as f:
            f.write(secrets.token_bytes(3 * 65536 + 123))

    def test_a_name_that_is_not_utf8_is_refused_and_leaves_nothing(self):
        bad = os.path.join(self.tmp.encode(), b"\xff.bin")
        with open(bad, "wb") as f:
            f.write(b"data")
        before = snapshot(self.vault)
        p = self.run_fn(["attach", "1", bad.decode("utf-8", "surrogateescape")])
        self.assertEqual(p.returncode, 3, p.stderr.decode("utf-8", "replace"))
        self.assertIn(b"not valid UTF-8", p.stderr)
        self.assertNotIn(b"unexpected failure", p.stderr)
        self.assertEqual(os.listdir(os.path.join(self.vault, "blobs")), [])
        self.assertEqual(snapshot(self.vault), before)
        p = self.run_fn(["add", "--title", b"bad\xff".decode("utf-8", "surrogateescape")], stdin=b"text")
        self.assertEqual(p.returncode, 3, p.stderr.decode("utf-8", "replace"))
        self.assertEqual(self.ok(["verify"]).returncode, 0)

    def photo(self):
        if not shutil.which("exiftool"):
            self.skipTest("exiftool missing")
        p = os.path.join(self.tmp, "photo.jpg")
        shutil.copy(os.path.join(FIXTURES, "gradient-16x8.jpg"), p)
        subprocess.run(["exiftool", "-q", "-overwrite_original", "-GPSLatitude=55.75", "-GPSLatitudeRef=N",
                        "-GPSLongitude=37.61", "-GPSLongitudeRef=E", "-Artist=Secret Person", "-SerialNumber=SN12345",
                        "-Software=Cam 1.0", "-DateTimeOriginal=2024:03:18 10:00:00", p], check=True)
        return p

    def test_attach_extract_show_list_shred(self):
        ids = self.ok(["attach", "1", self.big]).stdout.split()
        self.assertEqual(ids, [b"1"])
        show = json.loads(self.ok(["show", "1", "--json"]).stdout)
        self.assertEqual(show["attachments"], [{"id": 1, "name": "voice.ogg", "type": "other", "size": 3 * 65536 + 123}])
        self.assertEqual(json.loads(self.ok(["list", "--json"]).stdout)[0]["attachments"][0]["name"], "voice.ogg")
        out = os.path.join(self.tmp, "back.ogg")
        self.ok(["extract", "1", "voice.ogg", "-o", out])
        with open(out, "rb") as a, open(self.big, "rb") as b:
            self.assertEqual(a.read(), b.read())
        with open(self.big, "rb") as f:
            self.assertEqual(self.ok(["extract", "1", "1"]).stdout, f.read())
        blobs = os.listdir(os.path.join(self.vault, "blobs"))
        self.assertEqual(len(blobs), 1)
        size = os.path.getsize(os.path.join(self.vault, "blobs", blobs[0]))
        self.assertNotEqual(size, 3 * 65536 + 123)
        self.assertEqual(self.run_fn(["extract", "1", "nope"]).returncode, 3)
        self.assertEqual(self.run_fn(["attach", "9", self.big]).returncode, 3)
        self.assertEqual(self.run_fn(["attach", "1", "/nonexistent"]).returncode, 5)
        self.ok(["shred", "1", "--yes"])
        self.assertEqual(os.listdir(os.path.join(self.vault, "blobs")), [])

    def test_constant_memory_attach_and_extract(self):
        import resource
        big = os.path.join(self.tmp, "big.bin")
        with open(big, "wb") as f:
            for _ in range(256):
                f.write(secrets.token_bytes(1 << 20))  # 256 MiB
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        self.ok(["attach", "1", big])
        out = os.path.join(self.tmp, "back.bin")
        self.ok(["extract", "1", "big.bin", "-o", out])
        peak_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        self.assertLess(peak_mib, 64, "peak RSS of attach/extract: %.1f MiB" % peak_mib)
        self.assertEqual(os.path.getsize(out), 256 << 20)
        with open(big, "rb") as a, open(out, "rb") as b:
            while True:
                x, y = a.read(1 << 20), b.read(1 << 20)
                self.assertEqual(x, y)
                if not x:
                    break
        self.assertGreaterEqual(before, 0)

    def test_damaged_blob_is_reported_and_releases_nothing(self):
        self.ok(["attach", "1", self.big])
        small = os.path.join(self.tmp, "note.pdf")
        with open(small, "wb") as f:
            f.write(b"%PDF-1.4 tiny")
        self.ok(["attach", "1", small])
        info = json.loads(self.ok(["show", "1", "--json"]).stdout)["attachments"]
        self.assertEqual(len(info), 2)
        blobs = sorted(os.listdir(os.path.join(self.vault, "blobs")), key=lambda b: -os.path.getsize(os.path.join(self.vault, "blobs", b)))
        big_blob = os.path.join(self.vault, "blobs", blobs[0])
        with open(big_blob, "r+b") as f:
            f.seek(70000)
            c = f.read(1)
            f.seek(70000)
            f.write(bytes([c[0] ^ 1]))
        out = os.path.join(self.tmp, "x.ogg")
        p = self.run_fn(["extract", "1", "voice.ogg", "-o", out])
        self.assertEqual(p.returncode, 3, p.stderr.decode())
        self.assertFalse(os.path.exists(out))
        self.assertEqual(os.listdir(self.tmp).count(".x.ogg.fieldnotes-tmp"), 0)
        p = self.run_fn(["extract", "1", "1"])
        self.assertEqual(p.returncode, 3)
        self.assertEqual(p.stdout, b"")  # verified before anything is written
        self.ok(["extract", "1", "note.pdf", "-o", os.path.join(self.tmp, "n.pdf")])  # the other one is fine
        p = self.run_fn(["verify"])
        self.assertEqual(p.returncode, 3)
        self.assertIn(b"attachment 1", p.stdout)
        with open(big_blob, "r+b") as f:
            f.truncate(65536)
        self.assertEqual(self.run_fn(["extract", "1", "1"]).returncode, 3)
        with open(os.path.join(self.vault, "blobs", "stray"), "wb") as f:
            f.write(b"x")
        p = self.run_fn(["verify"])
        self.assertIn(b"REPAIRED\tblobs/stray: no attachment refers to it", p.stdout)
        self.assertNotIn(b"FAILED\tblobs/stray", p.stdout)
        self.assertFalse(os.path.exists(os.path.join(self.vault, "blobs", "stray")))

    def test_redacted_share_cleans_photos_and_refuses_the_rest(self):
        photo = self.photo()
        self.ok(["attach", "1", photo, self.big])
        bob = os.path.join(self.tmp, "bob")
        self.ok(["init", "--kdf-profile", "test", "--vault", bob], vault=False)
        b_id = json.loads(self.run_fn(["identity", "show", "--json", "--vault", bob], vault=False).stdout)
        a_id = json.loads(self.ok(["identity", "show", "--json"]).stdout)
        self.ok(["contact", "add", "Bob", "--age", b_id["age"], "--minisign", b_id["minisign"]])
        self.run_fn(["contact", "add", "Alice", "--age", a_id["age"], "--minisign", a_id["minisign"], "--vault", bob], vault=False)
        out = os.path.join(self.tmp, "b.age")
        p = self.run_fn(["share", "1", "--to", "Bob", "-o", out])
        self.assertEqual(p.returncode, 4)
        self.assertIn("--include-uncleaned other", p.stderr.decode())
        self.assertFalse(os.path.exists(out))
        p = self.ok(["share", "1", "--to", "Bob", "-o", out, "--include-uncleaned", "other"])
        self.assertIn("UNCLEANED", p.stderr.decode())
        p = self.run_fn(["receive", out, "--vault", bob], vault=False)
        self.assertEqual(p.returncode, 0, p.stderr.decode())
        atts = json.loads(self.run_fn(["show", "1", "--json", "--vault", bob], vault=False).stdout)["attachments"]
        self.assertEqual([a["type"] for a in atts], ["jpeg", "other"])
        got = os.path.join(self.tmp, "got.jpg")
        self.run_fn(["extract", "1", str(atts[0]["id"]), "-o", got, "--vault", bob], vault=False)
        tags = json.loads(subprocess.run(["exiftool", "-j", "-G", got], stdout=subprocess.PIPE, check=True).stdout)[0]
        for k, v in tags.items():
            if k.startswith("File:") or k.startswith("ExifTool:") or k.startswith("System:"):
                continue
            self.assertNotRegex(k, r"(?i)gps|serial|artist|author|creator|software|date", (k, v))
        self.assertEqual((tags["File:ImageWidth"], tags["File:ImageHeight"]), (16, 8))
        # the sealed original in the sender's vault is untouched
        orig = os.path.join(self.tmp, "orig.jpg")
        self.ok(["extract", "1", "photo.jpg", "-o", orig])
        with open(orig, "rb") as a, open(photo, "rb") as b:
            self.assertEqual(a.read(), b.read())
        # a --full share keeps the original
        full = os.path.join(self.tmp, "full.age")
        self.ok(["share", "1", "--to", "Bob", "--full", "--confirm-full", "-o", full])


class Binary(unittest.TestCase):
    def test_linked_against_sqlcipher_not_sqlite(self):
        out = subprocess.run(["ldd", BIN], stdout=subprocess.PIPE, check=True).stdout.decode()
        self.assertIn("libsqlcipher", out)
        self.assertNotRegex(out, r"libsqlite3\.so")

    def test_database_is_not_readable_without_the_key(self):
        if not shutil.which("sqlcipher"):
            self.skipTest("sqlcipher CLI missing")
        d = tempfile.mkdtemp()
        try:
            v = os.path.join(d, "v")
            r, w = os.pipe()
            os.write(w, PASS)
            os.close(w)
            subprocess.run([BIN, "init", "--vault", v, "--kdf-profile", "test", "--passphrase-fd", str(r)],
                           pass_fds=[r], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
            os.close(r)
            p = subprocess.run(["sqlcipher", os.path.join(v, "vault.db"), "SELECT count(*) FROM sqlite_master;"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            self.assertIn(b"not a database", p.stderr + p.stdout)
            with open(os.path.join(v, "vault.db"), "rb") as f:
                self.assertNotEqual(f.read(16), b"SQLite format 3\x00")
        finally:
            shutil.rmtree(d)

    def test_usage_errors_exit_1(self):
        self.assertEqual(subprocess.run([BIN], stdout=subprocess.PIPE, stderr=subprocess.PIPE).returncode, 1)
        self.assertEqual(subprocess.run([BIN, "frobnicate"], stdout=subprocess.PIPE, stderr=subprocess.PIPE).returncode, 1)
        self.assertEqual(subprocess.run([BIN, "--help"], stdout=subprocess.PIPE).returncode, 0)


if __name__ == "__main__":
    unittest.main()
