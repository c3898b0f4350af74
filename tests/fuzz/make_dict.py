#!/usr/bin/env python3
"""Writes a libFuzzer dictionary for one harness (scripts/fuzz calls it).

make_dict.py OUT.dict [--extra FILE.dict] SEED...

Every key of every JSON object in the JSON seeds becomes an entry ("key" and "\"key\":"), and so
does every short string value (enum names such as "fp16", "rooflens-session"); the harness's
hand-written tests/fuzz/dict/<harness>.dict (tokens of the text formats) is appended.
"""
import json
import sys


def escape(token):
    out = []
    for byte in token.encode("utf-8"):
        ch = chr(byte)
        if ch in '"\\':
            out.append("\\" + ch)
        elif 0x20 <= byte < 0x7F:
            out.append(ch)
        else:
            out.append("\\x%02X" % byte)
    return '"' + "".join(out) + '"'


def walk(value, tokens):
    if isinstance(value, dict):
        for key, child in value.items():
            tokens.add(key)
            tokens.add('"%s":' % key)
            walk(child, tokens)
    elif isinstance(value, list):
        for child in value:
            walk(child, tokens)
    elif isinstance(value, str) and 0 < len(value) <= 32:
        tokens.add(value)


def main(argv):
    out = argv[1]
    extra = None
    seeds = argv[2:]
    if seeds[:1] == ["--extra"]:
        extra, seeds = seeds[1], seeds[2:]
    tokens = set()
    for path in seeds:
        try:
            with open(path, encoding="utf-8") as f:
                walk(json.load(f), tokens)
        except (OSError, UnicodeDecodeError, ValueError):
            continue  # not JSON (edge lists, ONNX, bad fixtures)
    with open(out, "w", encoding="utf-8") as f:
        for token in sorted(tokens):
            if len(token.encode("utf-8")) <= 64:
                f.write(escape(token) + "\n")
        if extra:
            with open(extra, encoding="utf-8") as e:
                f.write(e.read())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
