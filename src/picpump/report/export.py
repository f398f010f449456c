"""Export the products of a run folder to other formats (CF NetCDF4 for now).

The products are found with :func:`picpump.report.compare.products_in` and opened with
:func:`picpump.io.store.zarr_store.open_product`, like every other reader of a run folder.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from picpump.errors import InputError, explain
from picpump.io.formats import EXPORT_FORMATS
from picpump.io.store.netcdf_export import write_netcdf
from picpump.io.store.zarr_store import join, open_product
from picpump.report.compare import products_in

FORMATS = EXPORT_FORMATS
"""Export formats."""


def export_run(
    run_dir: str,
    *,
    fmt: str = "netcdf",
    products: Sequence[str] | None = None,
    out: str | None = None,
    storage_options: Mapping[str, Any] | None = None,
    log: Callable[[str], None] = lambda _: None,
) -> dict[str, str]:
    """Write one ``<product>.nc`` per gridded product of a run.

    Parameters
    ----------
    run_dir : str
        The run's output folder (local path or fsspec URL).
    fmt : str, default "netcdf"
        One of :data:`FORMATS`.
    products : sequence of str, optional
        The products to export (default: every Zarr product of the run).
    out : str, optional
        Target folder (default ``<run_dir>/netcdf``).
    storage_options : mapping, optional
        fsspec options for both folders.
    log : callable
        Receives one line per file written.

    Returns
    -------
    dict of str to str
        Product name → URL of its file.

    Raises
    ------
    InputError
        For an unknown format, a folder without products, or a product the run lacks.
    """
    if fmt not in FORMATS:
        raise InputError(
            explain(f"the export format must be one of {list(FORMATS)}", repr(fmt), "use netcdf")
        )
    stores, _ = products_in(run_dir, storage_options)
    wanted = list(products) if products else stores
    missing = sorted(set(wanted) - set(stores))
    if not stores or missing:
        raise InputError(
            explain(
                "an export reads the Zarr products of a picpump run folder",
                f"{run_dir} has {stores or 'no product'}; asked for {missing or wanted}",
                "give the --out folder of a run and products it wrote",
            )
        )
    target = out or join(run_dir, "netcdf")
    written = {}
    for name in wanted:
        ds = open_product(join(run_dir, f"{name}.zarr"), storage_options)
        written[name] = write_netcdf(ds, join(target, f"{name}.nc"), storage_options)
        log(f"{name}: {written[name]}")
    return written


__all__ = ["FORMATS", "export_run"]
