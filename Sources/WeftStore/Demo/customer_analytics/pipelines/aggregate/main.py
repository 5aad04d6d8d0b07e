"""Aggregate: customers and lifetime value per country and segment; writes report.json and report.csv."""
import csv
import datetime
import json
import os
import sys
import time
from collections import defaultdict


def load_config():
    with open(os.environ["WEFT_CONFIG"], encoding="utf-8") as f:
        return json.load(f)


def aggregate(rows):
    groups = defaultdict(lambda: {"customers": 0, "lifetime_value": 0.0})
    for r in rows:
        g = groups[(r["country"], r["segment"])]
        g["customers"] += 1
        g["lifetime_value"] += float(r["lifetime_value"])
    return [
        {"country": c, "segment": s, "customers": v["customers"], "lifetime_value": round(v["lifetime_value"], 2)}
        for (c, s), v in sorted(groups.items())
    ]


def top_countries(report, n):
    totals = defaultdict(int)
    for line in report:
        totals[line["country"]] += line["customers"]
    return sorted(totals.items(), key=lambda kv: (-kv[1], kv[0]))[:n]


def main():
    cfg = load_config()
    folder = os.path.join(os.environ["WEFT_DATA"], cfg["output_dir"])
    with open(os.path.join(folder, "clean.csv"), newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    time.sleep(float(cfg.get("pace_seconds", 0)))
    print("::progress 0.40 grouping", flush=True)
    report = aggregate(rows)
    day = cfg.get("report_date") or datetime.date.today().isoformat()
    summary = {"date": day, "run": os.environ.get("WEFT_RUN_ID"), "fabric": os.environ.get("WEFT_FABRIC"),
               "customers": len(rows), "top_countries": top_countries(report, int(cfg.get("top_n", 5))), "groups": report}
    with open(os.path.join(folder, "report.json.tmp"), "w", encoding="utf-8") as f:
        json.dump(summary, f, indent=2)
    os.replace(os.path.join(folder, "report.json.tmp"), os.path.join(folder, "report.json"))
    with open(os.path.join(folder, "report.csv"), "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=["country", "segment", "customers", "lifetime_value"])
        w.writeheader()
        w.writerows(report)
    print(f"::progress 1.00 {len(report)} groups, {len(rows)} customers", flush=True)


if __name__ == "__main__":
    sys.exit(main())
