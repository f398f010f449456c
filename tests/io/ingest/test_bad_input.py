"""Bad input is refused with a clear message (rule, received, fix), never read silently."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from picpump.errors import GridError, InputError, UnitsError
from picpump.grid import Grid
from picpump.io.api import load_catalog, open_monthly
from picpump.io.catalog.months import resolve_month_urls
from picpump.io.ingest.reader import read_month
from tests.conftest import raise_if_dask_computes
from tests.io.fixtures import (
    GRID,
    field,
    globcolour_archive,
    write_canonical,
    write_copernicus_pp,
    write_globcolour,
    write_nasa_l3m,
)

MONTHS = pd.date_range("2001-01", periods=4, freq="MS")
MONTH = pd.Timestamp("2001-01-01")


def _read(path: Path, variable: str = "PIC_mean", convention: str = "globcolour", **kw):
    kw.setdefault("month", MONTH)
    kw.setdefault("grid", GRID)
    kw.setdefault("canonical", "pic")
    return read_month(str(path), variable=variable, convention=convention, **kw)


# --- the archive as a whole ------------------------------------------------------------------


def test_missing_month(tmp_path: Path) -> None:
    cat = globcolour_archive(tmp_path, MONTHS)
    next((tmp_path / "data" / "globcolour").glob("L3m_20010301-*")).unlink()
    with pytest.raises(InputError, match=r"(?s)no file for 2001-03 \(pattern .*L3m_20010301.*fix:"):
        resolve_month_urls(load_catalog(cat), "pic")


def test_missing_month_outside_the_period_is_fine(tmp_path: Path) -> None:
    cat = globcolour_archive(tmp_path, MONTHS)
    next((tmp_path / "data" / "globcolour").glob("L3m_20010401-*")).unlink()
    assert len(resolve_month_urls(load_catalog(cat), "pic", ("2001-01", "2001-03"))) == 3


def test_duplicated_month(tmp_path: Path) -> None:
    cat = globcolour_archive(tmp_path, MONTHS)
    write_globcolour(
        tmp_path / "data" / "globcolour", "2001-02", "PIC", field("2001-02"), sensors="AV-SWF"
    )
    with pytest.raises(
        InputError, match=r"(?s)duplicated month.*2 files for 2001-02.*AV-SWF.*AVW-MODVIR"
    ):
        resolve_month_urls(load_catalog(cat), "pic")


def test_wrong_variable_name(tmp_path: Path) -> None:
    path = write_globcolour(tmp_path, MONTH, "PIC", field(MONTH))
    with pytest.raises(
        InputError,
        match=r"(?s)'PIC' named by the catalog.*\['PIC_mean', 'lat', 'lon'\].*args.variable",
    ):
        _read(path, variable="PIC")


def test_wrong_variable_name_fails_when_opening(tmp_path: Path) -> None:
    """The first file's header is read when the stack is built: the error comes early."""
    path = globcolour_archive(tmp_path, MONTHS)
    path.write_text(path.read_text().replace("variable: PIC_mean", "variable: PIC_mea"))
    cat = load_catalog(path)
    with raise_if_dask_computes(), pytest.raises(InputError, match="'PIC_mea'"):
        open_monthly(cat, "pic", GRID)


# --- units -----------------------------------------------------------------------------------


def test_pic_in_mg_m3_is_refused(tmp_path: Path) -> None:
    path = write_globcolour(tmp_path, MONTH, "PIC", field(MONTH) * 1e5, units="mg m-3")
    with pytest.raises(UnitsError, match=r"(?s)carbon or calcium carbonate.*mg m-3"):
        _read(path)


def test_pic_in_mmol_m3_is_converted(tmp_path: Path) -> None:
    path = write_globcolour(tmp_path, MONTH, "PIC", field(MONTH) * 1e3, units="mmol m-3")
    np.testing.assert_allclose(_read(path), field(MONTH), rtol=1e-6)


def test_missing_units_are_refused(tmp_path: Path) -> None:
    path = write_globcolour(tmp_path, MONTH, "PIC", field(MONTH), units=None)
    with pytest.raises(UnitsError, match="must carry a units attribute"):
        _read(path)


def test_unknown_units_are_refused(tmp_path: Path) -> None:
    path = write_canonical(tmp_path, MONTH, "sst", field(MONTH), units="degF")
    with pytest.raises(UnitsError, match="degF"):
        _read(path, variable="sst", convention="canonical", canonical="sst")


# --- grid ------------------------------------------------------------------------------------


def test_wrong_grid_shape(tmp_path: Path) -> None:
    grid = Grid(5.0)
    path = write_globcolour(tmp_path, MONTH, "PIC", field(MONTH, grid=grid), grid=grid)
    with pytest.raises(
        GridError, match=r"(?s)shape \(18, 36\).*received: .*shape \(36, 72\).*coarsen_inputs"
    ):
        _read(path)


def test_coordinates_off_the_cell_centres(tmp_path: Path) -> None:
    path = write_canonical(tmp_path, MONTH, "pic", field(MONTH), units="mol m-3")
    import netCDF4

    with netCDF4.Dataset(path, "a") as ds:
        ds["lat"][:] = ds["lat"][:] + 5.0  # cell edges, not centres
    with pytest.raises(GridError, match=r"lat -80…90"):
        _read(path, variable="pic", convention="canonical")


def test_more_than_one_time_step_is_refused(tmp_path: Path) -> None:
    path = write_copernicus_pp(tmp_path, MONTH, field(MONTH), ntime=2)
    with pytest.raises(GridError, match=r"time dimension of length 1.*\n.*shape \(2, 18, 36\)"):
        _read(path, variable="PP", convention="copernicus", canonical="npp")


# --- unreadable files ------------------------------------------------------------------------


def test_truncated_netcdf(tmp_path: Path) -> None:
    path = write_globcolour(tmp_path, MONTH, "PIC", field(MONTH))
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(
        InputError, match=r"(?s)not a readable NetCDF file \(truncated or corrupt\?\).*re-download"
    ):
        _read(path)


def test_file_gone_after_planning(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no file at"):
        _read(tmp_path / "L3m_20010101-20010131__GLOB_100_AVW-MODVIR_PIC_MO_00.nc")


def test_bad_file_in_a_later_chunk_fails_at_compute(tmp_path: Path) -> None:
    cat = load_catalog(globcolour_archive(tmp_path, MONTHS))
    last = resolve_month_urls(cat, "pic")[-1][1]
    Path(last).write_bytes(Path(last).read_bytes()[:500])
    pic = open_monthly(cat, "pic", GRID, months_per_chunk=2)
    np.testing.assert_array_equal(pic.isel(time=0).values, field(MONTHS[0]))
    with pytest.raises(InputError, match="L3m_20010401"):
        pic.compute()


# --- dates -----------------------------------------------------------------------------------


def test_file_of_another_month_by_attribute(tmp_path: Path) -> None:
    name = "L3m_20010101-20010131__GLOB_100_AVW-MODVIR_PIC_MO_00.nc"
    path = write_globcolour(
        tmp_path, MONTH, "PIC", field(MONTH), name=name, period_start="20010301"
    )
    with pytest.raises(InputError, match=r"(?s)must cover 2001-01.*period_start_day.*2001-03-01"):
        _read(path)


def test_file_of_another_month_by_name(tmp_path: Path) -> None:
    path = write_globcolour(tmp_path, "2001-02", "PIC", field(MONTH))
    with pytest.raises(InputError, match=r"must cover 2001-01"):
        _read(path)


def test_nasa_file_of_another_month_by_coverage(tmp_path: Path) -> None:
    coverage = ("2001-06-01T00:00:00Z", "2001-06-30T23:59:59Z")
    path = write_nasa_l3m(tmp_path, MONTH, "PIC", "pic", field(MONTH), coverage=coverage)
    with pytest.raises(InputError, match="time_coverage_start/end"):
        _read(path, variable="pic", convention="nasa_l3m")


def test_copernicus_file_of_another_month(tmp_path: Path) -> None:
    path = write_copernicus_pp(tmp_path, MONTH, field(MONTH), time_stamp="2000-12-16")
    with pytest.raises(InputError, match=r"time coordinate .* says 2000-12-16"):
        _read(path, variable="PP", convention="copernicus", canonical="npp")


def test_canonical_file_of_another_month(tmp_path: Path) -> None:
    path = write_canonical(tmp_path, "2001-05", "pic", field(MONTH), units="mol m-3")
    with pytest.raises(InputError, match="must cover 2001-01"):
        _read(path, variable="pic", convention="canonical")


def test_undated_globcolour_file_is_refused(tmp_path: Path) -> None:
    path = write_canonical(
        tmp_path, MONTH, "PIC_mean", field(MONTH), units="mol m-3", with_time=False
    )
    with pytest.raises(InputError, match="must say which month"):
        _read(path)


def test_unknown_convention(tmp_path: Path) -> None:
    path = write_globcolour(tmp_path, MONTH, "PIC", field(MONTH))
    with pytest.raises(InputError, match="convention must be one of"):
        _read(path, convention="seadas")
