#!/usr/bin/env bash
# Installs what Ferry's tests and local mode need from Debian when it is
# missing: ZooKeeper (and rsync, used as a baseline by the move benchmarks);
# with the extra argument `chromium`, Debian's Chromium for the UI tests.
# Runs apt-get update at most once per call. Safe to run again: it installs
# nothing that is already there.
set -euo pipefail

need=()
[ -f /usr/share/java/zookeeper.jar ] || need+=(zookeeper)
command -v java >/dev/null 2>&1 || need+=(default-jre-headless)
for extra in "$@"; do
  case "$extra" in
    chromium) command -v chromium >/dev/null 2>&1 || need+=(chromium) ;;
    *) echo "install-deps: unknown extra '$extra'" >&2; exit 2 ;;
  esac
done

if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: missing Debian packages: ${need[*]}; run as root or install them with: sudo apt-get install -y ${need[*]}" >&2
  exit 1
fi

echo "install-deps: installing ${need[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
echo "install-deps: done" >&2
