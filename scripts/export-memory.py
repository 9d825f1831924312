#!/usr/bin/env python3
"""How much memory an export takes on the server: the real binary, filled with N
signed submissions over HTTP, then each export downloaded at N/40 and at N
submissions while the server's RSS is sampled every 20 ms. Streamed (plain CSV,
JSON) against whole-file (XLSX, up to its limit of 100,000) in the same run, as
the baseline; a streamed export's growth should not depend on N.

    scripts/export-memory.py [N] [path/to/formseal]

Needs the build (`scripts/build.sh`) and Python's `cryptography` (setup installs
it for the protocol vectors). Loopback only; a temporary data directory.
"""

import base64
import datetime
import hashlib
import http.client
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

FORM = "contact-tracing"
NEW_PASSWORD = "violet kettle marches uphill at dawn"


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def canonical(prefix: bytes, obj) -> bytes:
    return prefix + json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def rss_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def request(port, method, path, body=None, headers=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    conn.request(method, path, body=body, headers=headers or {})
    res = conn.getresponse()
    data = res.read()
    conn.close()
    return res, data


def fill(port, version, count, threads=8):
    today = datetime.date.today().isoformat()
    answers = {
        "name": "Ada Lovelace",
        "address": "Musterstraße 1\n10115 Berlin",
        "phone": "+49301234567",
        "visit_date": today,
        "visit_time": f"{today}T18:30",
    }
    done = [0]
    lock = threading.Lock()

    def worker(start):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        for n in range(start, count, threads):
            conn.request("GET", f"/api/v1/forms/{FORM}/challenge")
            challenge = json.loads(conn.getresponse().read())
            key = Ed25519PrivateKey.generate()
            envelope = {
                "v": 1,
                "form": FORM,
                "version": version,
                "answers": answers,
                "nonce": b64(os.urandom(16)),
                "client_time": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            }
            signature = key.sign(canonical(b"formseal/v1/envelope\n", envelope))
            public = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
            # Difficulty 0: any counter solves the challenge.
            proof = dict(challenge, solution=b64(bytes(8)))
            body = json.dumps({"envelope": envelope, "public_key": b64(public), "signature": b64(signature), "proof": proof})
            conn.request("POST", f"/api/v1/forms/{FORM}/submissions", body=body, headers={"content-type": "application/json"})
            res = conn.getresponse()
            res.read()
            if res.status != 201:
                raise SystemExit(f"submission {n}: {res.status}")
            with lock:
                done[0] += 1
                if done[0] % 5000 == 0:
                    print(f"… {done[0]} submissions", file=sys.stderr)

    pool = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()


def log_in(port, log_path):
    password = re.search(r"one-time password (\S+)", open(log_path).read()).group(1)
    form = urllib.parse.urlencode({"username": "owner", "password": password})
    res, _ = request(port, "POST", "/admin/fn/login", form, {"content-type": "application/x-www-form-urlencoded"})
    cookie = [v.split(";")[0] for k, v in res.getheaders() if k.lower() == "set-cookie" and v.startswith("formseal_session=")][0]
    change = urllib.parse.urlencode({"current": password, "new": NEW_PASSWORD, "repeat": NEW_PASSWORD})
    headers = {"content-type": "application/x-www-form-urlencoded", "cookie": cookie, "origin": f"http://127.0.0.1:{port}"}
    res, body = request(port, "POST", "/admin/fn/change-password", change, headers)
    if res.status >= 400:
        raise SystemExit(f"password change: {res.status} {body[:200]}")
    return cookie


def measure_export(port, pid, cookie, fmt):
    """Peak RSS growth (KiB) during one export, its size and its time."""
    base = rss_kib(pid)
    peak = [base]
    running = [True]

    def sample():
        while running[0]:
            peak[0] = max(peak[0], rss_kib(pid))
            time.sleep(0.02)

    sampler = threading.Thread(target=sample)
    sampler.start()
    started = time.monotonic()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=900)
    body = urllib.parse.urlencode({"format": fmt, "scope": "full"})
    headers = {"content-type": "application/x-www-form-urlencoded", "cookie": cookie, "origin": f"http://127.0.0.1:{port}"}
    conn.request("POST", f"/admin/forms/{FORM}/export", body=body, headers=headers)
    res = conn.getresponse()
    size = 0
    while True:
        chunk = res.read(1 << 16)
        if not chunk:
            break
        size += len(chunk)
    seconds = time.monotonic() - started
    running[0] = False
    sampler.join()
    if res.status != 200:
        raise SystemExit(f"export {fmt}: {res.status}")
    return peak[0] - base, size, seconds


def main():
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 30_000
    target = os.environ.get("CARGO_TARGET_DIR", "/var/tmp/formseal-target")
    binary = sys.argv[2] if len(sys.argv) > 2 else f"{target}/debug/formseal"
    data = tempfile.mkdtemp(prefix="formseal-export-memory-")
    port = free_port()
    log_path = os.path.join(data, "server.log")
    with open(log_path, "w") as log:
        server = subprocess.Popen(
            [binary, "serve", "--data-dir", data, "--listen", f"127.0.0.1:{port}", "--pow-difficulty", "0",
             "--rate-limit-burst", "100000000"],
            stdout=log, stderr=log)
    try:
        for _ in range(240):
            try:
                if request(port, "GET", "/readyz")[0].status == 200:
                    break
            except OSError:
                pass
            time.sleep(0.5)
        version = json.loads(request(port, "GET", f"/api/v1/forms/{FORM}")[1])["version"]
        cookie = None
        print("| submissions | export | peak RSS growth | file | time |")
        print("| ---: | --- | ---: | ---: | ---: |")
        # Each export at a fortieth of the count and at the count, in the same run:
        # a streamed export's memory must not grow with the form, the whole-file
        # XLSX (up to its limit of 100,000) shows what unbounded would look like.
        filled = 0
        for size in sorted({max(1, count // 40), count}):
            started = time.monotonic()
            fill(port, version, size - filled)
            filled = size
            print(f"filled {size} submissions ({time.monotonic() - started:.0f} s)", file=sys.stderr)
            cookie = cookie or log_in(port, log_path)
            for fmt, how in [("xlsx", "XLSX (whole file in memory: the baseline)"), ("csv", "CSV (streamed)"), ("json", "JSON (streamed)")]:
                if fmt == "xlsx" and size > 100_000:
                    print(f"| {size} | {how} | refused above 100,000 | | |")
                    continue
                grown, length, seconds = measure_export(port, server.pid, cookie, fmt)
                print(f"| {size} | {how} | {grown / 1024:.1f} MiB | {length / 1e6:.1f} MB | {seconds:.1f} s |", flush=True)
    finally:
        server.terminate()
        server.wait()
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
