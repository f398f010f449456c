"""Time from ``client_for(profile)`` to N workers ready, for one or more profiles.

Start the services first (cluster/slurm/dev-cluster.sh start, cluster/gateway/dev-gateway.sh
start, export PICPUMP_GATEWAY_PASSWORD), then::

    .venv/bin/python cluster/measure_startup.py slurm gateway --workers 2 --repeat 5

Prints, per profile, the median and the range of the start-up and teardown times in seconds.
"""

from __future__ import annotations

import argparse
import statistics
import time

from picpump.cluster import client_for, load_profile


def measure(name: str, workers: int) -> tuple[float, float]:
    """Return (seconds to ``workers`` workers ready, seconds to tear down) for one start."""
    profile = load_profile(name, {"workers.scale": workers, "workers.wait": workers})
    started = time.perf_counter()
    with client_for(profile):
        ready = time.perf_counter() - started
        closing = time.perf_counter()
    return ready, time.perf_counter() - closing


def main() -> None:
    """Measure the profiles named on the command line and print a small table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("profiles", nargs="+", help="profile names or paths")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    print(f"{'profile':<10} {'ready (median, min-max)':>26} {'teardown (median)':>18}")
    for name in args.profiles:
        runs = [measure(name, args.workers) for _ in range(args.repeat)]
        ready = [r for r, _ in runs]
        down = [d for _, d in runs]
        print(
            f"{name:<10} {statistics.median(ready):>10.2f} s ({min(ready):.2f}-{max(ready):.2f} s)"
            f" {statistics.median(down):>15.2f} s"
        )


if __name__ == "__main__":
    main()
