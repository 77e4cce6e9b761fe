#!/usr/bin/env python3
"""Build tests/fixtures/own-realistic.jsonl, the project's own hand-written held-out set.

Every prompt below was written by hand for this file (invented people and numbers; real
municipality and town names with invented block numbers). It is HELD OUT: never used to fit,
tune or special-case any rule. See tests/fixtures/own-realistic.README.md.

Markup: ⟦n:…⟧ name, ⟦a:…⟧ address, ⟦p:…⟧ phone, ⟦m:…⟧ My Number, ⟦e:…⟧ e-mail.
#MN:ddddddddddd# (11 digits, spaces kept) becomes those digits plus a valid My Number check digit;
it is used both for labelled My Numbers and for unlabelled reference numbers that merely pass
the check (hard negatives).

usage: python3 scripts/own-eval/build.py > tests/fixtures/own-realistic.jsonl
"""
import json, re, sys

def check_digit(d11):
    p = [int(c) for c in d11][::-1]  # P1 is the rightmost of the 11
    s = sum(pn * ((n + 1) if n <= 6 else (n - 5)) for n, pn in enumerate(p, 1))
    r = s % 11
    return 0 if r <= 1 else 11 - r

def mn(m):
    raw = m.group(1)
    digits = raw.replace(" ", "").replace("-", "")
    assert len(digits) == 11, raw
    return raw + str(check_digit(digits))

CAT = {"n": "name", "a": "address", "p": "phone", "m": "my_number", "e": "email"}
SPAN = re.compile(r"⟦([napme]):(.*?)⟧", re.S)

def parse(src):
    src = re.sub(r"#MN:([0-9 \-]+)#", mn, src)
    out, ents, pos = [], [], 0
    for m in SPAN.finditer(src):
        out.append(src[pos:m.start()])
        start = sum(len(s) for s in out)
        val = m.group(2)
        out.append(val)
        ents.append({"start": start, "end": start + len(val), "category": CAT[m.group(1)], "text": val})
        pos = m.end()
    out.append(src[pos:])
    text = "".join(out)
    assert "⟦" not in text and "⟧" not in text, text
    for e in ents:
        assert text[e["start"]:e["end"]] == e["text"]
    return text, ents

from prompts import PROMPTS  # noqa: E402  (the hand-written texts, beside this file)

def main():
    seen = set()
    for i, (fmt, src) in enumerate(PROMPTS):
        text, ents = parse(src)
        assert text not in seen, text[:40]
        seen.add(text)
        print(json.dumps({"id": f"own-{i:04d}", "format": fmt, "text": text, "entities": ents},
                         ensure_ascii=False))

if __name__ == "__main__":
    main()
