#!/usr/bin/env bash
# scripts/try-network's tool against the simulator: it verifies the
# credentials, publishes one post and reads it back on every network, prints
# each step as JSON, and fails (exit 1) when the network refuses.
#   try_network_test.sh <herald-try-network> <herald-simulator>
set -euo pipefail
TRY=$1
SIMULATOR=$2
DIR=$(mktemp -d)
trap 'kill $PID 2>/dev/null; wait $PID 2>/dev/null; rm -rf "$DIR"' EXIT
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
"$SIMULATOR" --port="$PORT" --accounts="tok-a:alice" >"$DIR/log" 2>&1 &
PID=$!
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done
BASE="http://127.0.0.1:$PORT"
passed=0
for network in mastodon x bluesky linkedin facebook instagram; do
  out=$(HERALD_TRY_TOKEN=tok-a HERALD_TRY_IDENTIFIER=alice.bsky.social "$TRY" --network="$network" --base-url="$BASE" \
    --text="try-network on $network" --media-url="$BASE/_sim/media/photo.jpg" --timeout-ms=5000) ||
    { echo "FAIL: $network"; echo "$out"; exit 1; }
  grep -q '"kind":"published"' <<<"$out" || { echo "FAIL: $network did not publish"; echo "$out"; exit 1; }
  grep -q "try-network on $network" <<<"$out" || { echo "FAIL: $network: not read back"; echo "$out"; exit 1; }
  passed=$((passed + 1))
done
# A refused token is reported, step named, and the exit code says so.
if out=$(HERALD_TRY_TOKEN=wrong "$TRY" --network=mastodon --base-url="$BASE"); then
  echo "FAIL: a wrong token exited 0"; echo "$out"; exit 1
fi
grep -q '"step":"verify_credentials","ok":false' <<<"$out" || { echo "FAIL: no failed step"; echo "$out"; exit 1; }
# No token in the environment: refused before any call.
if HERALD_TRY_TOKEN= "$TRY" --network=mastodon --base-url="$BASE" 2>/dev/null; then
  echo "FAIL: ran without a token"; exit 1
fi
echo "$((passed + 2)) passed, 0 failed"
