#!/usr/bin/env python3
"""Checks that every #include of a project header respects the layers (docs/ARCHITECTURE.md).

Layers call downward only: cli/ -> src/ -> vault/ -> crypto/, and base/ is usable by all.
The redaction library (src/redact/, src/text/) does no I/O and no cryptography: it includes
only itself and base/, and src/text/ (below src/redact/) not even src/redact/.
tests/ and bench/ may include every library layer and their own headers, but not cli/ (an
executable, tested through its binary); bench/ not tests/ either (it builds with
FIELDNOTES_TESTS=OFF). No other layer includes tests/ or bench/.

An include names a project header when, resolved as the compiler does (a quoted name first
beside the including file, then from the project root, which is every target's include
directory), it is a file of the tree or begins with a layer's folder. Every .h/.hpp/.cpp/.cc/.inc
file under the project root is scanned, except hidden folders and build trees (a folder holding
CMakeCache.txt); a source file outside every layer is itself a violation, so a new top-level
folder cannot escape the check unnoticed.

Usage: tests/tools/check_layers.py [ROOT]      prints each violation as
                                               `file:line: layer X may not include Y`, exits 1
                                               if there are any, 0 with a summary otherwise
       tests/tools/check_layers.py --self-test  checks the checker on small temporary trees
Exit codes: 0 clean, 1 violations (or a failed self-test), 2 usage or a tree with no layers.
"""
import os
import re
import subprocess
import sys
import tempfile

SOURCE_SUFFIXES = (".h", ".hpp", ".cpp", ".cc", ".inc")

# Layer of a path by its prefix; the longer prefixes (src/redact/, src/text/) come first.
LAYER_PREFIXES = (
    ("src/redact/", "src/redact"),
    ("src/text/", "src/text"),
    ("base/", "base"),
    ("crypto/", "crypto"),
    ("vault/", "vault"),
    ("src/", "src"),
    ("cli/", "cli"),
    ("tests/", "tests"),
    ("bench/", "bench"),
)

_LIBRARIES = {"base", "crypto", "vault", "src/text", "src/redact", "src"}

# What each layer may include (its own headers included).
ALLOWED = {
    "base": {"base"},
    "crypto": {"base", "crypto"},
    "vault": {"base", "crypto", "vault"},
    "src/text": {"base", "src/text"},
    "src/redact": {"base", "src/text", "src/redact"},
    "src": {"base", "crypto", "vault", "src/text", "src/redact", "src"},
    "cli": _LIBRARIES | {"cli"},
    "tests": _LIBRARIES | {"tests"},
    "bench": _LIBRARIES | {"bench"},
}

# The layers a real tree must have; a root without them is a usage error, not a clean pass.
REQUIRED_LAYERS = ("base", "crypto", "vault", "src", "cli")

INCLUDE_RE = re.compile(r'^\s*#\s*include\s*([<"])([^">]+)[">]')


def layer_of(relpath):
    """The layer of a path relative to the root (posix separators), or None."""
    for prefix, layer in LAYER_PREFIXES:
        if relpath.startswith(prefix):
            return layer
    return None


def source_files(root):
    """Every source file under root, relative and sorted; skips hidden folders and build trees."""
    found = []
    for dirpath, dirnames, filenames in os.walk(root):
        if dirpath != root and "CMakeCache.txt" in filenames:
            dirnames[:] = []
            continue
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in filenames:
            if name.endswith(SOURCE_SUFFIXES):
                rel = os.path.relpath(os.path.join(dirpath, name), root)
                found.append(rel.replace(os.sep, "/"))
    return sorted(found)


def resolve(root, relfile, kind, name):
    """The root-relative path an include names if it is a project header, else None."""
    candidates = []
    if kind == '"':
        candidates.append(os.path.join(os.path.dirname(relfile), name))
    candidates.append(name)
    for cand in candidates:
        norm = os.path.normpath(cand).replace(os.sep, "/")
        if norm.startswith("../") or norm == "..":
            continue  # outside the project: a system or third-party header
        if os.path.isfile(os.path.join(root, norm)):
            return norm
    # A header that does not exist (yet) but is named by its layer's folder still counts.
    norm = os.path.normpath(name).replace(os.sep, "/")
    if layer_of(norm) is not None:
        return norm
    return None


def check(root):
    """Returns (violations, files scanned, project includes checked, layers seen)."""
    violations = []
    n_includes = 0
    layers_seen = set()
    files = source_files(root)
    for rel in files:
        layer = layer_of(rel)
        if layer is None:
            violations.append(f"{rel}:1: file is in no layer (place it in one, or give its folder "
                              f"a rule in tests/tools/check_layers.py)")
            continue
        layers_seen.add(layer)
        with open(os.path.join(root, rel), encoding="utf-8", errors="replace") as f:
            for lineno, line in enumerate(f, 1):
                m = INCLUDE_RE.match(line)
                if not m:
                    continue
                target = resolve(root, rel, m.group(1), m.group(2))
                if target is None:
                    continue
                n_includes += 1
                target_layer = layer_of(target)
                if target_layer is None:
                    violations.append(f"{rel}:{lineno}: layer {layer} may not include {target} "
                                      f"(in no layer)")
                elif target_layer not in ALLOWED[layer]:
                    violations.append(f"{rel}:{lineno}: layer {layer} may not include {target} "
                                      f"(layer {target_layer})")
    return violations, len(files), n_includes, layers_seen


def run(root):
    if not os.path.isdir(root):
        print(f"check_layers: error: {root} is not a directory", file=sys.stderr)
        return 2
    violations, n_files, n_includes, layers_seen = check(root)
    missing = [layer for layer in REQUIRED_LAYERS if layer not in layers_seen]
    if missing:
        print(f"check_layers: error: no source files in {', '.join(m + '/' for m in missing)} "
              f"under {root}", file=sys.stderr)
        print("check_layers: hint: pass the project's root folder", file=sys.stderr)
        return 2
    for v in violations:
        print(v)
    if violations:
        print(f"check_layers: {len(violations)} layering violation(s) in {n_files} files "
              f"(the rules: ALLOWED in this script, explained in docs/ARCHITECTURE.md)",
              file=sys.stderr)
        return 1
    print(f"check_layers: {n_includes} project includes in {n_files} files respect the layers")
    return 0


# ---------------------------------------------------------------------------------------------
# Self-test: the check cannot pass vacuously.

# A clean tree: one file per layer, each including everything it may (quoted, relative and
# angle-bracket forms).
CLEAN_TREE = {
    "base/status.h": "#pragma once\n#include <string>\n",
    "crypto/secret.h": '#include "base/status.h"\n',
    "crypto/aead.cpp": '#include "crypto/secret.h"\n#include "secret.h"\n#include <sodium.h>\n',
    "vault/vault.h": '#include "crypto/secret.h"\n#include "base/status.h"\n',
    "vault/db.cpp": '#include "vault/vault.h"\n#include <vault/vault.h>\n#include "sqlite3.h"\n',
    "src/text/utf8.h": '#include "base/status.h"\n',
    "src/text/name_key.cpp": '#include "src/text/utf8.h"\n#include "utf8.h"\n',
    "src/redact/engine.h": '#include "src/text/utf8.h"\n',
    "src/redact/gazetteer.cpp": ('#include "src/redact/engine.h"\n'
                                 '#include "src/redact/data/names.inc"\n'),
    "src/redact/data/names.inc": "// a word list\n",
    "src/share.h": ('#include "src/redact/engine.h"\n#include "vault/vault.h"\n'
                    '#include "crypto/secret.h"\n#include "src/text/utf8.h"\n'),
    "src/share.cpp": '#include "src/share.h"\n#include "../vault/vault.h"\n',
    "cli/common.h": '#include "src/share.h"\n#include "crypto/secret.h"\n',
    "cli/main.cpp": '#include "cli/common.h"\n#include <CLI/CLI.hpp>\n',
    "tests/test_support.h": '#include <catch2/catch.hpp>\n',
    "tests/core/test_share.cpp": '#include "tests/test_support.h"\n#include "src/share.h"\n',
    "bench/bench_redact.cpp": ('#include "src/redact/engine.h"\n#include "vault/vault.h"\n'
                               '#include "bench/timer.h"\n'),
    "bench/timer.h": "#pragma once\n",
    # A build tree is not scanned, whatever it holds.
    "build/CMakeCache.txt": "",
    "build/CMakeFiles/CompilerIdCXX/id.cpp": '#include "cli/common.h"\n',
}

# Each violation added to the clean tree, and the line the check must print for it.
VIOLATIONS = [
    ("crypto/kdf.cpp", '#include "crypto/secret.h"\n#include "vault/vault.h"\n',
     "crypto/kdf.cpp:2: layer crypto may not include vault/vault.h (layer vault)"),
    ("base/outcome.h", '#include "crypto/secret.h"\n',
     "base/outcome.h:1: layer base may not include crypto/secret.h (layer crypto)"),
    ("vault/records.cpp", '#include "src/share.h"\n',
     "vault/records.cpp:1: layer vault may not include src/share.h (layer src)"),
    ("src/redact/render.cpp", '#include "src/redact/engine.h"\n#include "crypto/secret.h"\n',
     "src/redact/render.cpp:2: layer src/redact may not include crypto/secret.h (layer crypto)"),
    ("src/redact/session.cpp", '  #  include "vault/vault.h"  // I/O\n',
     "src/redact/session.cpp:1: layer src/redact may not include vault/vault.h (layer vault)"),
    ("src/redact/tokenizer.cpp", '#include "src/share.h"\n',
     "src/redact/tokenizer.cpp:1: layer src/redact may not include src/share.h (layer src)"),
    ("src/text/utf8.cpp", '#include "src/redact/engine.h"\n',
     "src/text/utf8.cpp:1: layer src/text may not include src/redact/engine.h (layer src/redact)"),
    ("src/export.cpp", '#include "cli/common.h"\n',
     "src/export.cpp:1: layer src may not include cli/common.h (layer cli)"),
    ("cli/cmd_add.cpp", '#include "tests/test_support.h"\n',
     "cli/cmd_add.cpp:1: layer cli may not include tests/test_support.h (layer tests)"),
    ("src/search.cpp", '#include "bench/timer.h"\n',
     "src/search.cpp:1: layer src may not include bench/timer.h (layer bench)"),
    ("crypto/age.cpp", '#include "../vault/vault.h"\n',
     "crypto/age.cpp:1: layer crypto may not include vault/vault.h (layer vault)"),
    ("crypto/hkdf.cpp", "#include <vault/vault.h>\n",
     "crypto/hkdf.cpp:1: layer crypto may not include vault/vault.h (layer vault)"),
    ("crypto/base64.cpp", '#include "vault/not_written_yet.h"\n',
     "crypto/base64.cpp:1: layer crypto may not include vault/not_written_yet.h (layer vault)"),
    ("bench/bench_vault.cpp", '#include "tests/test_support.h"\n',
     "bench/bench_vault.cpp:1: layer bench may not include tests/test_support.h (layer tests)"),
    ("tests/cli/test_common.cpp", '#include "cli/common.h"\n',
     "tests/cli/test_common.cpp:1: layer tests may not include cli/common.h (layer cli)"),
    ("tools/gen.cpp", "int main() {}\n",
     "tools/gen.cpp:1: file is in no layer (place it in one, or give its folder a rule in "
     "tests/tools/check_layers.py)"),
]


def _write_tree(root, files):
    for rel, text in files.items():
        path = os.path.join(root, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)


def _run_script(root):
    proc = subprocess.run([sys.executable, os.path.abspath(__file__), root],
                          capture_output=True, text=True)
    return proc.returncode, proc.stdout


def self_test():
    failures = []

    def expect(cond, what):
        if not cond:
            failures.append(what)

    with tempfile.TemporaryDirectory(prefix="check_layers.") as tmp:
        clean = os.path.join(tmp, "clean")
        _write_tree(clean, CLEAN_TREE)
        violations, n_files, n_includes, _ = check(clean)
        expect(violations == [], f"clean tree reported {violations}")
        expect(n_files == len(CLEAN_TREE) - 2, f"clean tree: {n_files} files scanned")
        expect(n_includes == 27, f"clean tree: {n_includes} project includes checked, not 27")
        code, out = _run_script(clean)
        expect(code == 0 and "respect the layers" in out,
               f"clean tree: exit {code}, output {out!r}")

        for i, (rel, text, wanted) in enumerate(VIOLATIONS):
            tree = os.path.join(tmp, f"bad{i}")
            _write_tree(tree, {**CLEAN_TREE, rel: text})
            violations, _, _, _ = check(tree)
            expect(violations == [wanted], f"{rel}: reported {violations}, wanted [{wanted!r}]")

        # All at once, through the command line: exit 1 and every line printed.
        every = os.path.join(tmp, "every")
        _write_tree(every, {**CLEAN_TREE, **{rel: text for rel, text, _ in VIOLATIONS}})
        code, out = _run_script(every)
        expect(code == 1, f"tree with every violation: exit {code}, not 1")
        expect(sorted(out.splitlines()) == sorted(w for _, _, w in VIOLATIONS),
               f"tree with every violation printed {out!r}")

        # A folder that is not a project root is an error, not a clean pass.
        empty = os.path.join(tmp, "empty")
        os.makedirs(empty)
        code, _ = _run_script(empty)
        expect(code == 2, f"empty tree: exit {code}, not 2")

    for f in failures:
        print(f"check_layers: self-test failed: {f}", file=sys.stderr)
    if failures:
        return 1
    print(f"check_layers: self-test passed ({len(VIOLATIONS)} violations caught, clean tree clean)")
    return 0


def main(argv):
    if argv == ["--self-test"]:
        return self_test()
    if len(argv) > 1 or (argv and argv[0].startswith("-")):
        print("usage: check_layers.py [ROOT] | --self-test", file=sys.stderr)
        return 2
    root = argv[0] if argv else os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
    return run(os.path.normpath(root))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
