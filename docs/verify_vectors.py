#!/usr/bin/env python3
"""Verifies docs/test-vectors.json with no Formseal code: Python's json for RFC 8785
canonical bytes (enough for these objects: no floats, ASCII member names), hashlib
for SHA-256 and the `cryptography` package for ed25519. It is the proof that
docs/protocol.md says enough to verify a submission and its receipt elsewhere."""

import base64
import decimal
import fractions
import hashlib
import json
import pathlib
import sys

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

PREFIX = {
    "form-version": b"formseal/v1/form-version\n",
    "envelope": b"formseal/v1/envelope\n",
    "receipt": b"formseal/v1/receipt\n",
    "challenge": b"formseal/v1/challenge\n",
    "link-open": b"formseal/v1/link-open\n",
}


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def canonical(kind: str, obj) -> bytes:
    body = json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return PREFIX[kind] + body.encode()


def leading_zero_bits(digest: bytes) -> int:
    value = int.from_bytes(digest, "big")
    return len(digest) * 8 - value.bit_length()


def check(what: str, ok: bool) -> None:
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        sys.exit(1)


def verifies(public_key: str, signature: str, data: bytes) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(unb64(public_key)).verify(unb64(signature), data)
        return True
    except InvalidSignature:
        return False


def blank(value) -> bool:
    return value is None or value == [] or value == {} or (isinstance(value, str) and value.strip() == "")


def logic_outcome(form, answers):
    """Which fields are shown and required and which pages are reached, as
    docs/protocol.md ("Form logic") defines it, written from that text alone."""
    fields = form["fields"]
    count = len(fields)
    starts = [0] + [i for i, f in enumerate(fields) if i > 0 and f["type"] == "page_break"]
    ranges = [(start, starts[n + 1] if n + 1 < len(starts) else count) for n, start in enumerate(starts)]
    position = {f["key"]: i for i, f in enumerate(fields)}
    shown, required, path = [False] * count, [False] * count, []
    values = [None] * count

    def known(key):
        i = position.get(key)
        if i is None or not shown[i]:
            return None
        # A calculation reads as the value computed, never as the answer given.
        answer = values[i] if fields[i]["type"] == "calculation" else answers.get(key)
        if blank(answer):
            return None
        return fields[i], answer

    numeric = ("number", "rating", "opinion_scale", "calculation")

    def number_of(key):
        """What an answer stands for in a formula ("Calculations"); None: no number."""
        k = known(key)
        i = position.get(key)
        if k is None:
            if i is not None and shown[i] and fields[i]["type"] == "calculation":
                return None
            return fractions.Fraction(0)
        field, answer = k

        def score(options, value):
            option = next((o for o in options if isinstance(value, str) and o["value"] == value), None)
            return fractions.Fraction(decimal.Decimal(option["score"])) if option and "score" in option else fractions.Fraction(0)

        kind = field["type"]
        if kind == "yes_no":
            return fractions.Fraction(1 if answer is True else 0)
        if kind == "single_choice":
            return score(field["options"], answer)
        if kind == "multiple_choice":
            return sum((score(field["options"], a) for a in answer), fractions.Fraction(0))
        if kind == "matrix":
            return sum((score(field["columns"], a) for a in answer.values()), fractions.Fraction(0))
        try:
            return fractions.Fraction(decimal.Decimal(answer))
        except (decimal.InvalidOperation, TypeError):
            return None

    def compute(formula):
        op = formula["op"]
        if op == "number":
            return fractions.Fraction(decimal.Decimal(formula["value"]))
        if op == "answer":
            return number_of(formula["field"])
        parts = [compute(f) for f in formula["terms" if op == "sum" else "factors"]]
        if any(p is None for p in parts):
            return None
        result = fractions.Fraction(0 if op == "sum" else 1)
        for p in parts:
            result = result + p if op == "sum" else result * p
        return result

    def canonical_decimal(value):
        # Exact: the vectors' values all have a power of ten as denominator.
        with decimal.localcontext() as ctx:
            ctx.prec = 100
            text = format((decimal.Decimal(value.numerator) / decimal.Decimal(value.denominator)).normalize(), "f")
        return "0" if text in ("-0", "0") else text

    def equals(field, answer, value):
        # Numbers by value; ratings and scales, like everything else, as written.
        if field["type"] in ("number", "calculation"):
            return decimal.Decimal(answer) == decimal.Decimal(value)
        if field["type"] == "consent":
            return answer.get("accepted") is value
        return type(answer) is type(value) and answer == value

    def order(field, answer, value):
        if field["type"] in numeric:
            a, b = decimal.Decimal(answer), decimal.Decimal(value)
        elif field["type"] in ("date", "date_time"):
            a, b = answer, value
        else:
            return None
        return (a > b) - (a < b)

    def holds(c):
        op = c["op"]
        if op == "all_of":
            return all(holds(x) for x in c["conditions"])
        if op == "any_of":
            return any(holds(x) for x in c["conditions"])
        k = known(c["field"])
        if op == "answered":
            return k is not None
        if op == "not_answered":
            return k is None
        if op == "not_equals":
            return not (k is not None and equals(k[0], k[1], c["value"]))
        if k is None:
            return False
        field, answer = k
        if op == "equals":
            return equals(field, answer, c["value"])
        if op == "one_of":
            return any(equals(field, answer, v) for v in c["values"])
        if op == "contains":
            if isinstance(answer, list):
                return c["value"] in answer
            return isinstance(answer, str) and c["value"].lower() in answer.lower()
        o = order(field, answer, c["value"])
        return o is not None and (o > 0 if op == "greater_than" else o < 0)

    def applies(page):
        condition = fields[ranges[page][0]].get("visible_if")
        return condition is None or holds(condition)

    page = 0
    while page < len(ranges):
        path.append(page)
        start, end = ranges[page]
        for i in range(start, end):
            f = fields[i]
            shown[i] = f["type"] == "page_break" or f.get("visible_if") is None or holds(f["visible_if"])
            required[i] = shown[i] and (f.get("required", False) or (f.get("required_if") is not None and holds(f["required_if"])))
            if shown[i] and f["type"] == "calculation":
                value = compute(f["formula"])
                values[i] = None if value is None else canonical_decimal(value)
        target = page + 1
        if fields[start]["type"] == "page_break":
            for jump in fields[start].get("jumps", []):
                if holds(jump["when"]):
                    if jump["to"] == "end":
                        target = len(ranges)
                    else:
                        later = [p for p in range(page + 1, len(ranges)) if fields[ranges[p][0]]["key"] == jump["to"]["page"]]
                        target = later[0] if later else page + 1
                    break
        while target < len(ranges) and not applies(target):
            target += 1
        page = target
    logic_outcome.values = {fields[i]["key"]: values[i] for i in range(count) if fields[i]["type"] == "calculation"}
    return shown, required, [fields[ranges[p][0]]["key"] for p in path]


def version_digest(definition) -> str:
    """A published version's id: digest(form-version, definition)."""
    return b64(hashlib.sha256(canonical("form-version", definition)).digest())


def answers_fit(form, answers):
    """What the server refuses of an envelope's answers for want of the form's
    logic: keys that are no field, answers to fields not asked, required fields
    without answer. (The checks of each kind are not repeated here.)"""
    shown, required, _ = logic_outcome(form, answers)
    keys = [f["key"] for f in form["fields"]]
    unknown = sorted(set(answers) - set(keys))
    not_asked = [k for k, s in zip(keys, shown) if not s and not blank(answers.get(k))]
    missing = [k for k, r in zip(keys, required) if r and blank(answers.get(k))]
    return unknown, not_asked, missing


def main() -> None:
    path = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else pathlib.Path(__file__).with_name("test-vectors.json"))
    v = json.loads(path.read_text(encoding="utf-8"))
    instance = v["keys"]["instance_public_key"]

    fv = v["form_version"]
    data = canonical("form-version", fv["definition"])
    check("form version canonical bytes", data.decode() == fv["canonical"])
    check("form version digest", b64(hashlib.sha256(data).digest()) == fv["digest"])
    check("form version signature", verifies(instance, fv["signature"], data))

    # Every form a vector names is in the file, published: its version is the
    # digest of its definition, recomputed here, and the instance key signed it.
    lv = v["link"]["form_version"]
    data = canonical("form-version", lv["definition"])
    check("link form version digest", version_digest(lv["definition"]) == lv["version"])
    check("link form version signature",
          lv["key"] == v["keys"]["instance_key_id"] and verifies(instance, lv["signature"], data))
    definitions = {fv["digest"]: fv["definition"], lv["version"]: lv["definition"]}
    definitions[version_digest(v["logic"]["definition"])] = v["logic"]["definition"]

    def named(what, form_id, version):
        definition = definitions.get(version)
        check(f"{what} names a version in the file", definition is not None)
        check(f"{what} names the form of that version", definition["id"] == form_id)
        return definition

    for what, s in (("submission", v["submission"]), ("second submission", v["second_submission"]), ("link envelope", v["link"])):
        envelope = s["request"]["envelope"]
        definition = named(what, envelope["form"], envelope["version"])
        unknown, not_asked, missing = answers_fit(definition, envelope["answers"])
        check(f"{what} answers only fields of its form", not unknown)
        check(f"{what} answers only fields asked", not not_asked)
        check(f"{what} answers every required field", not missing)
    for n, entry in enumerate(v["receipts"], start=1):
        receipt = entry["signed"]["receipt"]
        named(f"receipt {n}", receipt["form"], receipt["version"])
    check("the challenge names a form in the file", v["challenge"]["signed"]["challenge"]["form"] in {d["id"] for d in definitions.values()})

    sub = v["submission"]
    request = sub["request"]
    data = canonical("envelope", request["envelope"])
    check("envelope canonical bytes", data.decode() == sub["canonical"])
    check("envelope digest", b64(hashlib.sha256(data).digest()) == sub["digest"])
    check("envelope signature", verifies(request["public_key"], request["signature"], data))
    tampered = dict(request["envelope"], nonce="AAAAAAAAAAAAAAAAAAAAAA")
    check("tampered envelope fails", not verifies(request["public_key"], request["signature"], canonical("envelope", tampered)))

    previous = None
    for n, entry in enumerate(v["receipts"], start=1):
        receipt = entry["signed"]["receipt"]
        data = canonical("receipt", receipt)
        check(f"receipt {n} canonical bytes", data.decode() == entry["canonical"])
        check(f"receipt {n} digest", b64(hashlib.sha256(data).digest()) == entry["digest"])
        check(f"receipt {n} signature", verifies(instance, entry["signed"]["signature"], data))
        check(f"receipt {n} sequence and previous", receipt["sequence"] == n and receipt["previous"] == previous)
        previous = entry["digest"]
    check("receipt 1 names the envelope", v["receipts"][0]["signed"]["receipt"]["envelope"] == sub["digest"])

    second = v["second_submission"]
    request = second["request"]
    data = canonical("envelope", request["envelope"])
    check("second envelope canonical bytes", data.decode() == second["canonical"])
    check("second envelope digest", b64(hashlib.sha256(data).digest()) == second["digest"])
    check("second envelope signature", verifies(request["public_key"], request["signature"], data))
    check("receipt 2 names the second envelope", v["receipts"][1]["signed"]["receipt"]["envelope"] == second["digest"])
    # A nonce is unique per form and a stored envelope has one receipt (a retry gets
    # the first one back): no two receipts of a form name the same envelope.
    named = [entry["signed"]["receipt"]["envelope"] for entry in v["receipts"]]
    check("no envelope is named by two receipts", len(set(named)) == len(named))
    nonces = [s["request"]["envelope"]["nonce"] for s in (sub, second) if s["request"]["envelope"]["form"] == sub["request"]["envelope"]["form"]]
    check("no nonce is used twice in a form", len(set(nonces)) == len(nonces))

    link = v["link"]
    secret = unb64(link["secret"])
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
    derived = Ed25519PrivateKey.from_private_bytes(secret).public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    check("link public key from the fragment's secret", b64(derived) == link["public_key"])
    check("link url carries the secret in the fragment", link["url"].endswith("#" + link["secret"]))
    data = canonical("link-open", link["open"]["open"])
    check("link opening canonical bytes", data.decode() == link["open_canonical"])
    check("link opening signature", verifies(link["public_key"], link["open"]["signature"], data))
    request = link["request"]
    data = canonical("envelope", request["envelope"])
    check("link envelope canonical bytes", data.decode() == link["canonical"])
    check("link envelope digest", b64(hashlib.sha256(data).digest()) == link["digest"])
    check("link envelope signed with the link key",
          request["public_key"] == link["public_key"] and verifies(link["public_key"], request["signature"], data))
    check("link envelope names the link", request["envelope"]["link"] == link["open"]["open"]["link"])
    strokes = request["envelope"]["answers"]["signature"]["strokes"]
    check("signature points are [x, y, t] or [x, y, t, pressure]",
          all(len(p) in (3, 4) and all(isinstance(n, int) for n in p) for s in strokes for p in s))
    statement = request["envelope"]["answers"]["signature"]["statement"]
    signature_field = next(f for f in lv["definition"]["fields"] if f["key"] == "signature")
    check("signature statement is one the field shows", statement in signature_field["statement"].values())

    ch = v["challenge"]
    signed = ch["signed"]
    data = canonical("challenge", signed["challenge"])
    check("challenge canonical bytes", data.decode() == ch["canonical"])
    check("challenge signature", verifies(instance, signed["signature"], data))
    work_input = hashlib.sha256(data).digest()
    check("challenge work input", b64(work_input) == ch["work_input"])
    proof = ch["proof"]
    check("proof carries the signed challenge", {k: proof[k] for k in signed} == signed)
    solved = hashlib.sha256(work_input + unb64(proof["solution"])).digest()
    check("proof solution hash", b64(solved) == ch["solution_hash"])
    check("proof reaches the difficulty", leading_zero_bits(solved) >= signed["challenge"]["difficulty"])
    check("a wrong solution does not", leading_zero_bits(hashlib.sha256(work_input + b"x").digest()) < 12)

    lg = v["logic"]
    form = lg["definition"]
    check("logic form digest", b64(hashlib.sha256(canonical("form-version", form)).digest()) == lg["digest"])
    for case in lg["cases"]:
        answers = case["answers"]
        shown, required, path = logic_outcome(form, answers)
        keys = [f["key"] for f in form["fields"]]
        check(f"logic shown: {case['name']}", [k for k, s in zip(keys, shown) if s] == case["shown"])
        check(f"logic required: {case['name']}", [k for k, r in zip(keys, required) if r] == case["required"])
        check(f"logic path: {case['name']}", path == case["path"])
        # Refused: an answer to a field not shown; required and blank. (The cases
        # hold no other kind of mistake.)
        expected = {(k, "not_asked") for k, s in zip(keys, shown) if not s and not blank(answers.get(k))}
        expected |= {(k, "required") for k, r in zip(keys, required) if r and blank(answers.get(k))}
        got = {(p["field"], p["problem"]["code"]) for p in case["problems"]}
        check(f"logic problems: {case['name']}", got == expected)

    calc = v["calculations"]
    form = calc["definition"]
    check("calculations form digest", version_digest(form) == calc["digest"])
    for case in calc["cases"]:
        shown, _, _ = logic_outcome(form, case["answers"])
        keys = [f["key"] for f in form["fields"]]
        check(f"calculation values: {case['name']}", logic_outcome.values == case["values"])
        check(f"calculation shown: {case['name']}", [k for k, s in zip(keys, shown) if s] == case["shown"])
        # What the browser signs: each shown calculation's own value, the others none.
        normalised = case["normalised"]
        signed_values = {k: normalised.get(k) for k in case["values"]}
        check(f"calculation signed: {case['name']}", signed_values == case["values"])


if __name__ == "__main__":
    main()
