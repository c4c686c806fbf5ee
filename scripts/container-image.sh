#!/usr/bin/env bash
# Builds the calisim-node image for the container conformance suite (test/containers): Debian bookworm
# with the packages listed in docker/packages.txt, CMD "sleep infinity".
#
#   scripts/container-image.sh                 no registry needed: debootstrap minbase + docker import
#   scripts/container-image.sh --dockerfile    docker build docker/ (pulls debian:bookworm-slim)
#   scripts/container-image.sh --print-name    print calisim-node:<recipe hash> and exit
#   scripts/container-image.sh --force         rebuild even when an up-to-date image exists
#
# The image is tagged calisim-node:<recipe hash> and calisim-node:latest and labelled
# org.calisim.recipe=<recipe>. An image whose label matches the current recipe is reused (about 0.1 s);
# changing docker/packages.txt or RECIPE_VERSION changes the hash and triggers a rebuild.
# Env: DEBIAN_MIRROR (debootstrap mirror, default http://deb.debian.org/debian).
set -euo pipefail
cd "$(dirname "$0")/.."

REPO=calisim-node
SUITE=bookworm
RECIPE_VERSION=1 # bump when the build steps below change in a way that changes the image
MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"

method=debootstrap
force=false
for arg in "$@"; do
  case "$arg" in
    --dockerfile) method=dockerfile ;;
    --force) force=true ;;
    --print-name) print_only=true ;;
    -h | --help)
      sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'
      exit 0
      ;;
    *)
      echo "container-image: unknown argument $arg (see --help)" >&2
      exit 2
      ;;
  esac
done

pkgs=$(sed -e 's/#.*//' docker/packages.txt | tr -s ' \t' '\n' | grep -v '^$' | sort -u | paste -sd, -)
RECIPE="calisim-node v${RECIPE_VERSION} debian-${SUITE} packages=${pkgs}"
HASH=$(printf '%s' "$RECIPE" | sha256sum | cut -c1-12)
IMAGE="${REPO}:${HASH}"
LATEST="${REPO}:latest"

if [[ "${print_only:-false}" == true ]]; then
  echo "$IMAGE"
  exit 0
fi

log() { echo "[container-image $(date +%T)] $*" >&2; }

if ! timeout 10 docker version >/dev/null 2>&1; then
  log "cannot reach the Docker daemon (DOCKER_HOST=${DOCKER_HOST:-unix:///var/run/docker.sock}); run scripts/container-setup.sh"
  exit 1
fi

have=$(docker image inspect -f '{{index .Config.Labels "org.calisim.recipe"}}' "$IMAGE" 2>/dev/null || true)
if [[ "$force" == false && "$have" == "$RECIPE" ]]; then
  docker tag "$IMAGE" "$LATEST"
  log "image $IMAGE is up to date (tagged $LATEST)"
  exit 0
fi

tmp="${REPO}:building-$$"
work=""
smoke="calisim-$(head -c 6 /dev/urandom | od -An -tx1 | tr -d ' \n')"
cleanup() {
  docker rm -f "$smoke" >/dev/null 2>&1 || true
  docker rmi "$tmp" >/dev/null 2>&1 || true
  if [[ -n "$work" ]]; then rm -rf "$work"; fi
}
trap cleanup EXIT

if [[ "$method" == dockerfile ]]; then
  log "docker build docker/ (base image debian:bookworm-slim)"
  docker build --build-arg "CALISIM_RECIPE=${RECIPE}" -t "$tmp" docker/ >&2
else
  if [[ $(id -u) -ne 0 ]]; then
    log "debootstrap needs root; run as root, or use --dockerfile where a registry is reachable"
    exit 1
  fi
  command -v debootstrap >/dev/null || {
    log "debootstrap is missing (apt-get install debootstrap, or run scripts/container-setup.sh)"
    exit 1
  }
  work=$(mktemp -d /var/tmp/calisim-image.XXXXXX)
  for attempt in 1 2 3; do
    log "debootstrap --variant=minbase $SUITE +${pkgs} (attempt $attempt, ~40 s)"
    rm -rf "$work/rootfs"
    if debootstrap --variant=minbase --include="$pkgs" "$SUITE" "$work/rootfs" "$MIRROR" \
      >"$work/debootstrap.log" 2>&1; then
      break
    fi
    tail -n 20 "$work/debootstrap.log" >&2
    if [[ $attempt == 3 ]]; then
      log "debootstrap failed 3 times (mirror $MIRROR; set DEBIAN_MIRROR to use another)"
      exit 1
    fi
    sleep 5
  done
  # trim apt lists and caches, docs, man pages, locales, logs
  rm -rf "$work"/rootfs/var/lib/apt/lists/* "$work"/rootfs/var/cache/apt/*.bin \
    "$work"/rootfs/var/cache/apt/archives/*.deb "$work"/rootfs/usr/share/{doc,man,info,locale}/* \
    "$work"/rootfs/var/log/*.log
  # tar to a file first, so a failing tar can never produce a truncated image
  tar --numeric-owner -C "$work/rootfs" -cf "$work/rootfs.tar" .
  docker import -c 'CMD ["sleep","infinity"]' \
    -c "LABEL org.calisim.recipe=\"${RECIPE}\" org.calisim.image=\"${REPO}\"" \
    "$work/rootfs.tar" "$tmp" >/dev/null
fi

# Smoke test before publishing the tags: the tools the suite drives, with the suite's capabilities
# (--privileged is not used: it fails on kernels whose bounding set lacks a capability).
log "smoke test"
docker run --rm --name "$smoke" --label org.calisim.suite=containers --network none \
  --cap-add NET_ADMIN --cap-add NET_RAW --cap-add SYS_ADMIN "$tmp" sh -ec '
    for b in ip ipset iptables-nft-restore iptables-legacy-restore ip6tables-nft-restore nft conntrack \
             nc socat ping python3 ps; do
      command -v "$b" >/dev/null || { echo "missing $b" >&2; exit 1; }
    done
    ipset create calisim-smoke hash:net
    printf "*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -m set --match-set calisim-smoke src -j DROP\nCOMMIT\n" |
      iptables-nft-restore
    iptables-nft -S INPUT | grep -q calisim-smoke
    nft list ruleset >/dev/null 2>&1' >&2
docker tag "$tmp" "$IMAGE"
docker tag "$IMAGE" "$LATEST"
log "built $IMAGE and $LATEST ($(docker image inspect -f '{{.Size}}' "$IMAGE") bytes, $method)"
