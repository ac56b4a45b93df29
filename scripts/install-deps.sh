#!/usr/bin/env bash
# Installs the Debian packages aiwatch's tests and demo run for real, when missing:
# prometheus (prometheus, promtool), prometheus-alertmanager (alertmanager, amtool),
# victoria-metrics (vmalert), docker-compose (to validate docker-compose.yml),
# kubernetes-client (kubectl, to render the kustomizations), openssl (test certificates
# for TLS), apache2-utils (htpasswd, the bcrypt hashes of --web.config.file) and git
# (the package is installed from a git URL in a test).
set -euo pipefail

declare -A package_for=(
  [prometheus]=prometheus
  [promtool]=prometheus
  [prometheus-alertmanager]=prometheus-alertmanager
  [amtool]=prometheus-alertmanager
  [vmalert]=victoria-metrics
  [docker-compose]=docker-compose
  [kubectl]=kubernetes-client
  [openssl]=openssl
  [htpasswd]=apache2-utils
  [git]=git
)

missing=()
for binary in "${!package_for[@]}"; do
  command -v "$binary" >/dev/null 2>&1 || missing+=("${package_for[$binary]}")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: prometheus, promtool, alertmanager, amtool, vmalert, docker-compose, kubectl, openssl, htpasswd and git are installed"
  exit 0
fi
mapfile -t packages < <(printf '%s\n' "${missing[@]}" | sort -u)

if [ "$(id -u)" -eq 0 ]; then
  as_root=()
elif command -v sudo >/dev/null 2>&1; then
  as_root=(sudo)
else
  echo "install-deps: missing ${packages[*]}; run as root: apt-get update && apt-get install -y ${packages[*]}" >&2
  exit 1
fi

echo "install-deps: installing ${packages[*]} from Debian's packages"
"${as_root[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
# Debian starts the services it installs where systemd runs; aiwatch starts its own.
echo "install-deps: done"
