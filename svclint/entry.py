"""The `svclint` process: the console script's and `python -m svclint`'s entry point.

Only a process that is svclint imports this module (tests and plugins import `svclint.cli`),
so it may set process-wide policy. It turns the cyclic garbage collector off before anything
else is imported, and freezes what is left before the interpreter shuts down. svclint makes
almost no reference cycles (the engine already pauses the collector for the run, see
`engine.run`); without this, the collections triggered while importing click, ruamel.yaml and
svclint, and the full collections of interpreter shutdown, cost about 12 ms, an eighth of a
pre-commit run on one file (`python benchmarks/bench.py --startup`). Shutdown itself still runs:
atexit handlers, buffered output flushed, files closed.
"""

from __future__ import annotations

import gc

gc.disable()


def main() -> None:
    from .cli import main as cli_main

    try:
        cli_main()
    finally:
        gc.freeze()
