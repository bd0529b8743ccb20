"""What the benchmark scripts (run.py, soak.py, profile.py) end the same way with: the work
directory removed whatever happens, Ctrl-C reported as such, and where the results were written."""

from __future__ import annotations

import sys
from typing import Callable

from bench.harness import Workdir


def run_in(wd: Workdir, interrupted: str, body: Callable[[Workdir], int]) -> int:
    """``body(wd)``'s exit status; on Ctrl-C, ``interrupted`` on stderr and 130. The work directory
    is cleaned up in the end (``Workdir.cleanup``: the servers' logs kept, the rest removed)."""
    try:
        return body(wd)
    except KeyboardInterrupt:
        print(f"\n{interrupted}", file=sys.stderr)
        return 130
    finally:
        wd.cleanup()


def say_written(report: str, markdown_updated: bool, wd: Workdir) -> None:
    """The closing line: the JSON report written, BENCHMARKS.md updated or not, and the logs."""
    print(
        f"\nreports/bench/{report} written{', BENCHMARKS.md updated' if markdown_updated else ''}; logs in {wd.logs}/"
    )
