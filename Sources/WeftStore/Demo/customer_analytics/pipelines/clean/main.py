"""Clean and anonymise: drop invalid rows, remove names, hash e-mails with the fabric's secret salt."""
import csv
import hashlib
import json
import os
import sys
import time


def load_config():
    with open(os.environ["WEFT_CONFIG"], encoding="utf-8") as f:
        return json.load(f)


def valid(row):
    return "@" in row.get("email", "") and len(row.get("country", "")) == 2


def anonymise(row, salt):
    digest = hashlib.sha256((salt + row["email"].strip().lower()).encode("utf-8")).hexdigest()[:16]
    return {
        "customer_id": row["customer_id"],
        "email_hash": digest,
        "country": row["country"].upper(),
        "segment": row.get("segment", "unknown") or "unknown",
        "lifetime_value": f"{float(row.get('lifetime_value') or 0):.2f}",
    }


def clean(rows, salt, drop_invalid=True):
    out = []
    for r in rows:
        if drop_invalid and not valid(r):
            continue
        out.append(anonymise(r, salt))
    return out


def main():
    cfg = load_config()
    folder = os.path.join(os.environ["WEFT_DATA"], cfg["output_dir"])
    with open(os.path.join(folder, "ingested.csv"), newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    time.sleep(float(cfg.get("pace_seconds", 0)))
    print("::progress 0.30 read ingested rows", flush=True)
    cleaned = clean(rows, cfg["salt"], bool(cfg.get("drop_invalid", True)))
    time.sleep(float(cfg.get("pace_seconds", 0)))
    print("::progress 0.70 anonymised", flush=True)
    target = os.path.join(folder, "clean.csv")
    with open(target + ".tmp", "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=["customer_id", "email_hash", "country", "segment", "lifetime_value"])
        w.writeheader()
        w.writerows(cleaned)
    os.replace(target + ".tmp", target)
    print(f"::progress 1.00 kept {len(cleaned)} of {len(rows)} rows", flush=True)


if __name__ == "__main__":
    sys.exit(main())
