"""picpump: the ocean carbonate pump from satellite ocean colour and sediment traps."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("picpump")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0+unknown"

__all__ = ["__version__"]
