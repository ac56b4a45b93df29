#!/usr/bin/env bash
# Creates the stack's tokens (random, once) in deploy/compose/secrets/, which git ignores:
# the ingest token the workload sends to the exporter, and the token Alertmanager sends
# to the receiver. docker-compose.yml mounts them as secrets.
set -euo pipefail
dir="$(cd "$(dirname "$0")/.." && pwd)/deploy/compose/secrets"
mkdir -p "$dir"
for name in ingest-token receiver-token; do
  if [ ! -s "$dir/$name" ]; then
    head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$dir/$name"
    chmod 600 "$dir/$name"
    echo "stack-secrets: created $dir/$name"
  fi
done
