"""Time of one full recompute of the Models page's fit advice: every catalog build, every quantization.

    .venv/bin/python bench/fit_table.py [--repeats 20]

Runs ``llmdesk.ui.fit_compute.compute_fits`` (what the Models page runs on a pool thread when the
context length, KV cache type or preference changes) on a fixed machine with an 8 GiB GPU and prints the
median wall time. No Qt event loop is involved.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from ui_support import gaming_pc  # noqa: E402

from llmdesk.core.catalog import load_catalog  # noqa: E402
from llmdesk.ui.fit_compute import FitParams, compute_fits  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=20, help="timed recomputes (default 20)")
    args = parser.parse_args()
    catalog = load_catalog()
    profile = gaming_pc()
    estimates = sum(len(build.quants) for build in catalog.builds)
    compute_fits(catalog.builds, profile, FitParams(4096, "f16", "balanced"))  # imports, caches
    times = []
    for repeat in range(args.repeats):
        params = FitParams(n_ctx=(2048, 8192, 32768, 131072)[repeat % 4], kv_type="f16", preference="balanced")
        start = time.perf_counter()
        compute_fits(catalog.builds, profile, params)
        times.append(time.perf_counter() - start)
    median = statistics.median(times)
    print(f"{len(catalog.builds)} builds, {estimates} estimates: median {median * 1000:.1f} ms per recompute "
          f"({median / estimates * 1e6:.0f} us per estimate) over {args.repeats} repeats")
    return 0


if __name__ == "__main__":
    sys.exit(main())
