#!/usr/bin/env bash
# Install the Debian packages the service and its tests need, once; later runs find them and do nothing.
set -euo pipefail

packages=(
  gcc            # durable-rules is a source package: its C engine compiles on install
  python3-dev
)

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
# python3-dev is only needed where Python comes from Debian; a pyenv Python carries its own headers.
if ((${#missing[@]})) && [[ " ${missing[*]} " == *" python3-dev "* ]] && python3 -c 'import sysconfig,os,sys; sys.exit(0 if os.path.exists(sysconfig.get_paths()["include"] + "/Python.h") else 1)'; then
  missing=("${missing[@]/python3-dev}")
fi
missing=($(printf '%s\n' "${missing[@]}" | grep -v '^$' || true))
if ((${#missing[@]})); then
  echo "Installing Debian packages: ${missing[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
