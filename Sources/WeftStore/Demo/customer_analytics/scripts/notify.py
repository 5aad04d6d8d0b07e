"""Notification step: appends a line to the fabric's notifications log (a stand-in for mail or chat)."""
import datetime
import json
import os

data = os.environ["WEFT_DATA"]
report_path = os.path.join(data, "customer_analytics", "report.json")
customers = "?"
if os.path.exists(report_path):
    with open(report_path, encoding="utf-8") as f:
        customers = json.load(f).get("customers", "?")
line = (f"{datetime.datetime.now().isoformat(timespec='seconds')} {os.environ.get('WEFT_FABRIC')} "
        f"run {os.environ.get('WEFT_RUN_ID')}: customer report ready ({customers} customers)")
with open(os.path.join(data, "notifications.log"), "a", encoding="utf-8") as f:
    f.write(line + "\n")
print(line)
