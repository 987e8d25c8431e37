#!/usr/bin/env python3
"""One trusted build through locald's HTTP API, timed from the client (used by bench/real-build.sh).

Usage: real-build-client.py LOCALD_URL BUILDER TARGET APP_TAR [CAPTURE_GLOB CAPTURE_TO]
Submits POST /builds (multipart: build JSON + source tar), polls GET /builds/{id} every 5 ms over one
keep-alive connection until the build is terminal, and prints one JSON line: total_ms (submit to terminal state,
client wall time), creator_ms (the creator phase's durationMs in the record), phases_ms (all phases), digest, and
where the rest went, from the record's timestamps (same host, same clock): upload_ms (client start to createdAt),
queued_ms (createdAt to startedAt), before_ms (startedAt to the creator phase's start: builder resolution, plan,
workspace, cache lease), after_ms (from the phase's start plus its duration to finishedAt: the rootfs assembly before
the container, which the phase duration leaves out, and everything after it), seen_ms (finishedAt to the client
seeing it: polling and HTTP).
With CAPTURE_GLOB, the first file matching it while the build runs is copied to CAPTURE_TO (the script takes
locald's own config.json of the creator container from its bundle dir this way, to run the same process by hand).
"""
import glob
import http.client
import json
import shutil
import sys
import time
import urllib.parse
from datetime import datetime


def instant(text):
    """An ISO instant as epoch seconds; Java prints up to nanoseconds, datetime takes microseconds."""
    head, _, frac = text.rstrip("Z").partition(".")
    return datetime.fromisoformat(head + "+00:00").timestamp() + (float("0." + frac) if frac else 0.0)

url, builder, target, app_tar = sys.argv[1:5]
capture_glob, capture_to = (sys.argv[5], sys.argv[6]) if len(sys.argv) > 6 else (None, None)
u = urllib.parse.urlsplit(url)
with open(app_tar, "rb") as f:
    app = f.read()
boundary = "locald-bench-%d" % time.time_ns()
build = json.dumps({"image": target, "builder": builder, "trustBuilder": True})
body = (
    ("--%s\r\nContent-Disposition: form-data; name=\"build\"\r\nContent-Type: application/json\r\n\r\n%s\r\n"
     "--%s\r\nContent-Disposition: form-data; name=\"source\"; filename=\"app.tar\"\r\n"
     "Content-Type: application/x-tar\r\n\r\n") % (boundary, build, boundary)
).encode() + app + ("\r\n--%s--\r\n" % boundary).encode()

conn = http.client.HTTPConnection(u.hostname, u.port)
conn.connect()  # connected before the clock starts, as a CI client with a pooled connection would be
start = time.perf_counter()
wall_start = time.time()
conn.request("POST", "/builds", body, {"Content-Type": "multipart/form-data; boundary=" + boundary})
resp = conn.getresponse()
answer = resp.read()
if resp.status != 202:
    sys.exit("POST /builds answered %d: %s" % (resp.status, answer.decode(errors="replace")))
build_id = json.loads(answer)["id"]
captured = capture_glob is None
while True:
    conn.request("GET", "/builds/" + build_id)
    record = json.loads(conn.getresponse().read())
    if record["state"] in ("succeeded", "failed", "cancelled"):
        total_ms = (time.perf_counter() - start) * 1000
        wall_end = time.time()
        break
    if not captured:
        for path in glob.glob(capture_glob):
            try:
                shutil.copyfile(path, capture_to)
                captured = True
                break
            except OSError:
                pass  # the container ended between glob and copy; the next match or poll may do
    time.sleep(0.005)
if record["state"] != "succeeded":
    sys.exit("build %s %s: %s" % (build_id, record["state"], record.get("error")))
if not captured:
    sys.exit("build %s: no file matched %s while it ran" % (build_id, capture_glob))
phases = {p["name"]: p.get("durationMs") for p in record.get("phases", [])}
creator = next(p for p in record["phases"] if p["name"] == "creator")
created, started, finished = (instant(record[k]) for k in ("createdAt", "startedAt", "finishedAt"))
creator_end = instant(creator["startedAt"]) + creator["durationMs"] / 1000
print(json.dumps({
    "id": build_id,
    "total_ms": round(total_ms, 1),
    "creator_ms": phases.get("creator"),
    "phases_ms": sum(v for v in phases.values() if v is not None),
    "phases": list(phases),
    "digest": record["result"]["digest"],
    "upload_ms": round((created - wall_start) * 1000, 1),
    "queued_ms": round((started - created) * 1000, 1),
    "before_ms": round((instant(creator["startedAt"]) - started) * 1000, 1),
    "after_ms": round((finished - creator_end) * 1000, 1),
    "seen_ms": round((wall_end - finished) * 1000, 1),
}))
