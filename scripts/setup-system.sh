#!/usr/bin/env bash
# Installs the kernel tools calisim drives (iptables nft+legacy, ipset, nftables, iproute2, conntrack, and
# python3 for the probe agent of `calisim conformance`; sysctl comes with procps).
# Idempotent: skips apt when everything is present. Needs root (apt-get).
set -euo pipefail
need=()
for bin in iptables-legacy-restore iptables-nft-restore ipset nft ip conntrack python3 sysctl; do
  command -v "$bin" >/dev/null 2>&1 || need+=("$bin")
done
if ((${#need[@]} == 0)); then
  echo "setup-system: all tools present"
  exit 0
fi
echo "setup-system: missing ${need[*]}; installing with apt-get"
if [[ $(id -u) -ne 0 ]]; then
  echo "setup-system: need root to apt-get install iptables ipset nftables iproute2 conntrack python3 procps" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends iptables ipset nftables iproute2 conntrack python3 procps >/dev/null
echo "setup-system: installed"
