#!/usr/bin/env bash
# A walk through fieldnotes on a temporary vault with synthetic testimony:
# init, add, list, search, register import, redacted export. Everything is removed at the end.
# Usage: scripts/demo.sh [path/to/fieldnotes]
set -euo pipefail
FN=$(realpath "${1:-build/cli/fieldnotes}")
work=$(mktemp -d "${TMPDIR:-/tmp}/fieldnotes-demo.XXXXXX")
trap 'rm -rf "$work"' EXIT
vault="$work/vault"
pass="$work/passphrase"          # demo only: a real passphrase is typed at the prompt
printf 'demo passphrase, not for real testimony\n' > "$pass"
fn() { "$FN" --vault "$vault" --passphrase-fd 3 "$@" 3<"$pass"; }
step() { printf '\n\033[1m$ fieldnotes %s\033[0m\n' "$*"; }

step init --kdf-profile test
fn init --kdf-profile test >"$work/recovery" 2>/dev/null
echo "(recovery key printed once; kept in $work/recovery for this demo)"

step add --title "Testimony of the mother" --case "Case 17"
fn -q add --title "Testimony of the mother" --case "Case 17" --tag mobilisation <<'TXT'
Я, Дегтярёва Анна Петровна, мать Юрия Андреевича Дегтярёва, 12.04.2001 г.р.
Юра служил в в/ч 12345 и отказался идти на штурм. Его командир, капитан Соколов,
забрал телефон. Связаться: +7 916 555-01-23, @yura_d. Адвокат Павел Чиков в курсе.
TXT
step add --title "Witness statement" --case "Case 17"
fn -q add --title "Witness statement" --case "Case 17" <<'TXT'
Witness Mr. Oleg Brovko saw Yuri Degtyarev at the checkpoint near Belgorod on 3 March.
He can be reached at oleg.brovko@example.org or +380 67 123 45 67.
TXT

step list
fn -q list
step search Degtiarev "(Latin spelling finds Cyrillic)"
fn -q search Degtiarev

step person import register.json
cat > "$work/register.json" <<'JSON'
[{"name": "Юрий Андреевич Дегтярёв", "aliases": ["Yura"], "role": "client",
  "phones": ["+7 916 555-01-23"], "handles": ["@yura_d"], "pseudonym": "Client A"},
 {"name": "Дегтярёва Анна Петровна", "role": "relative"},
 {"name": "Павел Чиков", "aliases": ["Pavel Chikov"], "role": "lawyer", "disclose": true}]
JSON
fn -q person import "$work/register.json"
fn -q person list

step export 1 2 "(redacted by default)"
fn -q export 1 2

step verify
fn -q verify
step log
fn -q log
