#!/usr/bin/env bash
# Checks that the runtime stage of deploy/Dockerfile installs the Debian package of every
# shared library the memd binary links directly (its ELF NEEDED entries), so adding a
# dependency cannot silently break the image (its own `ldd` check only runs in a Docker build).
# Packages come from dpkg on this machine, which must be the Debian 12 the image uses.
#
# Usage: deploy/check_runtime_libs.sh MEMD_BINARY
# Exits 0 when every package is installed by the image, 1 otherwise, 77 (ctest SKIP) without
# dpkg or readelf.
set -euo pipefail
binary=$1
dockerfile="$(dirname "$0")/Dockerfile"
if ! command -v dpkg >/dev/null || ! command -v readelf >/dev/null; then
  echo "check_runtime_libs: dpkg or readelf not found; skipping" >&2
  exit 77
fi
# The runtime stage (from its FROM to the end) and the packages its base image already has.
runtime=$(sed -n '/^FROM debian:12-slim/,$p' "$dockerfile")
base_image="libc6 libgcc-s1 libstdc++6"

status=0
for lib in $(readelf -d "$binary" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
  path=$(ldd "$binary" | awk -v lib="$lib" '$1 == lib { print $3 }')
  if [ -z "$path" ] || [ ! -e "$path" ]; then
    echo "check_runtime_libs: $lib does not resolve on this machine" >&2
    status=1
    continue
  fi
  # dpkg knows a library by the path its package installed, with or without the /usr of
  # Debian's merged /usr.
  real=$(realpath "$path")
  package=$({ dpkg -S "$real" 2>/dev/null || dpkg -S "${real#/usr}" 2>/dev/null || true; } | sed -n '1s/:.*//p')
  if [ -z "$package" ]; then
    echo "check_runtime_libs: no Debian package owns $real ($lib)" >&2
    status=1
  elif ! grep -qw -- "$package" <<<"$runtime $base_image"; then
    echo "check_runtime_libs: $dockerfile does not install $package (for $lib)" >&2
    status=1
  else
    echo "$lib: $package"
  fi
done
exit $status
