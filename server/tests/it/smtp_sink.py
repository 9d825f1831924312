#!/usr/bin/env python3
"""A real SMTP server for the message tests (aiosmtpd, from PyPI), on 127.0.0.1.

Prints `READY <port>` once it listens, then one JSON line per message it accepted:
{"from": ..., "to": [...], "data": "<the whole message>", "text": "<its plain-text part, decoded>"}. Behaviours the tests ask for:
  --refuse ADDRESS     answer 550 to this recipient (repeatable)
  --defer-first N      answer 451 (try again later) to the first N messages
  --drop-at N          close the connection instead of answering the Nth message (once)
  --delay-ms N         wait this long before answering each message (a slow server)
  --port N             listen on this port (default: a free one)
"""
import argparse
import asyncio
import email
import email.policy
import json
import socket
import sys

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self, refuse, defer_first, drop_at, delay_ms):
        self.delay = delay_ms / 1000
        self.refuse = {a.lower() for a in refuse}
        self.defer_left = defer_first
        self.drop_at = drop_at
        self.seen = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.refuse:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.seen += 1
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.drop_at and self.seen == self.drop_at:
            # As a server that crashes mid-conversation: no answer, the connection gone.
            server.transport.close()
            return "421 4.3.0 Closing"
        if self.defer_left > 0:
            self.defer_left -= 1
            return "451 4.3.0 Try again later"
        data = envelope.content.decode("utf8", errors="replace")
        # The plain-text part decoded (quoted-printable or base64 undone), as a reader sees it.
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        body = parsed.get_body(preferencelist=("plain",))
        text = body.get_content() if body is not None else ""
        record = {"from": envelope.mail_from, "to": envelope.rcpt_tos, "data": data, "text": text}
        print(json.dumps(record), flush=True)
        return "250 2.0.0 Ok: queued"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--refuse", action="append", default=[])
    parser.add_argument("--defer-first", type=int, default=0)
    parser.add_argument("--drop-at", type=int, default=0)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--delay-ms", type=int, default=0)
    args = parser.parse_args()
    port = args.port or free_port()
    controller = Controller(Sink(args.refuse, args.defer_first, args.drop_at, args.delay_ms), hostname="127.0.0.1", port=port)
    controller.start()
    print(f"READY {port}", flush=True)
    try:
        # Until the test ends (it closes our stdin or kills us).
        sys.stdin.read()
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
