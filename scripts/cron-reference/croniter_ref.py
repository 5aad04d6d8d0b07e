#!/usr/bin/env python3
"""Reference fire times for 5-field cron expressions, computed the way Apache Airflow 3 does.

Reads JSON lines {"expr": str, "tz": IANA name, "from": ISO 8601 with offset, "count": int}
on stdin and writes one JSON line per input: {"times": [epoch seconds, ...]} (fewer than
count when croniter finds no further date) or {"error": message} when croniter rejects the
expression.

Each step is Airflow's ``CronMixin._get_next`` (airflow/timetables/_cron.py, 3.3.2):
croniter runs on the naive wall-clock time in the zone; the result is localized with
``make_aware`` (fold=1, then pendulum's ``convert``), except when croniter's expanded hour
field is ``*``, where the naive difference is added to the current instant.
"""
import datetime
import json
import sys

import pendulum
from croniter import croniter, CroniterBadDateError

# airflow.utils.dates.cron_presets
CRON_PRESETS = {
    "@hourly": "0 * * * *",
    "@daily": "0 0 * * *",
    "@weekly": "0 0 * * 0",
    "@monthly": "0 0 1 * *",
    "@quarterly": "0 0 1 */3 *",
    "@yearly": "0 0 1 1 *",
}


def make_aware(value, tz):
    # airflow._shared.timezones.timezone.make_aware
    return tz.convert(value.replace(fold=1))


def make_naive(value, tz):
    date = value.astimezone(tz)
    return datetime.datetime(date.year, date.month, date.day, date.hour, date.minute,
                             date.second, date.microsecond)


def convert_to_utc(value):
    # airflow._shared.timezones.timezone.convert_to_utc (value is always aware here)
    return pendulum.instance(value.astimezone(datetime.timezone.utc))


def get_next(expression, tz, current):
    naive = make_naive(current, tz)
    cron = croniter(expression, start_time=naive)
    scheduled = cron.get_next(datetime.datetime)
    if cron.expanded[1] != ["*"]:
        return convert_to_utc(make_aware(scheduled, tz))
    delta = scheduled - naive
    return convert_to_utc(current.in_timezone(tz) + delta)


def main():
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        request = json.loads(line)
        expression = CRON_PRESETS.get(request["expr"], request["expr"])
        tz = pendulum.timezone(request["tz"])
        try:
            croniter(expression)
        except Exception as error:  # croniter rejects the expression
            print(json.dumps({"error": f"{type(error).__name__}: {error}"}), flush=False)
            continue
        current = pendulum.parse(request["from"])
        times = []
        try:
            for _ in range(int(request["count"])):
                current = get_next(expression, tz, current)
                times.append(int(current.timestamp()))
        except CroniterBadDateError:
            pass
        print(json.dumps({"times": times}))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
