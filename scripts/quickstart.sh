#!/usr/bin/env bash
# First contact: install what calisim needs, build it, and run it on the example cluster in fixtures/.
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ $(id -u) -eq 0 ]]; then
  bash scripts/setup-system.sh
else
  echo "quickstart: not root; skipping system packages (iptables, ipset, nftables, iproute2 are needed only to load rules into namespaces)"
fi
npm ci --no-audit --no-fund
npm run build
run() { printf '\n\033[1m$ %s\033[0m\n' "$*"; "$@"; }
run npx calisim validate -f fixtures/example-cluster
run npx calisim get hep -o wide -f fixtures/example-cluster
run npx calisim inspect -f fixtures/example-cluster --node node-1 --endpoint node-1-eth0
run npx calisim render -f fixtures/example-cluster --node node-1
run npx calisim trace -f fixtures/example-cluster --node node-1 --in eth0 --src 203.0.113.5 --dst 192.0.2.10 --proto tcp --dport 8080
