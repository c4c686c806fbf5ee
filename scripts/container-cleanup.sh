#!/usr/bin/env bash
# Removes what the container conformance suite (test/containers) may have left behind, e.g. after a
# crash (Ryuk, testcontainers' reaper, cannot run without a registry):
#   - containers and networks whose name starts with "calisim-", each removed by its exact name;
#   - containers and networks labelled org.calisim.suite=containers (the suite labels everything it creates);
#   - temporary calisim-node:building-* images of an interrupted scripts/container-image.sh.
# Nothing else is touched: other testcontainers users on the same daemon keep their containers.
# Safe to run any time; exits 0 when Docker is not reachable (nothing to clean).
set -euo pipefail

LABEL=org.calisim.suite=containers
log() { echo "[container-cleanup $(date +%T)] $*" >&2; }

if ! command -v docker >/dev/null || ! timeout 10 docker version >/dev/null 2>&1; then
  log "Docker not reachable; nothing to clean"
  exit 0
fi

mapfile -t containers < <(
  {
    docker ps -a --format '{{.Names}}'
    docker ps -a --filter "label=$LABEL" --format '{{.Names}}'
  } | grep -E '^calisim-[A-Za-z0-9_.-]+$' | sort -u || true
)
mapfile -t labelled < <(docker ps -a --filter "label=$LABEL" --format '{{.ID}} {{.Names}}' | grep -vE ' calisim-' || true)
removed=0
for name in "${containers[@]}"; do
  [[ -n "$name" ]] || continue
  if docker rm -f -v "$name" >/dev/null; then removed=$((removed + 1)); fi
done
for line in "${labelled[@]}"; do
  [[ -n "$line" ]] || continue
  if docker rm -f -v "${line%% *}" >/dev/null; then removed=$((removed + 1)); fi
done

mapfile -t networks < <(
  {
    docker network ls --format '{{.Name}}'
    docker network ls --filter "label=$LABEL" --format '{{.Name}}'
  } | grep -E '^calisim-[A-Za-z0-9_.-]+$' | sort -u || true
)
nets=0
for net in "${networks[@]}"; do
  [[ -n "$net" ]] || continue
  # stale endpoints (seen on Docker 20.10) block "network rm": force-disconnect them first
  for ep in $(docker network inspect -f '{{range .Containers}}{{.Name}} {{end}}' "$net" 2>/dev/null || true); do
    docker network disconnect -f "$net" "$ep" >/dev/null 2>&1 || true
  done
  if docker network rm "$net" >/dev/null; then nets=$((nets + 1)); fi
done

mapfile -t images < <(docker images --format '{{.Repository}}:{{.Tag}}' | grep -E '^calisim-node:building-[0-9]+$' || true)
for img in "${images[@]}"; do
  [[ -n "$img" ]] || continue
  docker rmi -f "$img" >/dev/null || true
done

log "removed $removed container(s), $nets network(s)"
