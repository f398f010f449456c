"""Reading one month: conventions, orientation, fill values, units, packing."""

from __future__ import annotations

from pathlib import Path

import netCDF4
import numpy as np
import pandas as pd
import pytest

from picpump.grid import Grid
from picpump.io.api import load_catalog, open_monthly
from picpump.io.ingest.reader import read_month, read_static
from picpump.units import MOLAR_MASS_C
from tests.io.fixtures import (
    GRID,
    field,
    monthly_entry,
    write_canonical,
    write_catalog,
    write_copernicus_pp,
    write_globcolour,
    write_nasa_l3m,
)

MONTH = pd.Timestamp("2010-01-01")


def _read(path: Path, variable: str, canonical: str | None, convention: str, **kw) -> np.ndarray:
    kw.setdefault("month", MONTH)
    kw.setdefault("grid", GRID)
    return read_month(
        str(path), variable=variable, canonical=canonical, convention=convention, **kw
    )


def test_globcolour_descending_latitude_is_flipped(tmp_path: Path) -> None:
    values = field(MONTH)
    path = write_globcolour(tmp_path, MONTH, "PIC", values, lat_descending=True)
    with netCDF4.Dataset(path) as ds:
        assert ds["lat"][0] > ds["lat"][-1]
    out = _read(path, "PIC_mean", "pic", "globcolour")
    assert out.dtype == np.float32 and out.shape == GRID.shape
    np.testing.assert_array_equal(out, values)


def test_ascending_latitude_is_accepted(tmp_path: Path) -> None:
    values = field(MONTH)
    path = write_globcolour(tmp_path, MONTH, "PIC", values, lat_descending=False)
    np.testing.assert_array_equal(_read(path, "PIC_mean", "pic", "globcolour"), values)


def test_longitude_0_360_is_rolled(tmp_path: Path) -> None:
    values = field(MONTH)
    path = write_nasa_l3m(tmp_path, MONTH, "PIC", "pic", values, lon360=True)
    with netCDF4.Dataset(path) as ds:
        assert ds["lon"][0] == 5.0 and ds["lon"][-1] == 355.0
    np.testing.assert_array_equal(_read(path, "pic", "pic", "nasa_l3m"), values)


def test_lon_lat_order_is_transposed(tmp_path: Path) -> None:
    values = field(MONTH)
    path = write_canonical(tmp_path, MONTH, "pic", values, units="mol m-3", transpose=True)
    np.testing.assert_array_equal(_read(path, "pic", "pic", "canonical"), values)


def test_globcolour_fill_minus_999_is_nan(tmp_path: Path) -> None:
    values = field(MONTH)
    assert np.isnan(values).any()
    path = write_globcolour(tmp_path, MONTH, "PIC", values, fill=-999.0)
    with netCDF4.Dataset(path) as ds:
        ds.set_auto_mask(False)
        assert (ds["PIC_mean"][:] == -999.0).any()
    out = _read(path, "PIC_mean", "pic", "globcolour")
    np.testing.assert_array_equal(np.isnan(out), np.isnan(values))
    assert not (out == -999.0).any()


def test_nasa_fill_minus_32767_is_nan(tmp_path: Path) -> None:
    values = field(MONTH)
    path = write_nasa_l3m(tmp_path, MONTH, "PIC", "pic", values, fill=-32767.0)
    out = _read(path, "pic", "pic", "nasa_l3m")
    np.testing.assert_array_equal(np.isnan(out), np.isnan(values))
    assert np.nanmin(out) > 0


def test_missing_value_attribute_is_nan(tmp_path: Path) -> None:
    values = field(MONTH)
    path = write_canonical(tmp_path, MONTH, "pic", values, units="mol m-3", missing_value=-1e30)
    out = _read(path, "pic", "pic", "canonical")
    np.testing.assert_array_equal(np.isnan(out), np.isnan(values))


def test_valid_range_is_applied(tmp_path: Path) -> None:
    values = field(MONTH, scale=1.0)
    values[5, 5] = 2e4  # above valid_max = 1e4 of the NASA writer
    path = write_nasa_l3m(tmp_path, MONTH, "PAR", "par", values, units="einstein m^-2 day^-1")
    out = _read(path, "par", "par", "nasa_l3m")
    assert np.isnan(out[5, 5])
    assert np.isfinite(out[10, 10])


def test_non_positive_pic_is_nan(tmp_path: Path) -> None:
    values = field(MONTH)
    values[10, 10], values[10, 11] = 0.0, -1e-4
    path = write_globcolour(tmp_path, MONTH, "PIC", values)
    out = _read(path, "PIC_mean", "pic", "globcolour")
    assert np.isnan(out[10, 10]) and np.isnan(out[10, 11])
    assert out[10, 12] == values[10, 12]


def test_negative_sst_is_kept(tmp_path: Path) -> None:
    values = field(MONTH, scale=10.0) - 14.0  # −1.5…13.5 °C: negative, yet plausible
    assert (values < 0).any()
    path = write_canonical(tmp_path, MONTH, "sst", values, units="degC")
    np.testing.assert_allclose(_read(path, "sst", "sst", "canonical"), values)


def test_sst_in_kelvin_becomes_celsius(tmp_path: Path) -> None:
    celsius = field(MONTH, scale=10.0) - 1.0
    path = write_copernicus_pp(
        tmp_path, MONTH, celsius + 273.15, variable="analysed_sst", units="kelvin"
    )
    out = _read(path, "analysed_sst", "sst", "copernicus")
    np.testing.assert_allclose(out, celsius, atol=1e-4)


def test_pic_in_mmol_is_converted(tmp_path: Path) -> None:
    values = field(MONTH)
    path = write_globcolour(tmp_path, MONTH, "PIC", values * 1000.0, units="mmol m-3")
    np.testing.assert_allclose(_read(path, "PIC_mean", "pic", "globcolour"), values, rtol=1e-6)


def test_catalog_units_override_missing_units(tmp_path: Path) -> None:
    values = field(MONTH)
    path = write_globcolour(tmp_path, MONTH, "PIC", values * 1e3 * MOLAR_MASS_C, units=None)
    out = _read(path, "PIC_mean", "pic", "globcolour", units="mg C m-3")
    np.testing.assert_allclose(out, values, rtol=1e-6)


def test_copernicus_time_axis_is_squeezed(tmp_path: Path) -> None:
    values = field(MONTH, scale=500.0)
    path = write_copernicus_pp(tmp_path, MONTH, values, time_stamp="2010-01-16T12:00")
    np.testing.assert_array_equal(_read(path, "PP", "npp", "copernicus"), values)


def test_copernicus_packed_values_are_unpacked(tmp_path: Path) -> None:
    values = field(MONTH, scale=100.0) + 50.0
    path = write_copernicus_pp(tmp_path, MONTH, values, packed=True)
    out = _read(path, "PP", "npp", "copernicus")
    np.testing.assert_array_equal(np.isnan(out), np.isnan(values))
    np.testing.assert_allclose(out, values, atol=0.006)


def test_nasa_month_from_old_name_and_coverage(tmp_path: Path) -> None:
    values = field(MONTH)
    coverage = ("2009-12-31T18:09:01.000Z", "2010-01-01T17:49:13.000Z")  # as in real files
    path = write_nasa_l3m(tmp_path, MONTH, "PIC", "pic", values, old_name=True, coverage=coverage)
    assert path.name == "A20100012010031.L3m_MO_PIC_pic_9km.nc"
    np.testing.assert_array_equal(_read(path, "pic", "pic", "nasa_l3m"), values)


def test_canonical_without_time_is_accepted(tmp_path: Path) -> None:
    values = field(MONTH)
    path = write_canonical(tmp_path, MONTH, "pic", values, units="mol m-3", with_time=False)
    np.testing.assert_array_equal(_read(path, "pic", "pic", "canonical"), values)


def test_read_static_keeps_integer_masks(tmp_path: Path) -> None:
    path = tmp_path / "mask.nc"
    grid = Grid(10.0)
    with netCDF4.Dataset(path, "w") as ds:
        ds.createDimension("lat", grid.nlat)
        ds.createDimension("lon", grid.nlon)
        ds.createVariable("lat", "f8", ("lat",))[:] = grid.lat
        ds.createVariable("lon", "f8", ("lon",))[:] = grid.lon + 180.0  # 5 … 355
        mask = ds.createVariable("open_ocean", "i1", ("lat", "lon"))
        mask[:] = np.tile(np.arange(grid.nlon, dtype="i1") % 5, (grid.nlat, 1))
    out = read_static(str(path), variable="open_ocean")
    assert out.dtype == np.int8 and out.name == "open_ocean"
    np.testing.assert_allclose(out.lon, grid.lon)
    assert out.values[0, 0] == (grid.nlon // 2) % 5


@pytest.mark.parametrize("convention", ["nasa_l3m", "copernicus", "canonical"])
def test_open_monthly_each_convention(tmp_path: Path, convention: str) -> None:
    months = pd.date_range("2003-11", periods=4, freq="MS")
    folder = tmp_path / "files"
    for m in months:
        if convention == "nasa_l3m":
            write_nasa_l3m(folder, m, "KD", "Kd_490", field(m, scale=0.1), units="m^-1")
        elif convention == "copernicus":
            write_copernicus_pp(folder, m, field(m, scale=500.0), name=f"pp_{m:%Y%m}.nc")
        else:
            write_canonical(folder, m, "sst", field(m, scale=10.0), units="degC")
    url, variable, canonical, scale = {
        "nasa_l3m": (
            "AQUA_MODIS.{{ first }}_{{ last }}.L3m.MO.KD.Kd_490.9km.nc",
            "Kd_490",
            "kd490",
            0.1,
        ),
        "copernicus": ("pp_{{ yyyymm }}.nc", "PP", "npp", 500.0),
        "canonical": ("sst_{{ yyyymm }}.nc", "sst", "sst", 10.0),
    }[convention]
    entry = monthly_entry(
        "{{ CATALOG_DIR }}/files/" + url,
        variable,
        canonical,
        convention,
        start="2003-11",
        periods=4,
    )
    cat = load_catalog(write_catalog(tmp_path, {canonical: entry}))
    out = open_monthly(cat, canonical, GRID, months_per_chunk=3)
    assert out.name == canonical and out.chunks[0] == (3, 1)
    expected = np.stack([field(m, scale=scale) for m in months])
    np.testing.assert_allclose(out.values, expected, rtol=1e-6)


# --- the genuine NASA file -------------------------------------------------------------------

NASA_SAMPLE = "ocean_colour_format_samples/S20080012008031.L3m_MO_CHL_chlor_a_9km.nc"


@pytest.mark.shared_data
def test_real_nasa_l3m_file(shared_data: Path) -> None:
    path = shared_data / NASA_SAMPLE
    out = read_month(
        str(path),
        variable="chlor_a",
        canonical=None,
        convention="nasa_l3m",
        month="2008-01",
        grid=Grid(1 / 12),
    )
    assert out.shape == (2160, 4320) and out.dtype == np.float32
    with netCDF4.Dataset(path) as ds:
        stored = ds["chlor_a"][:]  # masked array, north row first
        assert ds["lat"][0] > 89.9
    # north row last after flipping; fill (-32767) handled: same valid cells, same values
    np.testing.assert_array_equal(np.isfinite(out), ~np.ma.getmaskarray(stored)[::-1])
    np.testing.assert_array_equal(out[np.isfinite(out)], stored[::-1].compressed())
    assert np.nanmin(out) > 0 and not (out == -32767).any()
    assert np.isfinite(out).sum() == 11  # the file's data_bins attribute


@pytest.mark.shared_data
def test_real_nasa_l3m_file_month_is_checked(shared_data: Path) -> None:
    from picpump.errors import InputError

    with pytest.raises(InputError, match="2008-01-01…2008-01-31"):
        read_month(
            str(shared_data / NASA_SAMPLE),
            variable="chlor_a",
            canonical=None,
            convention="nasa_l3m",
            month="2008-02",
            grid=Grid(1 / 12),
        )
