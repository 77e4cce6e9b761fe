#!/usr/bin/env bash
# Scores the detection engine on the shared evaluation sets with a release build.
#
#   scripts/eval.sh [score.py options, e.g. --json]
#
# The sets are read from $SEKIMORI_SHARED, or ../shared beside the repository.
# municipal-dev, realistic-dev and the team's own held-out set
# (tests/fixtures/own-realistic.jsonl, never used for tuning) are scored on every
# category; stockmark-names labels names only.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
shared=${SEKIMORI_SHARED:-$repo/../shared}
if [ ! -f "$shared/eval/score.py" ]; then
  echo "eval.sh: $shared/eval/score.py not found; set SEKIMORI_SHARED to the shared/ directory" >&2
  exit 2
fi
cd "$repo"
cargo build --release --quiet --bin sekimori
bin=${CARGO_TARGET_DIR:-$repo/target}/release/sekimori
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
status=0
for set in municipal-dev realistic-dev stockmark-names own-realistic; do
  file="$shared/eval/$set.jsonl"
  [ "$set" = own-realistic ] && file="$repo/tests/fixtures/own-realistic.jsonl"
  case $set in
    stockmark-names) cats=(--categories name) ;;
    *) cats=() ;;
  esac
  echo "== $set"
  # Exit 1 only means "something was found"; 2 is an error.
  rc=0
  "$bin" scan --jsonl "$file" >"$out/$set.jsonl" || rc=$?
  if [ "$rc" -gt 1 ]; then
    echo "eval.sh: sekimori scan failed on $set (exit $rc)" >&2
    status=2
    continue
  fi
  python3 "$shared/eval/score.py" "$file" "$out/$set.jsonl" "${cats[@]}" "$@"
done
exit "$status"
