#!/usr/bin/env bash
# Installs the Debian packages Graft needs that are missing (list: packaging/debian-packages.txt),
# then configures and builds Graft in ./build. Used by both quick-start commands and by CI.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=$(grep -v '^\s*#' packaging/debian-packages.txt | grep -v '^\s*$')
missing=""
for p in $packages; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  echo "Installing missing Debian packages:$missing"
  $sudo apt-get update -o DPkg::Lock::Timeout=600
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
    -o DPkg::Lock::Timeout=600 $missing
fi

cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=${GRAFT_BUILD_TYPE:-Release} ${GRAFT_CMAKE_ARGS:-}
cmake --build build -j2
