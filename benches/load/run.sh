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
#
# Needs: wrk and nginx (Debian: apt-get install wrk nginx-light). Uses ports
# 18901 (upstream), 18902 (nginx proxy), 18903 (Sekimori) on 127.0.0.1 only.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
DURATION="${DURATION:-10s}"
CONNECTIONS="${CONNECTIONS:-50}"
THREADS="${THREADS:-2}"
PROMPT="${PROMPT:-山田太郎さん（090-1234-5678）に来週の面談日程を連絡する文面を作ってください。}"
SEKIMORI_BIN="${SEKIMORI_BIN:-$root/target/release/sekimori}"

for tool in wrk nginx; do
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
  rm -rf "$work"
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

cat > "$work/sekimori.toml" <<TOML
[server]
listen = "127.0.0.1:18903"
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
TOML
SEKIMORI_STATE_DIR="$work/state" SEKIMORI_LOG=warn "$SEKIMORI_BIN" serve --config "$work/sekimori.toml" 2>"$work/sekimori.log" &
pids+=($!)

body="$(printf '{"model":"m","messages":[{"role":"user","content":"%s"}]}' "$PROMPT")"
cat > "$work/post.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = [[$body]]
LUA

# Wait (bounded) for both listeners.
for port in 18902 18903; do
  for _ in $(seq 1 100); do
    if curl -s -o /dev/null "http://127.0.0.1:$port/healthz" -X GET 2>/dev/null; then break; fi
    sleep 0.1
  done
done
# Sanity: Sekimori masks and restores.
curl -s "http://127.0.0.1:18903/v1/chat/completions" -H 'content-type: application/json' -d "$body" | head -c 300; echo

printf '\n%-10s %12s %10s %10s %10s %8s\n' target req/s p50 p90 p99 errors
for target in direct:18901 nginx:18902 sekimori:18903; do
  name="${target%%:*}"; port="${target##*:}"
  out="$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -s "$work/post.lua" "http://127.0.0.1:$port/v1/chat/completions")"
  rps="$(awk '/Requests\/sec/ {print $2}' <<<"$out")"
  p50="$(awk '$1=="50%" {print $2}' <<<"$out")"
  p90="$(awk '$1=="90%" {print $2}' <<<"$out")"
  p99="$(awk '$1=="99%" {print $2}' <<<"$out")"
  errs="$(awk '/Non-2xx|Socket errors/ {print}' <<<"$out" | tr '\n' ' ')"
  printf '%-10s %12s %10s %10s %10s %8s\n' "$name" "$rps" "$p50" "$p90" "$p99" "${errs:-0}"
done
