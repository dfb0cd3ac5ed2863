"""Would parsing in worker processes pay on 2 cores? Compares svclint's parse of a fleet with the
cost of shipping the parsed documents back to the parent (pickle), which any process pool pays.

    python benchmarks/parallel.py /tmp/svclint-bench/fleet-1000a-50ns

With two workers the parent still unpickles everything serially, and each worker pickles its
half: parallel parsing wins only if dumps/2 + loads < parse/2. Threads do not help: the C
composer holds the GIL, and the conversion to svclint's nodes is Python.
"""

from __future__ import annotations

import gc
import os
import pickle
import sys
import time

from svclint.load.documents import load_documents


def main(root: str) -> None:
    gc.disable()  # as in a real run (engine.run)
    texts = []
    for folder, _, names in sorted(os.walk(root)):
        for name in sorted(names):
            with open(os.path.join(folder, name), encoding="utf-8") as fh:
                texts.append(fh.read())
    t = time.perf_counter()
    docs = [load_documents(text) for text in texts]
    parse = time.perf_counter() - t
    t = time.perf_counter()
    blob = pickle.dumps(docs, protocol=pickle.HIGHEST_PROTOCOL)
    dumps = time.perf_counter() - t
    t = time.perf_counter()
    pickle.loads(blob)
    loads = time.perf_counter() - t
    two = parse / 2 + dumps / 2 + loads
    print(
        f"{len(texts)} files: parse {parse:.2f} s, pickle.dumps {dumps:.2f} s, pickle.loads"
        f" {loads:.2f} s ({len(blob) / 1e6:.0f} MB); two workers at best {two:.2f} s"
        f" = {two / parse:.2f}x the serial parse"
    )


if __name__ == "__main__":
    main(sys.argv[1])
