#!/usr/bin/env bash
# Prepares a Debian/Ubuntu machine for the container conformance suite (test/containers), without any
# image registry: installs docker.io and debootstrap when missing, starts dockerd when it is not
# running, and builds (or reuses) the calisim-node image with scripts/container-image.sh.
# Idempotent and serialised with flock, so concurrent CI steps do not race. Needs root for apt-get,
# dockerd and debootstrap; on a laptop with Docker running, scripts/container-image.sh --dockerfile is
# enough (see docker/README.md).
#
#   scripts/container-setup.sh          set up (prints nothing to stdout)
#   scripts/container-setup.sh --env    also print the environment the suite needs, for eval
#
# Env: DOCKERD_LOG (default /var/log/calisim-dockerd.log), DEBIAN_MIRROR (see container-image.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

SOCK=/var/run/docker.sock
DOCKERD_LOG="${DOCKERD_LOG:-/var/log/calisim-dockerd.log}"
LOCK=/var/lock/calisim-container-setup.lock

log() { echo "[container-setup $(date +%T)] $*" >&2; }
docker_ready() { timeout 10 docker version >/dev/null 2>&1; }

install_packages() {
  local need=()
  command -v dockerd >/dev/null || need+=(docker.io)
  command -v debootstrap >/dev/null || need+=(debootstrap debian-archive-keyring)
  ((${#need[@]})) || return 0
  if [[ $(id -u) -ne 0 ]]; then
    log "missing ${need[*]} and not root: install them (apt-get install ${need[*]}) or run as root"
    return 1
  fi
  log "apt-get install ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
}

start_dockerd() {
  if docker_ready; then
    log "Docker daemon reachable"
    return 0
  fi
  if [[ -n "${DOCKER_HOST:-}" && "${DOCKER_HOST}" != "unix://${SOCK}" ]]; then
    log "DOCKER_HOST=${DOCKER_HOST} does not answer; not starting a local dockerd for it"
    return 1
  fi
  if [[ $(id -u) -ne 0 ]]; then
    log "dockerd is not running and this is not root: start Docker (e.g. systemctl start docker)"
    return 1
  fi
  log "starting dockerd (log: $DOCKERD_LOG)"
  mkdir -p "$(dirname "$DOCKERD_LOG")"
  # setsid -f: detached, outlives this script and the CI step's shell.
  # 9>&-: dockerd must not inherit the flock descriptor, or the lock would be held forever.
  setsid -f dockerd -H "unix://${SOCK}" >>"$DOCKERD_LOG" 2>&1 </dev/null 9>&-
  local i
  for i in $(seq 1 120); do
    if docker_ready; then
      log "dockerd ready after ~$((i / 4)) s"
      return 0
    fi
    sleep 0.25
  done
  log "dockerd did not become ready within 30 s; last log lines:"
  tail -n 40 "$DOCKERD_LOG" >&2
  return 1
}

print_env=false
case "${1:-}" in
  "") ;;
  --env) print_env=true ;;
  *)
    echo "usage: $0 [--env]" >&2
    exit 2
    ;;
esac

mkdir -p "$(dirname "$LOCK")"
exec 9>"$LOCK"
flock 9
install_packages
start_dockerd
bash scripts/container-image.sh
exec 9>&-

if [[ "$print_env" == true ]]; then
  cat <<ENV
export TESTCONTAINERS_RYUK_DISABLED=true
export TESTCONTAINERS_HOST_OVERRIDE=localhost
export CALISIM_NODE_IMAGE=$(bash scripts/container-image.sh --print-name)
ENV
fi
