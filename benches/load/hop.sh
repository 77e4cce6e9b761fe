#!/usr/bin/env bash
# The hop on one core, against nginx in the same run (issue 14 item 5).
#
#   benches/load/hop.sh                       # build, run everything, append to RESULTS.md
#   BEFORE_BIN=/path/to/old/sekimori benches/load/hop.sh   # an older build beside it
#   DURATION=20 benches/load/hop.sh           # seconds per run (default 10)
#   STATE_DIR=/dev/shm benches/load/hop.sh    # audit logs on tmpfs (default: on disk, /var/tmp)
#   ONLY="sekimori nginx" benches/load/hop.sh # a subset of the targets
#
# Layout (2 cores at least; loopback only, ports 18911-18916 on 127.0.0.1):
#   core 0 (SUT_CORE): the system under test, alone: nginx as a reverse proxy (one
#     worker, `master_process off`), or Sekimori (`taskset`, `server.workers = 1`);
#   core 1 (CLIENT_CORE): the clients (wrk, the open-loop client) and the upstream
#     both hops share: a second nginx returning a canned OpenAI chat answer.
# Targets: `nginx` (the baseline hop), `sekimori` (inspection on), `sekimori-noinsp`
# (every category off: the hop without the scan), and with BEFORE_BIN `before` and
# `before-noinsp`; `direct` (the client straight to the canned upstream) gives the
# latency floor that "added" latency is measured against.
#
# Per target:
#   closed loop   wrk, CONNECTIONS (16) connections, 1 KiB and 16 KiB Japanese chat
#                 bodies: req/s and CPU µs per request (utime+stime of the process from
#                 /proc/<pid>/stat over the run, divided by the requests answered);
#   open loop     RATE (1,000) req/s, 1 KiB, with benches/load/openloop.rs (wrk2 is not
#                 in Debian; the client measures from each request's due time, so
#                 stalls are not hidden): p50 / p99, and CPU µs per request;
#   overload      16 KiB at OVERLOAD_RATE (2,000) req/s over OVERLOAD_CONNECTIONS (256)
#                 connections, more than one core can scan: peak RSS (VmHWM) and how many
#                 requests got a non-2xx answer (503 inspection_overloaded).
# Needs: nginx, wrk (installed with apt-get when missing and run as root), python3,
# taskset, cargo. Not part of `cargo test`.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
DURATION="${DURATION:-10}"
WARMUP="${WARMUP:-2}"
CONNECTIONS="${CONNECTIONS:-16}"
RATE="${RATE:-1000}"
OVERLOAD_RATE="${OVERLOAD_RATE:-2000}"
OVERLOAD_CONNECTIONS="${OVERLOAD_CONNECTIONS:-256}"
SUT_CORE="${SUT_CORE:-0}"
CLIENT_CORE="${CLIENT_CORE:-1}"
BEFORE_BIN="${BEFORE_BIN:-}"
OUT="${OUT:-$here/RESULTS.md}"
ONLY="${ONLY:-}"

for tool in nginx wrk; do
  if ! command -v "$tool" >/dev/null; then
    if [ "$(id -u)" = 0 ]; then
      DEBIAN_FRONTEND=noninteractive apt-get install -y -q nginx-light wrk >&2
    else
      echo "missing $tool: apt-get install nginx-light wrk" >&2; exit 2
    fi
  fi
done
for tool in python3 taskset cargo; do
  command -v "$tool" >/dev/null || { echo "missing $tool" >&2; exit 2; }
done

cd "$root"
SEKIMORI_BIN="${SEKIMORI_BIN:-}"
if [ -z "$SEKIMORI_BIN" ]; then
  cargo build --release --bin sekimori >&2
  SEKIMORI_BIN="${CARGO_TARGET_DIR:-$root/target}/release/sekimori"
fi
openloop="$(cargo bench --bench openloop --no-run 2>&1 | sed -n 's/.*Executable .*(\(.*openloop-[0-9a-f]*\)).*/\1/p' | tail -1)"
case "$openloop" in /*) ;; *) openloop="$root/$openloop" ;; esac
[ -x "$openloop" ] || { echo "could not build the open-loop client" >&2; exit 2; }

work="$(mktemp -d)"
state="$(mktemp -d "${STATE_DIR:-/var/tmp}/sekimori-hop.XXXXXX")"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  sleep 0.3
  rm -rf "$work" "$state"
}
trap cleanup EXIT

# --- bodies: an OpenAI chat request, one user message of municipal prose around an
# invented name and phone number (both masked), of about 1 KiB and 16 KiB.
python3 - "$work" <<'PY'
import json, sys
work = sys.argv[1]
core = "森川陽菜さん（090-1234-5678）に来週の面談日程を連絡する文面を作ってください。"
filler = "本市では、地域の子育て支援と高齢者福祉の連携を強化するため、来年度の事業計画を見直しています。"
for name, kib in (("1k", 1), ("16k", 16)):
    text = core
    while len(text.encode()) < kib * 1024:
        text = filler + text
    body = json.dumps({"model": "m", "messages": [{"role": "user", "content": text}]}, ensure_ascii=False)
    open(f"{work}/body-{name}.json", "w").write(body)
    open(f"{work}/post-{name}.lua", "w").write(
        'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\n'
        f'local f = io.open("{work}/body-{name}.json", "rb")\nwrk.body = f:read("*a")\nf:close()\n')
PY

answer='{"id":"x","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"承知しました。〔氏名1〕様へのご連絡文です。"},"finish_reason":"stop"}],"usage":{"prompt_tokens":40,"completion_tokens":20,"total_tokens":60}}'

# nginx, one process (no master), pinned; $1 name, $2 core, $3 server block.
start_nginx() {
  mkdir -p "$work/$1"
  cat > "$work/$1/nginx.conf" <<NGINX
daemon off;
master_process off;
worker_processes 1;
pid $work/$1/nginx.pid;
error_log $work/$1/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  # Bodies up to 1 MiB stay in memory (no temp files).
  client_body_buffer_size 1m;
  client_max_body_size 8m;
  client_body_temp_path $work/$1/body;
  proxy_temp_path $work/$1/proxy;
  fastcgi_temp_path $work/$1/fastcgi;
  uwsgi_temp_path $work/$1/uwsgi;
  scgi_temp_path $work/$1/scgi;
  keepalive_requests 1000000;
  $3
}
NGINX
  taskset -c "$2" nginx -c "$work/$1/nginx.conf" -p "$work/$1" &
  pids+=($!)
}
start_nginx upstream "$CLIENT_CORE" "server { listen 127.0.0.1:18911 reuseport; location / { default_type application/json; return 200 '$answer'; } }"

# Sekimori, pinned, one worker; $1 name, $2 port, $3 binary, $4 extra TOML.
start_sekimori() {
  cat > "$work/$1.toml" <<TOML
[server]
listen = "127.0.0.1:$2"
max_connections = 4096
workers = 1
reload_poll_secs = 0

[policy]
default_action = "mask"

[auth]
allow_anonymous = true

[[upstreams]]
name = "fixed"
provider = "on_premises"
residency = "on-premises"
base_url = "http://127.0.0.1:18911"

[[routes]]
api = "openai"
upstream = "fixed"
${4:-}
TOML
  mkdir -p "$state/$1"
  SEKIMORI_STATE_DIR="$state/$1" SEKIMORI_LOG="${SEKIMORI_LOG:-warn}" taskset -c "$SUT_CORE" "$3" serve --config "$work/$1.toml" 2>"$work/$1.log" &
  pids+=($!)
  sut_pid=$!
}
NOINSP='
[detection]
disabled = ["name", "address", "phone", "my_number", "email"]
builtin_word_lists = false'

wait_port() { # bounded
  for _ in $(seq 1 300); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  echo "port $1 did not open" >&2; return 1
}
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
hz="$(getconf CLK_TCK)"
us_per_req() { # ticks_before ticks_after requests
  python3 -c "import sys; b,a,n=map(float,sys.argv[1:]); print('%.0f' % ((a-b)*1e6/$hz/n) if n else '-')" "$1" "$2" "$3"
}
wrk_run() { # url body-name seconds -> "requests rps non2xx"
  local out
  out="$(taskset -c "$CLIENT_CORE" wrk -t1 -c"$CONNECTIONS" -d"${3}s" -s "$work/post-$2.lua" "$1")"
  awk '/requests in/ {n=$1} /Requests\/sec/ {r=$2} /Non-2xx/ {e=$NF} END {print n+0, r+0, e+0}' <<<"$out"
}
open_run() { # url body-name rate connections seconds -> json
  taskset -c "$CLIENT_CORE" "$openloop" --url "$1" --body "$work/body-$2.json" --rate "$3" \
    --connections "$4" --duration "$5" --timeout 10
}
field() { python3 -c "import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])" "$1" "$2"; }

wait_port 18911
rows_closed=(); rows_open=(); rows_over=()
url_of() { echo "http://127.0.0.1:$1/v1/chat/completions"; }

# direct: the latency floor.
direct="$(open_run "$(url_of 18911)" 1k "$RATE" "$CONNECTIONS" "$DURATION")"
rows_open+=("| direct (canned upstream) | $(field "$direct" p50_ms) | $(field "$direct" p99_ms) | — | — | | $(field "$direct" non_2xx)/$(field "$direct" errors) |")
direct_p50="$(field "$direct" p50_ms)"; direct_p99="$(field "$direct" p99_ms)"

measure() { # name port
  local name="$1" port="$2" url t0 t1 r
  url="$(url_of "$port")"
  wait_port "$port"
  curl -s -o /dev/null -X POST -H 'content-type: application/json' --data-binary @"$work/body-1k.json" "$url" || true
  taskset -c "$CLIENT_CORE" wrk -t1 -c"$CONNECTIONS" -d"${WARMUP}s" -s "$work/post-1k.lua" "$url" >/dev/null
  local cells="| $name |"
  for b in 1k 16k; do
    t0="$(ticks "$sut_pid")"; r=($(wrk_run "$url" "$b" "$DURATION")); t1="$(ticks "$sut_pid")"
    cells="$cells ${r[1]} | $(us_per_req "$t0" "$t1" "${r[0]}") | ${r[2]} |"
  done
  rows_closed+=("$cells")
  t0="$(ticks "$sut_pid")"; r="$(open_run "$url" 1k "$RATE" "$CONNECTIONS" "$DURATION")"; t1="$(ticks "$sut_pid")"
  local p50 p99
  p50="$(field "$r" p50_ms)"; p99="$(field "$r" p99_ms)"
  rows_open+=("| $name | $p50 | $p99 | $(python3 -c "print('%+.3f' % ($p50 - $direct_p50))") | $(python3 -c "print('%+.3f' % ($p99 - $direct_p99))") | $(us_per_req "$t0" "$t1" "$(field "$r" requests)") | $(field "$r" non_2xx)/$(field "$r" errors) |")
  # Overload: 16 KiB faster than one core can scan, many connections.
  r="$(open_run "$url" 16k "$OVERLOAD_RATE" "$OVERLOAD_CONNECTIONS" "$DURATION")"
  local hwm rss
  hwm="$(awk '/VmHWM/ {print $2}' "/proc/$sut_pid/status")"; rss="$(awk '/VmRSS/ {print $2}' "/proc/$sut_pid/status")"
  rows_over+=("| $name | $((hwm / 1024)) | $((rss / 1024)) | $(field "$r" requests) | $(field "$r" non_2xx) | $(field "$r" errors) | $(field "$r" p50_ms) |")
}
stop_sut() { kill "$sut_pid" 2>/dev/null || true; wait "$sut_pid" 2>/dev/null || true; }
want() { [ -z "$ONLY" ] || [[ " $ONLY " == *" $1 "* ]]; }

if want nginx; then
  start_nginx proxy "$SUT_CORE" "upstream fixed { server 127.0.0.1:18911; keepalive 64; keepalive_requests 1000000; }
  server { listen 127.0.0.1:18912; location / { proxy_pass http://fixed; proxy_http_version 1.1; proxy_set_header Connection \"\"; } }"
  sut_pid="${pids[-1]}"; measure nginx 18912; stop_sut
fi
if want sekimori; then start_sekimori sekimori 18913 "$SEKIMORI_BIN"; measure sekimori 18913; stop_sut; fi
if want sekimori-noinsp; then start_sekimori noinsp 18914 "$SEKIMORI_BIN" "$NOINSP"; measure sekimori-noinsp 18914; stop_sut; fi
if [ -n "$BEFORE_BIN" ]; then
  if want before; then start_sekimori before 18915 "$BEFORE_BIN"; measure before 18915; stop_sut; fi
  if want before-noinsp; then start_sekimori before-noinsp 18916 "$BEFORE_BIN" "$NOINSP"; measure before-noinsp 18916; stop_sut; fi
fi

{
  [ -s "$OUT" ] || printf '# Hop load results (`benches/load/hop.sh`)\n\nEach section is one run of the script; compare rows of one run only.\n'
  printf '\n## %s — %s (%s)\n\n' "$(date -u '+%Y-%m-%d %H:%M UTC')" "$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?')" "$(basename "$SEKIMORI_BIN")${BEFORE_BIN:+ vs $BEFORE_BIN}"
  printf 'Machine: %s CPUs (%s), load average at the end %s; SUT on core %s, clients and the canned upstream on core %s; audit log in %s; %s s per run, %s connections.\n\n' \
    "$(nproc)" "$(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)" "$(cut -d' ' -f1-3 /proc/loadavg)" "$SUT_CORE" "$CLIENT_CORE" "$(df --output=fstype "$state" | tail -1) ($(dirname "$state"))" "$DURATION" "$CONNECTIONS"
  printf 'Closed loop (wrk):\n\n| target | 1 KiB req/s | 1 KiB CPU µs/req | non-2xx | 16 KiB req/s | 16 KiB CPU µs/req | non-2xx |\n|---|---|---|---|---|---|---|\n'
  printf '%s\n' "${rows_closed[@]}"
  printf '\nOpen loop, %s req/s, 1 KiB (openloop.rs, latency from each request'"'"'s due time):\n\n| target | p50 ms | p99 ms | added p50 | added p99 | CPU µs/req | non-2xx/errors |\n|---|---|---|---|---|---|---|\n' "$RATE"
  printf '%s\n' "${rows_open[@]}"
  printf '\nOverload, 16 KiB at %s req/s over %s connections:\n\n| target | peak RSS (VmHWM) MiB | RSS after MiB | answered | non-2xx | errors | p50 ms |\n|---|---|---|---|---|---|---|\n' "$OVERLOAD_RATE" "$OVERLOAD_CONNECTIONS"
  printf '%s\n' "${rows_over[@]}"
} | tee -a "$OUT"
