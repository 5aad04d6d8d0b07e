#!/usr/bin/env bash
# Measures a real Apache Airflow 3.3.2 on this machine on the two jobs Weft's engine benchmark runs
# (`weft-bench engine`): a chain of 10 BashOperator tasks running `true`, and 20 parallel ones.
# Trigger → success through the REST API, 5 runs each (RUNS=N to change), printed as p50/min/max.
#
# Airflow is installed into a venv OUTSIDE the repository (default ~/.cache/weft/airflow-venv, override with
# WEFT_AIRFLOW_VENV) and runs on loopback only (api-server on 127.0.0.1, scheduler with --skip-serve-logs,
# dag-processor), with SQLite and the LocalExecutor, as docs/FACTS describe. Everything it writes goes to a
# temporary AIRFLOW_HOME that is deleted at the end (KEEP=1 keeps it). Airflow is for this benchmark only.
set -euo pipefail

VENV="${WEFT_AIRFLOW_VENV:-$HOME/.cache/weft/airflow-venv}"
PORT="${PORT:-28793}"
RUNS="${RUNS:-5}"
PARALLELISM="${PARALLELISM:-8}"
HERE="$(cd "$(dirname "$0")" && pwd)"

if [ ! -x "$VENV/bin/airflow" ]; then
    echo "installing apache-airflow==3.3.2 into $VENV (about 30 s, 290 MB)…" >&2
    mkdir -p "$(dirname "$VENV")"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check "apache-airflow==3.3.2"
fi

export AIRFLOW_HOME
AIRFLOW_HOME="$(mktemp -d "${TMPDIR:-/tmp}/weft-airflow-bench.XXXXXX")"
mkdir -p "$AIRFLOW_HOME/dags" "$AIRFLOW_HOME/logs"
cp "$HERE/dags/"*.py "$AIRFLOW_HOME/dags/"
echo '{"admin": "weft-bench-pw"}' > "$AIRFLOW_HOME/passwords.json"

export AIRFLOW__CORE__DAGS_FOLDER="$AIRFLOW_HOME/dags"
export AIRFLOW__CORE__LOAD_EXAMPLES=False
export AIRFLOW__CORE__EXECUTOR=LocalExecutor
export AIRFLOW__CORE__PARALLELISM="$PARALLELISM"
export AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS="admin:admin"
export AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE="$AIRFLOW_HOME/passwords.json"
export AIRFLOW__CORE__EXECUTION_API_SERVER_URL="http://127.0.0.1:$PORT/execution/"
export AIRFLOW__API__BASE_URL="http://127.0.0.1:$PORT"
export AIRFLOW__API__HOST=127.0.0.1
export AIRFLOW__API__PORT="$PORT"
export AIRFLOW__API_AUTH__JWT_SECRET
AIRFLOW__API_AUTH__JWT_SECRET="$(python3 -c 'import secrets; print(secrets.token_hex(32))')"
export AIRFLOW__DATABASE__SQL_ALCHEMY_CONN="sqlite:///$AIRFLOW_HOME/airflow.db"
export AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL=5
export AIRFLOW__WORKERS__MIN_HEARTBEAT_INTERVAL=1
export AIRFLOW__LOGGING__BASE_LOG_FOLDER="$AIRFLOW_HOME/logs"

PGIDS=()
cleanup() {
    for g in "${PGIDS[@]}"; do kill -TERM -- "-$g" 2>/dev/null || true; done
    for _ in $(seq 1 50); do
        alive=0
        for g in "${PGIDS[@]}"; do kill -0 -- "-$g" 2>/dev/null && alive=1; done
        [ "$alive" = 0 ] && break
        sleep 0.2
    done
    # The scheduler sometimes ignores SIGTERM.
    for g in "${PGIDS[@]}"; do kill -KILL -- "-$g" 2>/dev/null || true; done
    if [ "${KEEP:-0}" = 1 ]; then echo "kept $AIRFLOW_HOME" >&2; else rm -rf "$AIRFLOW_HOME"; fi
}
trap cleanup EXIT

start() { # name, args…: starts in its own process group, logs to $AIRFLOW_HOME/<name>.log
    local name="$1"
    shift
    setsid "$VENV/bin/airflow" "$@" > "$AIRFLOW_HOME/$name.log" 2>&1 &
    PGIDS+=("$!")
}

t0=$(date +%s.%N)
"$VENV/bin/airflow" db migrate > "$AIRFLOW_HOME/migrate.log" 2>&1
start api-server api-server -H 127.0.0.1 -p "$PORT"
start scheduler scheduler --skip-serve-logs
start dag-processor dag-processor

"$VENV/bin/python" "$HERE/bench.py" --url "http://127.0.0.1:$PORT" --user admin --password weft-bench-pw \
    --runs "$RUNS" --started "$t0"
