#!/usr/bin/env bash
# Share and receive ~100 MB of records, against Debian's age encrypting and decrypting the
# same tar in the same run. Usage: bench/bench_share.sh [build/cli/fieldnotes] [MB]
set -euo pipefail
FN=$(realpath "${1:-build/cli/fieldnotes}")
MB=${2:-100}
work=$(mktemp -d "${TMPDIR:-/tmp}/fn-bench-share.XXXXXX")
trap 'rm -rf "$work"' EXIT
printf 'bench passphrase\n' > "$work/pw"
fa() { "$FN" -q --vault "$work/A" --passphrase-fd 3 "$@" 3<"$work/pw"; }
fb() { "$FN" -q --vault "$work/B" --passphrase-fd 3 "$@" 3<"$work/pw"; }
now() { date +%s.%N; }
fa init --kdf-profile test >/dev/null
fb init --kdf-profile test >/dev/null
b=$(fb identity show --json); a=$(fa identity show --json)
j() { python3 -c "import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])" "$1" "$2"; }
fa contact add Bob --age "$(j "$b" age)" --minisign "$(j "$b" minisign)"
fb contact add Alice --age "$(j "$a" age)" --minisign "$(j "$a" minisign)"
# MB records of 1 MiB of synthetic testimony each
mkdir "$work/in"
python3 - "$work/in" "$MB" <<'PY'
import os, random, sys
random.seed(1)
words = "свидетель сказал что командир роты забрал телефон the witness said that unit commander took phone 2024 года марта отказался идти на штурм".split()
for i in range(int(sys.argv[2])):
    out, n = [], 0
    while n < 1 << 20:
        w = random.choice(words); out.append(w); n += len(w.encode()) + 1
    with open(os.path.join(sys.argv[1], "r%04d.txt" % i), "w") as f:
        f.write(" ".join(out)[: (1 << 20) - 8])
PY
fa import "$work/in" >/dev/null
ids=$(seq 1 "$MB")
age-keygen -o "$work/carol.key" 2>/dev/null
carol=$(grep -o 'age1[0-9a-z]*' "$work/carol.key" | head -1)

t0=$(now); fa share $ids --to Bob --full --confirm-full -o "$work/full.age"; t1=$(now)
fb receive "$work/full.age" >/dev/null; t2=$(now)
t3=$(now); fa share $ids --to Bob -o "$work/red.age"; t4=$(now)
# the same payload, encrypted and decrypted by age alone
fa contact add Carol --age "$carol"
fa share $ids --to Carol --full --confirm-full -o "$work/carol.age"
age -d -i "$work/carol.key" "$work/carol.age" > "$work/payload.tar"
t5=$(now); age -r "$carol" -o "$work/plain.age" "$work/payload.tar"; t6=$(now)
age -d -i "$work/carol.key" -o "$work/back.tar" "$work/plain.age"; t7=$(now)
size=$(stat -c %s "$work/payload.tar")
python3 - "$size" "$t0" "$t1" "$t2" "$t3" "$t4" "$t5" "$t6" "$t7" <<'PY'
import sys
size = int(sys.argv[1]); t = [float(x) for x in sys.argv[2:]]
mb = size / 1e6
share_full, receive, share_red, age_enc, age_dec = t[1]-t[0], t[2]-t[1], t[4]-t[3], t[6]-t[5], t[7]-t[6]
print("payload %.1f MB (tar of %s records)" % (mb, "the"))
for name, s, base in (("share --full", share_full, age_enc), ("receive", receive, age_dec), ("share (redacted)", share_red, age_enc)):
    print("%-18s %6.2f s  %7.1f MB/s   age alone %5.2f s %7.1f MB/s   ratio %.2f" % (name, s, mb / s, base, mb / base, base / s))
PY
