#!/usr/bin/env bash
# Installs the reference implementations the cron cross-check tests compare against.
# Idempotent; safe to run on every CI run.
#   - a Python venv at ${WEFT_TEST_VENV:-$HOME/.cache/weft/test-venv} with croniter
#     (what Airflow 3 uses for 5-field cron) and pendulum (Airflow's time-zone library)
#   - Java and the real Quartz 2.3.2 (Debian's libquartz2-java) for 6/7-field cron
# The tests find python at $WEFT_CRON_PYTHON or else $WEFT_TEST_VENV/bin/python, and
# Quartz at $WEFT_QUARTZ_CLASSPATH or else /usr/share/java/quartz2.jar.
set -euo pipefail

CRONITER_VERSION=7.0.0
PENDULUM_VERSION=3.3.0
VENV="${WEFT_TEST_VENV:-$HOME/.cache/weft/test-venv}"

if [ ! -x "$VENV/bin/python" ]; then
    python3 -m venv "$VENV"
fi
if ! "$VENV/bin/python" - "$CRONITER_VERSION" "$PENDULUM_VERSION" <<'PY' 2>/dev/null
import sys
from importlib.metadata import version
sys.exit(0 if (version("croniter"), version("pendulum")) == (sys.argv[1], sys.argv[2]) else 1)
PY
then
    "$VENV/bin/pip" install --quiet --disable-pip-version-check \
        "croniter==$CRONITER_VERSION" "pendulum==$PENDULUM_VERSION"
fi

missing=()
[ -f /usr/share/java/quartz2.jar ] || missing+=(libquartz2-java)
command -v java >/dev/null 2>&1 || missing+=(default-jre-headless)
if [ "${#missing[@]}" -gt 0 ]; then
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

echo "cron references ready: croniter $CRONITER_VERSION, pendulum $PENDULUM_VERSION in $VENV; Quartz at /usr/share/java/quartz2.jar"
