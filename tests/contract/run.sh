#!/usr/bin/env bash
# SDK contract tests: the networks' most used client libraries (masto,
# twitter-api-v2, @atproto/api; pinned in package-lock.json, installed by
# scripts/bootstrap) log in, post, read back and meet each error against the
# simulator, and must accept every answer. X's client speaks only HTTPS, so a
# second simulator serves TLS with a throwaway CA the client is told to trust.
#   run.sh <herald-simulator binary>
set -euo pipefail
SIMULATOR=$1
HERE=$(cd "$(dirname "$0")" && pwd)
command -v node >/dev/null || { echo "SKIP: node is not installed (scripts/bootstrap installs it)"; exit 77; }
[ -d "$HERE/node_modules/masto" ] || { echo "SKIP: npm packages missing (scripts/bootstrap runs npm ci)"; exit 77; }
DIR=$(mktemp -d)
PIDS=()
trap 'for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done; rm -rf "$DIR"' EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=sim test CA" \
  -keyout "$DIR/ca.key" -out "$DIR/ca.pem" >/dev/null 2>&1
openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" -keyout "$DIR/sim.key" -out "$DIR/sim.csr" >/dev/null 2>&1
printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' >"$DIR/san.ext"
openssl x509 -req -in "$DIR/sim.csr" -CA "$DIR/ca.pem" -CAkey "$DIR/ca.key" -CAcreateserial -days 1 \
  -extfile "$DIR/san.ext" -out "$DIR/sim.pem" >/dev/null 2>&1

HTTP_PORT=$(free_port)
TLS_PORT=$(free_port)
ACCOUNTS="tok-a:alice,tok-b:bob"
# Uploads process for a while, so the clients' waiting is exercised too.
"$SIMULATOR" --port="$HTTP_PORT" --accounts="$ACCOUNTS" --media-processing-ms=1200 >"$DIR/http.log" 2>&1 &
PIDS+=($!)
"$SIMULATOR" --port="$TLS_PORT" --accounts="$ACCOUNTS" --media-processing-ms=1200 --tls-cert-file="$DIR/sim.pem" \
  --tls-key-file="$DIR/sim.key" >"$DIR/tls.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 100); do
  curl -sf "http://127.0.0.1:$HTTP_PORT/healthz" >/dev/null &&
    curl -sf --cacert "$DIR/ca.pem" "https://127.0.0.1:$TLS_PORT/healthz" >/dev/null && break
  sleep 0.1
done

cd "$HERE"
if ! SIM_URL="http://127.0.0.1:$HTTP_PORT" SIM_TLS_URL="https://127.0.0.1:$TLS_PORT" \
  NODE_EXTRA_CA_CERTS="$DIR/ca.pem" node --test ./*.test.mjs; then
  echo "--- simulator (http) log"; tail -20 "$DIR/http.log"
  echo "--- simulator (tls) log"; tail -20 "$DIR/tls.log"
  exit 1
fi
