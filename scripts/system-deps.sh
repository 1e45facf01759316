#!/usr/bin/env bash
# Install the Debian packages the service (`run`), its tests (`test`) or its benchmarks (`bench`) need, once; later runs
# find them installed and do nothing.
set -euo pipefail
purpose=${1:-run}

packages=(
  python3             # Debian's Python 3.11, built with PGO and LTO: 15-20 % less CPU a request (Makefile)
  python3-venv        # its venv module (ensurepip), for the virtualenv
  python3-dev         # its headers: durable-rules and gunicorn_h1c compile C extensions on install
  gcc                 # durable-rules is a source package: its C engine compiles on install
  libpango-1.0-0      # WeasyPrint lays out the PDF estimate with Pango
  libpangoft2-1.0-0
  libharfbuzz-subset0 # without it WeasyPrint subsets CJK fonts in pure Python: forty times slower
  fonts-wqy-microhei  # WenQuanYi Micro Hei: the PDF's Chinese font (about 10 % faster to lay out than Noto)
  fonts-noto-cjk      # Noto Sans CJK SC: the pages' and the PDF's fallback Chinese font
  fonts-noto-color-emoji # names may hold emoji (CONTRACT.md): without it the PDF prints them as empty boxes
  nginx               # the front server: buffers whole requests so slow clients hold no worker (subsidy/serve.py)
)
if [ "$purpose" = bench ]; then
  packages+=(wrk)     # the HTTP load generator of benchmarks/http_bench.py
fi
if [ "$purpose" = test ] || [ "$purpose" = bench ]; then
  packages+=(openjdk-17-jre-headless)  # Java for pyspark: the registry's Spark path runs in local mode
fi
if [ "$purpose" = test ]; then
  packages+=(
    chromium          # the browser tests drive Debian's chromium with Playwright
    poppler-utils     # pdftoppm, to look at PDF pages as pictures; pdfsig, to check their signatures
    sqlite3           # the security tests edit a backup with the sqlite3 shell, as an attacker would
    nodejs            # npm installs axe-core, which the browser tests inject into every page
    openssl           # a throwaway certificate for the https tests of the front server
  )
  # Debian ships npm apart from nodejs; NodeSource's nodejs carries its own npm.
  command -v npm >/dev/null 2>&1 || packages+=(npm)
fi

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if ((${#missing[@]})); then
  echo "Installing Debian packages: ${missing[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
