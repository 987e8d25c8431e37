#!/usr/bin/env python3
"""Root mode against rootless mode through locald's HTTP API, interleaved in one run (used by bench/rootless.sh).

Usage: rootless-client.py ROOT_URL ROOTLESS_URL REGISTRY PULL_IMAGE FIXTURE_BUILDER FIXTURE_APP_TAR REAL_BUILDER
                          REAL_APP_TAR RUNS
Every round does each measurement once per mode, the order of the two modes alternating from round to round, so
that the machine's load falls on both alike:
  cold pull    DELETE /images/{digest} (when cached), sync and drop the page cache, then POST /images of PULL_IMAGE
               (resolve, download, verify, extract), client wall time
  phase        durationMs of the detector phase of the fixture builds below: a container whose process does next to
               nothing (its rootfs overlay, synthetic /etc, bundle, runc run, output pumps, teardown)
  fixture      a warm untrusted build (five phases, isolated network) of the fixture hello app with the fixture
               builder, POST /builds to the terminal state
  real         a warm trusted build (creator) of a Procfile app with the real lifecycle and the pack-made builder
One untimed build per builder and mode comes first (pulls, fills the cache, pushes the first image), so the timed
builds are second builds of the same app to the same image. Prints per-round figures and a Markdown table.
"""
import http.client
import json
import statistics
import subprocess
import sys
import time
import urllib.parse

root_url, rootless_url, registry, pull_image, fixture_builder, fixture_app, real_builder, real_app, runs = sys.argv[1:10]
runs = int(runs)
MODES = (("root", root_url), ("rootless", rootless_url))
apps = {}
for path in (fixture_app, real_app):
    with open(path, "rb") as f:
        apps[path] = f.read()


def connect(url):
    u = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=600)
    conn.connect()
    return conn


def call(url, method, path, body=None, headers=None):
    conn = connect(url)
    conn.request(method, path, body, headers or {})
    resp = conn.getresponse()
    data = resp.read()
    conn.close()
    return resp.status, data


def cold_pull(url):
    status, data = call(url, "GET", "/images")
    for image in json.loads(data)["images"] if status == 200 else []:
        if pull_image in image["references"]:
            status, answer = call(url, "DELETE", "/images/" + image["digest"])
            if status != 204:
                sys.exit("DELETE /images/%s answered %d: %s" % (image["digest"], status, answer))
    subprocess.run(["sh", "-c", "sync; echo 3 > /proc/sys/vm/drop_caches"], check=True)
    conn = connect(url)
    start = time.perf_counter()
    conn.request("POST", "/images", json.dumps({"reference": pull_image}), {"Content-Type": "application/json"})
    resp = conn.getresponse()
    answer = resp.read()
    ms = (time.perf_counter() - start) * 1000
    if resp.status != 200:
        sys.exit("POST /images answered %d: %s" % (resp.status, answer.decode(errors="replace")))
    return ms


def build(url, builder, target, app, trusted):
    boundary = "locald-bench-%d" % time.time_ns()
    request = json.dumps({"image": target, "builder": builder, "trustBuilder": trusted})
    body = (
        ("--%s\r\nContent-Disposition: form-data; name=\"build\"\r\nContent-Type: application/json\r\n\r\n%s\r\n"
         "--%s\r\nContent-Disposition: form-data; name=\"source\"; filename=\"app.tar\"\r\n"
         "Content-Type: application/x-tar\r\n\r\n") % (boundary, request, boundary)
    ).encode() + apps[app] + ("\r\n--%s--\r\n" % boundary).encode()
    conn = connect(url)
    start = time.perf_counter()
    conn.request("POST", "/builds", body, {"Content-Type": "multipart/form-data; boundary=" + boundary})
    resp = conn.getresponse()
    answer = resp.read()
    if resp.status != 202:
        sys.exit("POST /builds answered %d: %s" % (resp.status, answer.decode(errors="replace")))
    build_id = json.loads(answer)["id"]
    while True:
        conn.request("GET", "/builds/" + build_id)
        record = json.loads(conn.getresponse().read())
        if record["state"] in ("succeeded", "failed", "cancelled"):
            ms = (time.perf_counter() - start) * 1000
            break
        time.sleep(0.005)
    if record["state"] != "succeeded":
        _, log = call(url, "GET", "/builds/%s/logs" % build_id, headers={"Accept": "text/plain"})
        sys.exit("%s build with %s %s: %s\n%s" % (url, builder, record["state"], record.get("error"), log.decode()))
    return ms, {p["name"]: p["durationMs"] for p in record.get("phases", [])}


results = {mode: {"cold pull": [], "phase": [], "fixture": [], "real": []} for mode, _ in MODES}
for mode, url in MODES:
    build(url, fixture_builder, "%s/bench/rootless-fixture-%s:1" % (registry, mode), fixture_app, False)
    build(url, real_builder, "%s/bench/rootless-real-%s:1" % (registry, mode), real_app, True)
for i in range(runs):
    order = MODES if i % 2 == 0 else tuple(reversed(MODES))
    line = []
    for mode, url in order:
        r = results[mode]
        r["cold pull"].append(cold_pull(url))
        ms, phases = build(url, fixture_builder, "%s/bench/rootless-fixture-%s:1" % (registry, mode), fixture_app,
                           False)
        r["fixture"].append(ms)
        r["phase"].append(phases["detector"])
        ms, _ = build(url, real_builder, "%s/bench/rootless-real-%s:1" % (registry, mode), real_app, True)
        r["real"].append(ms)
        line.append("%s: pull %.0f, detector %.0f, fixture %.0f, real %.0f ms" % (
            mode, r["cold pull"][-1], r["phase"][-1], r["fixture"][-1], r["real"][-1]))
    print("round %d: %s" % (i + 1, "; ".join(line)), flush=True)

names = (
    ("cold pull", "cold pull + extraction of the pack-made builder (POST /images, page cache dropped)"),
    ("phase", "one container (fixture detector phase's durationMs)"),
    ("fixture", "warm build, fixture builder, untrusted (5 phases, isolated network)"),
    ("real", "warm build, real lifecycle 0.21.17, trusted (creator)"),
)
print()
print("| what (n=%d each, medians) | root | rootless | rootless / root |" % runs)
print("|---|---|---|---|")
for key, name in names:
    a = statistics.median(results["root"][key])
    b = statistics.median(results["rootless"][key])
    print("| %s | %.0f ms [%.0f–%.0f] | %.0f ms [%.0f–%.0f] | %.2f× |" % (
        name, a, min(results["root"][key]), max(results["root"][key]),
        b, min(results["rootless"][key]), max(results["rootless"][key]), b / a))
