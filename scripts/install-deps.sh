#!/usr/bin/env bash
# Installs what fieldnotes needs to build and test on Debian 12 (bookworm), Tails included.
# Idempotent: packages already present are left alone. Uses sudo only when not root.
set -euo pipefail

packages=(
  build-essential cmake pkg-config python3 libssl-dev
  libsodium-dev libsqlcipher-dev libcli11-dev nlohmann-json3-dev
  libicu-dev libre2-dev libphonenumber-dev libarchive-dev libqrencode-dev
  libexiv2-dev libqpdf-dev libjpeg-dev
  age minisign tar coreutils bsdutils libimage-exiftool-perl qpdf strace
  catch2
  sqlcipher
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
echo "install-deps: installed ${missing[*]}"
