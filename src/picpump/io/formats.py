"""Names of the output formats, importable without the readers and writers (for the CLI)."""

from __future__ import annotations

REFERENCES = "picpump.references"
"""Driver name of a virtual-references catalog entry."""
REFERENCE_FORMATS = ("json", "parquet")
"""Reference formats :func:`picpump.io.references.write_references` writes (kerchunk's)."""
EXPORT_FORMATS = ("netcdf",)
"""Formats :func:`picpump.report.export.export_run` writes."""

__all__ = ["EXPORT_FORMATS", "REFERENCES", "REFERENCE_FORMATS"]
