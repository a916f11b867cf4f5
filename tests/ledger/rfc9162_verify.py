#!/usr/bin/env python3
"""An independent verifier of RFC 9162 proofs, written from the RFC text (sections 2.1.3.2 and
2.1.4.2) with the standard library only. Reads one JSON object per line:
  {"type": "inclusion", "index": i, "size": n, "leaf": hex, "path": [hex...], "root": hex}
  {"type": "consistency", "first": m, "second": n, "first_root": hex, "second_root": hex,
   "path": [hex...]}
and prints "ok" or "fail" for each."""
import hashlib
import json
import sys


def node(left, right):
    return hashlib.sha256(b"\x01" + left + right).digest()


def verify_inclusion(index, size, leaf, path, root):
    if index >= size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node(p, r)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def verify_consistency(first, second, first_root, second_root, path):
    if first > second:
        return False
    if first == second:
        return not path and first_root == second_root
    if first == 0:
        return not path
    if not path:
        return False
    if first & (first - 1) == 0:
        path = [first_root] + path
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node(c, fr)
            sr = node(c, sr)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node(sr, c)
        fn >>= 1
        sn >>= 1
    return fr == first_root and sr == second_root and sn == 0


def main():
    h = bytes.fromhex
    for line in sys.stdin:
        if not line.strip():
            continue
        c = json.loads(line)
        path = [h(p) for p in c["path"]]
        if c["type"] == "inclusion":
            ok = verify_inclusion(c["index"], c["size"], h(c["leaf"]), path, h(c["root"]))
        else:
            ok = verify_consistency(c["first"], c["second"], h(c["first_root"]),
                                    h(c["second_root"]), path)
        print("ok" if ok else "fail")


if __name__ == "__main__":
    main()
