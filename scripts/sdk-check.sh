#!/usr/bin/env bash
# The official OpenAI SDKs (Python and Node) against `sekimori serve` with its embedded
# defaults (demo upstream, loopback): chat, streams, `responses.stream()`, embeddings in
# the SDKs' default base64 encoding, models. Installs the SDKs into ~/.cache/sekimori
# (PyPI and npm), starts the gateway on a free loopback port, stops it on exit.
#
# Usage: scripts/sdk-check.sh [path/to/sekimori]   (default: the debug build)
set -euo pipefail
cd "$(dirname "$0")/.."
target="${CARGO_TARGET_DIR:-$HOME/.cache/sekimori/target}"
bin="${1:-$target/debug/sekimori}"
[ -x "$bin" ] || cargo build --bin sekimori
cache="$HOME/.cache/sekimori/sdk"
mkdir -p "$cache"

# Python SDK in its own virtual environment.
if [ ! -x "$cache/py/bin/python" ]; then
  python3 -m venv "$cache/py"
fi
"$cache/py/bin/pip" install -q -r tests/sdk/requirements.txt

# Node SDK (node and npm come with the machine; Debian's nodejs otherwise).
command -v npm >/dev/null || { apt-get update -qq && apt-get install -y -qq nodejs npm; }
cp tests/sdk/package.json tests/sdk/check_openai.mjs "$cache/"
(cd "$cache" && npm install --silent --no-audit --no-fund >/dev/null)

# A free loopback port, then the gateway; bounded wait for it to listen.
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
state=$(mktemp -d)
SEKIMORI_STATE_DIR="$state" "$bin" serve --listen "127.0.0.1:$port" >"$cache/serve.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true; rm -rf "$state"' EXIT
for _ in $(seq 1 100); do
  curl -sf "http://127.0.0.1:$port/v1/models" >/dev/null 2>&1 && break
  kill -0 $pid 2>/dev/null || { cat "$cache/serve.log"; exit 1; }
  sleep 0.1
done
export SEKIMORI_URL="http://127.0.0.1:$port"

"$cache/py/bin/python" tests/sdk/check_openai.py
(cd "$cache" && node check_openai.mjs && npm ls openai --depth=0 | grep openai@)
