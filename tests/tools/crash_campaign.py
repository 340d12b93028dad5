#!/usr/bin/env python3
"""Kills fieldnotes commands at every write point and checks what is left (docs/RELIABILITY.md).

For each command and each system call in CALLS, runs the command under
`strace -e inject=CALL:signal=KILL:when=N` for N = 1, 2, ... until a run is no longer killed,
then checks the vault: it opens (with the old or the new secret), `verify` exits 0, and for
shred the directory holds the names it held before. `--twice` also kills a second passwd at
every point after every first kill. Prints one line per command and a summary.
Usage: tests/tools/crash_campaign.py [--bin build/cli/fieldnotes] [--twice]
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

CALLS = ("fsync", "fdatasync", "rename", "unlink", "link", "openat", "write", "pwrite64", "ftruncate")
PW, PW2, PW3 = b"correct horse battery staple\n", b"second passphrase here\n", b"third passphrase here\n"


class Runner:
    def __init__(self, binary, tmp):
        self.bin, self.tmp = binary, tmp

    def run(self, vault, args, fds=None, prefix=(), passphrase=PW):
        fds = dict(fds or {})
        if passphrase is not None:
            fds["--passphrase-fd"] = passphrase
        argv = list(prefix) + [self.bin] + args + ["--vault", vault]
        keep = []
        for flag, data in fds.items():
            r, w = os.pipe()
            os.write(w, data)
            os.close(w)
            argv += [flag, str(r)]
            keep.append(r)
        try:
            return subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, pass_fds=keep,
                                  env=dict(os.environ, TMPDIR=self.tmp), timeout=120)
        finally:
            for r in keep:
                os.close(r)


def kill_at(call, n):
    return ["strace", "-f", "-qq", "-o", "/dev/null", "-e", "trace=" + call,
            "-e", "inject=%s:signal=KILL:when=%d" % (call, n)]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default="build/cli/fieldnotes")
    ap.add_argument("--twice", action="store_true")
    a = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="fn-crash-")
    r = Runner(os.path.abspath(a.bin), tmp)
    base = os.path.join(tmp, "base")
    rk = r.run(base, ["init", "--kdf-profile", "test"]).stdout.strip() + b"\n"
    for body in (b"one", b"two"):
        rr, ww = os.pipe()
        os.write(ww, PW)
        os.close(ww)
        subprocess.run([r.bin, "add", "--title", "t", "--vault", base, "--passphrase-fd", str(rr)],
                       input=body, stdout=subprocess.PIPE, stderr=subprocess.PIPE, pass_fds=(rr,), check=True)
        os.close(rr)
    memo = os.path.join(tmp, "memo.bin")
    with open(memo, "wb") as f:
        f.write(os.urandom(100000))
    bob = os.path.join(tmp, "bob-base")
    r.run(bob, ["init", "--kdf-profile", "test"])
    bid = json.loads(r.run(bob, ["identity", "show", "--json"]).stdout)
    r.run(base, ["contact", "add", "Bob", "--age", bid["age"]])
    r.run(base, ["attach", "1", memo])
    bundle = os.path.join(tmp, "b.age")
    r.run(base, ["share", "1", "--to", "Bob", "-o", bundle, "--full", "--confirm-full", "--include-uncleaned", "other"])

    work = os.path.join(tmp, "v")

    def fresh(src=base):
        shutil.rmtree(work, ignore_errors=True)
        shutil.copytree(src, work)

    def opens(secret=None, kind="--passphrase-fd"):
        fds = {kind: secret} if secret else None
        return r.run(work, ["list"], fds=fds, passphrase=None if secret else PW).returncode == 0

    def any_pass(ps):
        return next((p for p in ps if r.run(work, ["list"], passphrase=p).returncode == 0), None)

    commands = {
        "passwd": (["passwd"], {"--new-passphrase-fd": PW2}),
        "recovery --reset": (["recovery", "--reset"], None),
        "shred": (["shred", "2", "--yes"], None),
        "attach": (["attach", "2", memo], None),
        "receive": (["receive", bundle, "--accept-signer", "Alice"], None),
    }
    total_kills = total_bad = 0
    for name, (args, fds) in commands.items():
        kills = bad = 0
        for call in CALLS:
            n = 1
            while True:
                fresh(bob if name == "receive" else base)
                before = sorted(os.listdir(work))
                p = r.run(work, args, fds=fds, prefix=kill_at(call, n))
                if p.returncode != -9:
                    break
                kills += 1
                ok = True
                if name == "passwd":
                    ok = any_pass([PW, PW2]) is not None
                elif name == "recovery --reset":
                    printed = p.stdout.strip()
                    ok = opens(rk, "--recovery-key-fd") or (printed and opens(printed + b"\n", "--recovery-key-fd"))
                else:
                    ok = opens()
                    if name == "receive" and ok:
                        listed = json.loads(r.run(work, ["list", "--json"]).stdout)
                        if not listed:
                            ok = r.run(work, args).returncode == 0
                        shown = json.loads(r.run(work, ["show", "1", "--json"]).stdout)
                        ok = ok and len(shown.get("attachments", [])) == 1
                    if name == "shred" and ok:
                        ok = sorted(os.listdir(work)) == before
                ok = ok and r.run(work, ["verify"], passphrase=any_pass([PW, PW2]) or PW).returncode == 0
                if not ok:
                    bad += 1
                    print("  FAILED: %s killed at %s #%d" % (name, call, n), file=sys.stderr)
                if name == "passwd" and a.twice and ok:
                    snap = os.path.join(tmp, "snap")
                    shutil.rmtree(snap, ignore_errors=True)
                    shutil.copytree(work, snap)
                    now = any_pass([PW, PW2])
                    for call2 in ("fsync", "rename", "unlink"):
                        m = 1
                        while True:
                            shutil.rmtree(work)
                            shutil.copytree(snap, work)
                            q = r.run(work, ["passwd"], fds={"--new-passphrase-fd": PW3}, passphrase=now,
                                      prefix=kill_at(call2, m))
                            if q.returncode != -9:
                                break
                            kills += 1
                            if any_pass([PW, PW2, PW3]) is None:
                                bad += 1
                                print("  FAILED: passwd killed at %s #%d then at %s #%d" % (call, n, call2, m), file=sys.stderr)
                            m += 1
                n += 1
        print("%-18s %4d kills, %d left the vault unopenable, unverifiable or changed" % (name, kills, bad))
        total_kills += kills
        total_bad += bad
    print("total              %4d kills, %d failures" % (total_kills, total_bad))
    shutil.rmtree(tmp, ignore_errors=True)
    return 1 if total_bad else 0


if __name__ == "__main__":
    sys.exit(main())
