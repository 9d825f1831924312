#!/usr/bin/env python3
"""A webhook receiver for the tests, on 127.0.0.1, that checks every delivery on
its own: the `v1,` HMAC signature with the `standardwebhooks` package (PyPI), and
the `v1a,` ed25519 signature with the public keys it reads from the sender's
/.well-known/formseal-keys.json (Python's `cryptography`).

Prints `READY <port>`, then one JSON line per delivery:
  {"path", "id", "timestamp", "attempt", "status", "hmac", "ed25519", "error", "body"}
`POST /_config` with {"secrets": {"/path": "whsec_..."}, "keys_url": "..."} sets
what to verify with. `--fail-first N` answers 500 to the first N tries of each message.
"""

import argparse
import base64
import json
import sys
import threading
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from standardwebhooks.webhooks import Webhook

parser = argparse.ArgumentParser()
parser.add_argument("--fail-first", type=int, default=0)
args = parser.parse_args()

lock = threading.Lock()
config = {"secrets": {}, "keys": []}
tries = {}


def b64url(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def ed25519_ok(headers, body):
    content = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + body
    for entry in headers.get("webhook-signature", "").split(" "):
        version, _, signature = entry.partition(",")
        if version != "v1a":
            continue
        for key in config["keys"]:
            try:
                key.verify(base64.b64decode(signature), content)
                return True
            except (InvalidSignature, ValueError):
                pass
    return False


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *_):
        pass

    def answer(self, status, text=b""):
        self.send_response(status)
        self.send_header("content-length", str(len(text)))
        self.end_headers()
        self.wfile.write(text)

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("content-length", "0")))
        if self.path == "/_config":
            settings = json.loads(body)
            with urllib.request.urlopen(settings["keys_url"]) as response:
                published = json.load(response)["keys"]
            with lock:
                config["secrets"] = settings["secrets"]
                config["keys"] = [Ed25519PublicKey.from_public_bytes(b64url(k["public_key"])) for k in published]
            return self.answer(204)
        headers = {k.lower(): v for k, v in self.headers.items()}
        error = None
        try:
            Webhook(config["secrets"].get(self.path, "")).verify(body, headers)
            hmac_ok = True
        except Exception as e:  # noqa: BLE001 - any failure to verify is reported, not raised
            hmac_ok, error = False, str(e)
        with lock:
            message = headers.get("webhook-id", "")
            tries[message] = tries.get(message, 0) + 1
            attempt = tries[message]
        status = 500 if attempt <= args.fail_first else 200
        try:
            parsed = json.loads(body)
        except ValueError:
            parsed = None
        line = {
            "path": self.path,
            "id": message,
            "timestamp": headers.get("webhook-timestamp"),
            "attempt": attempt,
            "status": status,
            "hmac": hmac_ok,
            "ed25519": ed25519_ok(headers, body),
            "error": error,
            "body": parsed,
        }
        print(json.dumps(line), flush=True)
        self.answer(status, b"not yet, try again" if status == 500 else b"thanks")


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(f"READY {server.server_address[1]}", flush=True)
server.serve_forever()
