#!/usr/bin/env bash
# Load test on loopback: the same POST /v1/chat/completions sent
#   1. direct to a fixed-answer upstream (nginx `return 200`),
#   2. through nginx as a plain reverse proxy,
#   3. through Sekimori (inspect + mask + forward + restore),
# with wrk. Prints requests/s and latency percentiles for each.
#
#   benches/load/run.sh                # 10 s per target, 50 connections (procurement item (5))
#   DURATION=30s CONNECTIONS=100 THREADS=2 benches/load/run.sh
#   SEKIMORI_BIN=target/debug/sekimori benches/load/run.sh   # default: target/release/sekimori
#   STATE_DIR=/dev/shm/sk benches/load/run.sh   # audit log on tmpfs: separates fsync cost
#   RATE=1000 PROMPT_KIB=4 benches/load/run.sh   # open loop at a fixed rate with oha
#                                                # (cargo install oha): added latency at 1,000 req/s
#   BEFORE_BIN=/path/to/old/sekimori benches/load/run.sh   # also an older build, same run
#   NOINSPECT=0 benches/load/run.sh    # skip the Sekimori run with every category disabled
#
# Besides the three targets, Sekimori also runs with every detection category disabled
# ("sekimori-noinsp": parse, authorise, audit, forward and restore, no detector), so the
# proxy machinery can be compared with nginx's hop apart from the cost of inspection.
#
# Needs: wrk and nginx (Debian: apt-get install wrk nginx-light). Uses ports
# 18901 (upstream), 18902 (nginx proxy), 18903 (Sekimori), 18904 (Sekimori without
# detection), 18905 (BEFORE_BIN) on 127.0.0.1 only.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
DURATION="${DURATION:-10s}"
CONNECTIONS="${CONNECTIONS:-50}"
THREADS="${THREADS:-2}"
PROMPT="${PROMPT:-山田太郎さん（090-1234-5678）に来週の面談日程を連絡する文面を作ってください。}"
RATE="${RATE:-}"
PROMPT_KIB="${PROMPT_KIB:-}"
if [ -n "$PROMPT_KIB" ]; then
  # A prompt of about PROMPT_KIB KiB: ordinary municipal prose around the two findings.
  filler="本市では、地域の子育て支援と高齢者福祉の連携を強化するため、来年度の事業計画を見直しています。"
  while [ "$(printf %s "$PROMPT" | wc -c)" -lt $((PROMPT_KIB * 1024)) ]; do PROMPT="$filler$PROMPT"; done
fi
SEKIMORI_BIN="${SEKIMORI_BIN:-$root/target/release/sekimori}"
BEFORE_BIN="${BEFORE_BIN:-}"
NOINSPECT="${NOINSPECT:-1}"

tools="wrk nginx"; [ -n "$RATE" ] && tools="oha nginx"
for tool in $tools; do
  command -v "$tool" >/dev/null || { echo "missing $tool: apt-get install wrk nginx-light" >&2; exit 2; }
done
if [ ! -x "$SEKIMORI_BIN" ]; then
  echo "building $SEKIMORI_BIN (cargo build --release)" >&2
  (cd "$root" && cargo build --release --bin sekimori)
fi

work="$(mktemp -d)"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  if [ -f "$work/nginx.pid" ]; then kill "$(cat "$work/nginx.pid")" 2>/dev/null || true; fi
  sleep 0.5
  rm -rf "$work" ${state:+"$state"}
}
trap cleanup EXIT

answer='{"id":"x","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"承知しました。〔氏名1〕様へのご連絡文です。"},"finish_reason":"stop"}],"usage":{"prompt_tokens":40,"completion_tokens":20,"total_tokens":60}}'

cat > "$work/nginx.conf" <<NGINX
worker_processes 1;
pid $work/nginx.pid;
error_log $work/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  # Bodies up to 1 MiB stay in memory (nginx's workers cannot write to the temp path
  # below when started as root, and a 16 KiB prompt exceeds the default buffer).
  client_body_buffer_size 1m;
  client_body_temp_path $work/body;
  proxy_temp_path $work/proxy;
  fastcgi_temp_path $work/fastcgi;
  uwsgi_temp_path $work/uwsgi;
  scgi_temp_path $work/scgi;
  upstream fixed { server 127.0.0.1:18901; keepalive 64; }
  server {
    listen 127.0.0.1:18901;
    location / { default_type application/json; return 200 '$answer'; }
  }
  server {
    listen 127.0.0.1:18902;
    location / { proxy_pass http://fixed; proxy_http_version 1.1; proxy_set_header Connection ""; }
  }
}
NGINX
nginx -c "$work/nginx.conf" -p "$work"

# One audit directory per Sekimori instance, removed at the end.
state="$(mktemp -d "${STATE_DIR:-$work}/run.XXXXXX")"
start_sekimori() { # name port bin [extra toml]
  cat > "$work/$1.toml" <<TOML
[server]
listen = "127.0.0.1:$2"
max_connections = 4096
reload_poll_secs = 0

[policy]
default_action = "mask"

[auth]
allow_anonymous = true

[[upstreams]]
name = "fixed"
provider = "on_premises"
residency = "on-premises"
base_url = "http://127.0.0.1:18901"

[[routes]]
api = "openai"
upstream = "fixed"
${4:-}
TOML
  SEKIMORI_STATE_DIR="$state/$1" SEKIMORI_LOG=warn "$3" serve --config "$work/$1.toml" 2>"$work/$1.log" &
  pids+=($!)
}
targets="direct:18901 nginx:18902"
if [ -n "$BEFORE_BIN" ]; then
  start_sekimori before 18905 "$BEFORE_BIN"
  targets="$targets before:18905"
fi
start_sekimori sekimori 18903 "$SEKIMORI_BIN"
targets="$targets sekimori:18903"
if [ "$NOINSPECT" != 0 ]; then
  start_sekimori noinsp 18904 "$SEKIMORI_BIN" '
[detection]
disabled = ["name", "address", "phone", "my_number", "email"]
builtin_word_lists = false'
  targets="$targets sekimori-noinsp:18904"
fi

body="$(printf '{"model":"m","messages":[{"role":"user","content":"%s"}]}' "$PROMPT")"
cat > "$work/post.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = [[$body]]
LUA

# Wait (bounded) for every listener.
for target in $targets; do
  port="${target##*:}"
  for _ in $(seq 1 100); do
    if curl -s -o /dev/null "http://127.0.0.1:$port/healthz" -X GET 2>/dev/null; then break; fi
    sleep 0.1
  done
done
# Sanity: Sekimori masks and restores.
curl -s "http://127.0.0.1:18903/v1/chat/completions" -H 'content-type: application/json' -d "$body" | head -c 300; echo

if [ -n "$RATE" ]; then
  # Open loop: oha sends RATE requests/s whatever the latency (with latency correction),
  # so percentiles show the latency each hop adds at that rate, not a saturated queue.
  printf '%s' "$body" > "$work/body.json"
  printf '\nopen loop at %s req/s, %s bytes of prompt, %s\n' "$RATE" "$(printf %s "$PROMPT" | wc -c)" "$DURATION"
  printf '%-16s %12s %10s %10s %10s %8s\n' target req/s p50 p90 p99 non-2xx
  for target in $targets; do
    name="${target%%:*}"; port="${target##*:}"
    oha -z "$DURATION" -q "$RATE" -c "$CONNECTIONS" --latency-correction --no-tui --output-format json \
      -m POST -H 'content-type: application/json' -D "$work/body.json" \
      "http://127.0.0.1:$port/v1/chat/completions" > "$work/oha-$name.json"
    python3 - "$work/oha-$name.json" "$name" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
p = r["latencyPercentiles"]
ms = lambda v: "%.3fms" % (v * 1000) if v is not None else "-"
codes = r.get("statusCodeDistribution", {})
bad = sum(n for c, n in codes.items() if not c.startswith("2"))
print("%-16s %12.1f %10s %10s %10s %8d" % (sys.argv[2], r["summary"]["requestsPerSec"], ms(p["p50"]), ms(p["p90"]), ms(p["p99"]), bad))
PY
  done
  exit 0
fi

printf '\n%-16s %12s %10s %10s %10s %8s\n' target req/s p50 p90 p99 errors
for target in $targets; do
  name="${target%%:*}"; port="${target##*:}"
  out="$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -s "$work/post.lua" "http://127.0.0.1:$port/v1/chat/completions")"
  rps="$(awk '/Requests\/sec/ {print $2}' <<<"$out")"
  p50="$(awk '$1=="50%" {print $2}' <<<"$out")"
  p90="$(awk '$1=="90%" {print $2}' <<<"$out")"
  p99="$(awk '$1=="99%" {print $2}' <<<"$out")"
  errs="$(awk '/Non-2xx|Socket errors/ {print}' <<<"$out" | tr '\n' ' ')"
  printf '%-16s %12s %10s %10s %10s %8s\n' "$name" "$rps" "$p50" "$p90" "$p99" "${errs:-0}"
done
