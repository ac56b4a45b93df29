#!/usr/bin/env bash
# Installs the Debian packages aiwatch's tests and demo run for real, when missing:
# prometheus (prometheus, promtool), prometheus-alertmanager (alertmanager, amtool),
# victoria-metrics (vmalert), docker-compose (to validate docker-compose.yml) and postgresql
# (initdb, pg_ctl: the receiver's shared store; Debian installs them in
# /usr/lib/postgresql/<major>/bin, off PATH).
set -euo pipefail

declare -A package_for=(
  [prometheus]=prometheus
  [promtool]=prometheus
  [prometheus-alertmanager]=prometheus-alertmanager
  [amtool]=prometheus-alertmanager
  [vmalert]=victoria-metrics
  [docker-compose]=docker-compose
)

missing=()
for binary in "${!package_for[@]}"; do
  command -v "$binary" >/dev/null 2>&1 || missing+=("${package_for[$binary]}")
done
if ! command -v initdb >/dev/null 2>&1 && ! compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null; then
  missing+=(postgresql)
fi
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: prometheus, promtool, alertmanager, amtool, vmalert, docker-compose and postgresql are installed"
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
# Debian starts the services it installs where systemd runs; aiwatch starts its own
# (the tests run initdb and pg_ctl in temporary folders, as the postgres user when root).
echo "install-deps: done"
