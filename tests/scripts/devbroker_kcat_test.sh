#!/usr/bin/env bash
# The dev broker is a real Kafka-protocol broker: a standard client (kcat)
# sees every topic with its partition count, produces to it and consumes back.
set -euo pipefail
DEVBROKER=$1
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
DIR=$(mktemp -d)
trap 'kill $PID 2>/dev/null; wait $PID 2>/dev/null; rm -rf "$DIR"' EXIT
"$DEVBROKER" --bootstrap-file="$DIR/bootstrap" >"$DIR/log" 2>&1 &
PID=$!
for _ in $(seq 1 100); do [ -s "$DIR/bootstrap" ] && break; sleep 0.1; done
B=$(cat "$DIR/bootstrap")
[ -n "$B" ] || { echo "FAIL: no bootstrap file"; cat "$DIR/log"; exit 1; }

meta=$(kcat -b "$B" -L)
# Here-strings, not `echo | grep -q`: grep -q exits at its first match, and
# with pipefail the echo it cut off (SIGPIPE) would fail the check.
grep -q '3 brokers' <<<"$meta" || { echo "FAIL: want 3 brokers"; echo "$meta"; exit 1; }
grep -v '^#' "$ROOT/proto/topics.tsv" | while IFS=$'\t' read -r name partitions _; do
  [ -n "$name" ] || continue
  grep -q "topic \"$name\" with $partitions partitions" <<<"$meta" ||
    { echo "FAIL: topic $name should have $partitions partitions"; exit 1; }
done

printf 'k1:hello\nk2:world\n' | kcat -b "$B" -t mentions -P -K: -X enable.idempotence=true
got=$(timeout 20 kcat -b "$B" -t mentions -C -o beginning -e -q -f '%k=%s\n' | sort)
[ "$got" = $'k1=hello\nk2=world' ] || { echo "FAIL: consumed '$got'"; exit 1; }
echo "1 passed, 0 failed"
