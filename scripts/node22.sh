#!/usr/bin/env bash
# Runs the tests again on Node 22 (calisim supports Node >= 20.19; this machine kind has only Node 20).
# Node 22 comes from the npm registry's node-linux-<arch> package, which holds the official binary, so
# no other download site is needed. It is unpacked once into a cache and put first on PATH for ava and
# everything the tests start (the CLI, rendering workers, tsx).
#
#   bash scripts/node22.sh                 every test (the container suite needs the environment that
#                                          scripts/container-setup.sh --env prints, as for npm test)
#   bash scripts/node22.sh test/render ... only these ava files or folders
#
# Env: NODE22_VERSION (default below), CALISIM_CACHE (default ${XDG_CACHE_HOME:-$HOME/.cache}/calisim).
set -euo pipefail
cd "$(dirname "$0")/.."

version="${NODE22_VERSION:-22.23.3}"
case "$(uname -m)" in
  x86_64) arch=x64 ;;
  aarch64) arch=arm64 ;;
  *)
    echo "node22: no node-linux package for $(uname -m)" >&2
    exit 1
    ;;
esac
cache="${CALISIM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/calisim}"
home="$cache/node-v$version-linux-$arch"

if [[ ! -x "$home/bin/node" ]]; then
  echo "node22: fetching node-linux-$arch@$version from the npm registry"
  mkdir -p "$cache"
  tmp=$(mktemp -d "$cache/.node22-XXXXXX")
  trap 'rm -rf "$tmp"' EXIT
  (cd "$tmp" && npm pack --silent "node-linux-$arch@$version" >/dev/null)
  tar -xzf "$tmp"/node-linux-*.tgz -C "$tmp"
  rm -rf "$home"
  mv "$tmp/package" "$home"
fi
got=$("$home/bin/node" --version)
if [[ "$got" != "v$version" ]]; then
  echo "node22: $home/bin/node is $got, expected v$version" >&2
  exit 1
fi

echo "node22: ava on $got: ${*:-every test}"
# ava's own bin, started by Node 22 itself, so nothing falls back to the machine's Node 20.
PATH="$home/bin:$PATH" "$home/bin/node" node_modules/ava/entrypoints/cli.mjs "$@"
