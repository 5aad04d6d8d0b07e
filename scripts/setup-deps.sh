#!/usr/bin/env bash
# Installs what building and testing Weft needs on a fresh Debian machine with the Swift toolchain.
# Idempotent: installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
for pkg in git libsqlite3-dev libncurses-dev tmux htop python3 python3-venv bubblewrap; do
    dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
if [ "${#need[@]}" -gt 0 ]; then
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    echo "installing: ${need[*]}"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# Reference implementations for the cron cross-checks (croniter venv, Quartz 2.3.2).
bash scripts/cron-reference/setup.sh
