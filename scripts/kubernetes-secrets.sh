#!/usr/bin/env bash
# Creates the Kubernetes tokens (random, once) in deploy/kubernetes/secrets/, which git
# ignores: the ingest token trainers and services send to the exporter, and the token
# Alertmanager sends to the receiver. The kustomization's secretGenerator turns them into
# the aiwatch-tokens Secret. To rotate one, delete its file, run this again, re-apply.
set -euo pipefail
dir="$(cd "$(dirname "$0")/.." && pwd)/deploy/kubernetes/secrets"
mkdir -p "$dir"
chmod 700 "$dir"
for name in ingest-token receiver-token; do
  if [ ! -s "$dir/$name" ]; then
    (umask 077 && head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$dir/$name")
    echo "kubernetes-secrets: created $dir/$name"
  fi
done
