#!/usr/bin/env bash
# Installs the system libraries geostream links against, only when they are missing.
# Safe to run again and again: on a machine that has everything it prints one line and exits.
#
#   libzmq3-dev  ZeroMQ transport (CZeroMQ target)
#   liblz4-dev   LZ4 batch compression (CLZ4 target)
#   pkg-config   lets SwiftPM find liblz4
set -euo pipefail

needed=(libzmq3-dev liblz4-dev pkg-config)
missing=()
for pkg in "${needed[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$pkg")
    fi
done

if [ ${#missing[@]} -eq 0 ]; then
    echo "setup: system libraries present (${needed[*]})"
    exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
    echo "setup: missing ${missing[*]} and apt-get is not available; install them with your package manager" >&2
    exit 1
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
        sudo="sudo"
    else
        echo "setup: missing ${missing[*]}; run as root or install sudo" >&2
        exit 1
    fi
fi

echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "setup: installed ${missing[*]}"
