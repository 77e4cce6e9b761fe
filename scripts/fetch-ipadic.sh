#!/usr/bin/env bash
# Prepare the IPADIC source that build.rs compiles into the sekimori binary.
#
# Source: Debian's `mecab-ipadic` package (IPADIC 2.7.0, EUC-JP), converted to UTF-8.
# Nothing is downloaded except through apt (Debian's registry). Idempotent: a finished
# source directory (marked by .complete) is left as it is.
#
#   usage: scripts/fetch-ipadic.sh [DEST]
#   DEST defaults to $SEKIMORI_IPADIC_SRC, else ~/.cache/sekimori/ipadic-src
set -euo pipefail

dest="${1:-${SEKIMORI_IPADIC_SRC:-$HOME/.cache/sekimori/ipadic-src}}"
cache="$(dirname "$dest")"
if [ -f "$dest/.complete" ]; then
  exit 0
fi
mkdir -p "$cache"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

deb="$(ls "$cache"/mecab-ipadic_*.deb 2>/dev/null | head -n1 || true)"
if [ -z "$deb" ]; then
  if ! (cd "$cache" && apt-get download mecab-ipadic >/dev/null 2>&1); then
    if [ "$(id -u)" = 0 ]; then
      apt-get update -qq >/dev/null
      (cd "$cache" && apt-get download mecab-ipadic >/dev/null)
    else
      echo "fetch-ipadic: 'apt-get download mecab-ipadic' failed; run 'sudo apt-get update' and retry" >&2
      exit 1
    fi
  fi
  deb="$(ls "$cache"/mecab-ipadic_*.deb | head -n1)"
fi

dpkg-deb -x "$deb" "$work/x"
src="$(dirname "$(find "$work/x" -name matrix.def | head -n1)")"
if [ -z "$src" ] || [ ! -f "$src/char.def" ]; then
  echo "fetch-ipadic: $deb does not contain the IPADIC sources (matrix.def, char.def)" >&2
  exit 1
fi

rm -rf "$dest.tmp" && mkdir -p "$dest.tmp"
for f in "$src"/*.csv "$src"/char.def "$src"/unk.def "$src"/matrix.def "$src"/left-id.def "$src"/right-id.def; do
  iconv -f EUC-JP -t UTF-8 "$f" > "$dest.tmp/$(basename "$f")"
done
touch "$dest.tmp/.complete"
rm -rf "$dest" && mv "$dest.tmp" "$dest"
echo "fetch-ipadic: IPADIC source ready in $dest ($(ls "$dest"/*.csv | wc -l) CSV files)"
