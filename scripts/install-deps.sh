#!/usr/bin/env bash
# Installs the Debian packages aiwatch's tests and demo run for real, when missing:
# prometheus (prometheus, promtool), prometheus-alertmanager (alertmanager, amtool),
# victoria-metrics (vmalert), docker-compose (to validate docker-compose.yml), chromium (the
# incident pages' browser tests), fonts-dejavu-core (text in the receiver's chart PNGs),
# postgresql (initdb, pg_ctl: the receiver's shared store; Debian installs them in
# /usr/lib/postgresql/<major>/bin, off PATH), kubernetes-client (kubectl, to render the
# kustomizations), openssl (test certificates for TLS), apache2-utils (htpasswd, the bcrypt
# hashes of --web.config.file), git (the package is installed from a git URL in a test) and
# util-linux (chrt: the receiver's background threads ask for SCHED_IDLE with it);
# and for clients/python's tests, Debian's python3 with python3-torch and python3-pytest
# (plus python3-pip, python3-setuptools, python3-wheel and python3-venv, to prove `pip
# install ./clients/python` and docs/python.md's offline install into a venv).
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
  [chromium]=chromium
  [chrt]=util-linux
)

# Python modules, checked with the interpreter Debian's packages install into (a pyenv or
# venv python3 earlier on PATH does not see them; scripts/test-python.sh uses this one).
declare -A python_package_for=(
  [torch]=python3-torch
  [pytest]=python3-pytest
  [pip]=python3-pip
  [setuptools]=python3-setuptools
  [wheel]=python3-wheel
  [ensurepip]=python3-venv
)

missing=()
for binary in "${!package_for[@]}"; do
  command -v "$binary" >/dev/null 2>&1 || missing+=("${package_for[$binary]}")
done
[ -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing+=(fonts-dejavu-core)
if ! command -v initdb >/dev/null 2>&1 && ! compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null; then
  missing+=(postgresql)
fi
for module in "${!python_package_for[@]}"; do
  /usr/bin/python3 -c "import $module" >/dev/null 2>&1 || missing+=("${python_package_for[$module]}")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: prometheus, promtool, alertmanager, amtool, vmalert, docker-compose, chromium, fonts-dejavu-core, postgresql, kubectl, openssl, htpasswd, git, chrt, python3-torch and python3-pytest are installed"
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
