"""Ingest: read the customers CSV, keep a deterministic sample, write it for the clean step."""
import csv
import json
import os
import sys
import time
import zlib


def load_config():
    with open(os.environ["WEFT_CONFIG"], encoding="utf-8") as f:
        return json.load(f)


def keep(row_id, sample_rate):
    """Deterministic sampling: the same rows are kept on every run."""
    return (zlib.crc32(row_id.encode("utf-8")) % 10000) < sample_rate * 10000


def ingest(rows, sample_rate):
    return [r for r in rows if keep(r["customer_id"], sample_rate)]


def main():
    cfg = load_config()
    data = os.environ["WEFT_DATA"]
    source = os.path.join(data, cfg["source_path"])
    out_dir = os.path.join(data, cfg["output_dir"])
    os.makedirs(out_dir, exist_ok=True)
    with open(source, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    batch = int(cfg.get("batch_size", 100))
    kept = []
    for start in range(0, len(rows), batch):
        kept.extend(ingest(rows[start:start + batch], float(cfg.get("sample_rate", 1.0))))
        done = min(start + batch, len(rows))
        time.sleep(float(cfg.get("pace_seconds", 0)))
        print(f"::progress {done / max(len(rows), 1):.2f} read {done}/{len(rows)} rows", flush=True)
    target = os.path.join(out_dir, "ingested.csv")
    tmp = target + ".tmp"
    with open(tmp, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0].keys()) if rows else ["customer_id"])
        w.writeheader()
        w.writerows(kept)
    os.replace(tmp, target)
    print(f"ingested {len(kept)} of {len(rows)} rows into {target}")


if __name__ == "__main__":
    sys.exit(main())
