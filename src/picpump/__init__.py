"""picpump: the ocean carbonate pump from satellite ocean colour and sediment traps.

The main names are importable from here (``picpump.run``, ``picpump.load_catalog``…); each is
imported on first use, so ``import picpump`` stays light.
"""

from __future__ import annotations

from importlib import import_module
from importlib.metadata import PackageNotFoundError, version
from typing import Any

try:
    __version__ = version("picpump")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0+unknown"

EXPORTS = {
    "run": "picpump.api",
    "prepare": "picpump.api",
    "RunProducts": "picpump.api",
    "load_spec": "picpump.pipeline",
    "make_plan": "picpump.pipeline",
    "execute": "picpump.pipeline",
    "Plan": "picpump.pipeline",
    "PipelineSpec": "picpump.pipeline",
    "dry_run": "picpump.pipeline.dry_run",
    "render_dry_run": "picpump.pipeline.dry_run",
    "run_plan": "picpump.runner",
    "load_catalog": "picpump.io.api",
    "open_entry": "picpump.io.api",
    "resolve": "picpump.io.api",
    "open_product": "picpump.io.store.zarr_store",
    "load_profile": "picpump.cluster",
    "client_for": "picpump.cluster",
    "build_demo_archive": "picpump.demo",
    "ingest_entry": "picpump.pipeline.ingest",
    "Grid": "picpump.grid",
    "Period": "picpump.period",
    "PicpumpError": "picpump.errors",
}
"""Top-level name → the module that defines it."""


def __getattr__(name: str) -> Any:
    """Import a top-level name on first use."""
    if name not in EXPORTS:
        raise AttributeError(f"module 'picpump' has no attribute {name!r}")
    value = getattr(import_module(EXPORTS[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *EXPORTS])


__all__ = ["__version__", *EXPORTS]
