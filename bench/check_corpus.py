#!/usr/bin/env python3
"""Exit 0 if DIR holds the corpus gen_corpus.py would write for --n N --seed S.

    python3 bench/check_corpus.py DIR N SEED

The corpus is regenerated only when this fails, which saves about 20 s per
benchmark run. "Same corpus" means: manifest.json names the same generator,
version, n and seed, and every feed file has the size and sha1 the manifest
records (a half-written or edited corpus is caught, not just a stale one).
"""
import hashlib
import json
import os
import sys


def main():
    if len(sys.argv) != 4:
        sys.exit("usage: check_corpus.py DIR N SEED")
    root, n, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    try:
        with open(os.path.join(root, "manifest.json"), encoding="utf-8") as f:
            manifest = json.load(f)
    except (OSError, ValueError) as e:
        sys.exit(f"no usable manifest: {e}")
    want = {"generator": "gen_corpus.py", "n": n, "seed": seed}
    for key, value in want.items():
        if manifest.get(key) != value:
            sys.exit(f"manifest {key} is {manifest.get(key)!r}, want {value!r}")
    feeds = manifest.get("feeds", [])
    if len(feeds) != n:
        sys.exit(f"manifest lists {len(feeds)} feeds, want {n}")
    for feed in feeds:
        path = os.path.join(root, feed["path"].lstrip("/"))
        try:
            with open(path, "rb") as f:
                data = f.read()
        except OSError as e:
            sys.exit(f"{path}: {e}")
        if len(data) != feed["size"] or hashlib.sha1(data).hexdigest() != feed["sha1"]:
            sys.exit(f"{path} differs from the manifest")


if __name__ == "__main__":
    main()
