#!/usr/bin/env bash
# Creates the stack's secrets (random, once) in deploy/compose/secrets/, which git ignores:
# the ingest token the workload sends to the exporter, the token Alertmanager sends to
# the receiver, and Grafana's admin password. docker-compose.yml mounts them as secrets.
#
# Compose mounts a file secret as it is on the host, owner and mode included, and the
# containers run as other users (nobody, node, grafana): the files must be readable by
# them (0644). The folder is 0700, so other users of the host cannot reach them.
set -euo pipefail
dir="$(cd "$(dirname "$0")/.." && pwd)/deploy/compose/secrets"
mkdir -p "$dir"
chmod 700 "$dir"
for name in ingest-token receiver-token grafana-admin-password; do
  if [ ! -s "$dir/$name" ]; then
    head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$dir/$name"
    echo "stack-secrets: created $dir/$name"
  fi
  chmod 644 "$dir/$name"
done
