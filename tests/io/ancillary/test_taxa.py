"""Reader of calcifier biomass grids (NetCDF and CSV) and the demo biomass file."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from picpump.demo.taxa import TARGET_TG, write_demo_taxa
from picpump.errors import GridError, InputError, UnitsError
from picpump.grid import Grid
from picpump.io.ancillary.taxa import read_taxa
from picpump.science.area import cell_area
from picpump.science.registry import variant
from picpump.science.taxa import c_to_pic_factors, calcifier_stocks, taxa_contribution
from picpump.units import biomass_factor

GRID = Grid(30.0)  # 6 × 12
RNG = np.random.default_rng(9)
NAMES = {"pteropods": "ptero_biomass", "foraminifers": "foram_biomass"}
ORDER = np.argsort(GRID.lon % 360.0)  # columns of a 0…360 file


def canonical() -> dict[str, np.ndarray]:
    return {taxon: RNG.random((12, *GRID.shape)) * 1e-3 for taxon in NAMES}


def write_foreign(path: Path, values: dict[str, np.ndarray], units: str, scale: float) -> None:
    """Write lat descending, lon 0…360, month as 'time' 0…11, under the file's own names."""
    data = {
        NAMES[t]: (
            ("time", "latitude", "longitude"),
            v[:, ::-1][:, :, ORDER] * scale,
            {"units": units},
        )
        for t, v in values.items()
    }
    coords = {
        "time": np.arange(12),
        "latitude": GRID.lat[::-1],
        "longitude": (GRID.lon % 360)[ORDER],
    }
    xr.Dataset(data, coords=coords).to_netcdf(path, engine="netcdf4")


def test_factor_table() -> None:
    assert biomass_factor("g C m-3", "x") == 1.0
    assert biomass_factor("mg C/m3", "x") == 1e-3
    assert biomass_factor("µg C m-3", "x") == 1e-6
    assert biomass_factor("mmol C m^-3", "x") == pytest.approx(12.011e-3)
    for bad in (None, "g m-2", "ind m-3", "mg CaCO3 m-3"):
        with pytest.raises(UnitsError, match="carbon concentration"):
            biomass_factor(bad, "file.nc")


def test_netcdf_in_a_foreign_layout_is_canonicalised(tmp_path: Path) -> None:
    values = canonical()
    write_foreign(tmp_path / "k.nc", values, "mg C m-3", 1e3)
    ds = read_taxa(str(tmp_path / "k.nc"), variables=NAMES, month_dim="time")
    assert list(ds.data_vars) == ["pteropods", "foraminifers"]
    assert ds["pteropods"].dims == ("month", "lat", "lon")
    np.testing.assert_array_equal(ds["month"], np.arange(1, 13))  # 0…11 → 1…12
    np.testing.assert_allclose(ds["lat"], GRID.lat)
    np.testing.assert_allclose(ds["lon"], GRID.lon)
    for taxon, v in values.items():
        np.testing.assert_allclose(ds[taxon].values, v, rtol=1e-6)
        assert ds[taxon].dtype == np.float32 and ds[taxon].attrs["units"] == "g m-3"


def test_units_override_and_refusals(tmp_path: Path) -> None:
    values = canonical()
    write_foreign(tmp_path / "k.nc", values, "individuals m-3", 1e6)
    url = str(tmp_path / "k.nc")
    with pytest.raises(UnitsError, match="individuals"):
        read_taxa(url, variables=NAMES, month_dim="time")
    ds = read_taxa(url, variables=NAMES, month_dim="time", units="ug C m-3")
    np.testing.assert_allclose(ds["foraminifers"].values, values["foraminifers"], rtol=1e-6)
    with pytest.raises(InputError, match="variable for \\['foraminifers', 'pteropods'\\]"):
        read_taxa(url, month_dim="time", units="g C m-3")
    with pytest.raises(InputError, match="one of \\['month'\\]"):
        read_taxa(url, variables=NAMES, units="g C m-3")


def test_negative_biomass_and_wrong_months_are_refused(tmp_path: Path) -> None:
    values = canonical()
    values["pteropods"][3, 2, 2] = -1.0
    write_foreign(tmp_path / "neg.nc", values, "g C m-3", 1.0)
    with pytest.raises(InputError, match="never negative"):
        read_taxa(str(tmp_path / "neg.nc"), variables=NAMES, month_dim="time")
    coords = {"month": np.arange(1, 12), "lat": GRID.lat, "lon": GRID.lon}
    short = {t: (("month", "lat", "lon"), np.zeros((11, 6, 12)), {"units": "g m-3"}) for t in NAMES}
    xr.Dataset(short, coords=coords).to_netcdf(tmp_path / "short.nc")
    with pytest.raises(InputError, match="12 calendar months"):
        read_taxa(str(tmp_path / "short.nc"))


def long_table(values: dict[str, np.ndarray]) -> pd.DataFrame:
    m, i, j = np.meshgrid(np.arange(12), np.arange(6), np.arange(12), indexing="ij")
    frames = [
        pd.DataFrame(
            {
                "latitude": GRID.lat[i.ravel()],
                "longitude": GRID.lon[j.ravel()] % 360,
                "month": m.ravel() + 1,
                "taxon": NAMES[t],
                "value": v.ravel() * 1e3,
            }
        )
        for t, v in values.items()
    ]
    return pd.concat(frames).sample(frac=1.0, random_state=1)  # any row order


def test_csv_long_and_wide_tables(tmp_path: Path) -> None:
    values = canonical()
    table = long_table(values)
    table.iloc[5:].to_csv(tmp_path / "long.csv", index=False)  # 5 rows missing → NaN
    ds = read_taxa(
        str(tmp_path / "long.csv"),
        variables=NAMES,
        units="mg C m-3",
        taxon_column="taxon",
        grid=GRID,
    )
    expected = {t: v.copy() for t, v in values.items()}
    for _, row in table.iloc[:5].iterrows():
        taxon = {v: k for k, v in NAMES.items()}[row["taxon"]]
        i = int(np.argmin(np.abs(GRID.lat - row["latitude"])))
        j = int(np.argmin(np.abs(GRID.lon - ((row["longitude"] + 180) % 360 - 180))))
        expected[taxon][int(row["month"]) - 1, i, j] = np.nan
    for taxon in NAMES:
        np.testing.assert_allclose(ds[taxon].values, expected[taxon], rtol=1e-6)

    wide = table.pivot_table(
        index=["latitude", "longitude", "month"], columns="taxon", values="value"
    )
    wide.reset_index().to_csv(tmp_path / "wide.csv", index=False)
    ds = read_taxa(str(tmp_path / "wide.csv"), variables=NAMES, units="mg C m-3")
    for taxon, v in values.items():
        np.testing.assert_allclose(ds[taxon].values, v, rtol=1e-6)


def test_csv_problems(tmp_path: Path) -> None:
    table = long_table(canonical())
    table.to_csv(tmp_path / "t.csv", index=False)
    url = str(tmp_path / "t.csv")
    with pytest.raises(UnitsError):
        read_taxa(url, variables=NAMES, taxon_column="taxon")  # a CSV carries no units
    with pytest.raises(InputError, match="columns"):
        read_taxa(url, variables=NAMES, units="mg C m-3", taxon_column="group")
    pd.concat([table, table.iloc[:1]]).to_csv(tmp_path / "dup.csv", index=False)
    with pytest.raises(InputError, match="one row per cell"):
        read_taxa(
            str(tmp_path / "dup.csv"), variables=NAMES, units="mg C m-3", taxon_column="taxon"
        )
    off = table.assign(latitude=table["latitude"] + 0.4)
    off.to_csv(tmp_path / "off.csv", index=False)
    with pytest.raises(GridError, match="cell centres of the 30° grid"):
        read_taxa(
            str(tmp_path / "off.csv"),
            variables=NAMES,
            units="mg C m-3",
            taxon_column="taxon",
            grid=GRID,
        )
    with pytest.raises(InputError, match="readable"):
        read_taxa(str(tmp_path / "absent.nc"))


def test_demo_file_reaches_the_knecht_stocks(tmp_path: Path) -> None:
    land = np.zeros((180, 360), dtype=bool)
    land[:20] = True  # Antarctica, roughly
    land[100:140, 100:140] = True
    path = tmp_path / "taxa.nc"
    write_demo_taxa(path, seed=4, land=land)
    again = tmp_path / "again.nc"
    write_demo_taxa(again, seed=4, land=land)
    ds = read_taxa(str(path), grid=Grid(1.0))
    xr.testing.assert_identical(ds.drop_attrs(), read_taxa(str(again)).drop_attrs())
    with xr.open_dataset(path) as raw:
        assert "synthetic demo data" in raw.attrs["comment"]
        assert raw["pteropods"].attrs["units"] == "mg C m-3"
    assert np.isnan(ds["pteropods"].values[:, land]).all()
    assert np.isfinite(ds["pteropods"].values[:, ~land]).all()
    area = cell_area(Grid(1.0), variant("cell_area"))
    ocean = xr.DataArray(~land, dims=("lat", "lon"), coords=area.coords)
    pic = (xr.zeros_like(ds["pteropods"]) + 0.05).assign_attrs(units="g m-2")
    total = calcifier_stocks(ds, c_to_pic=c_to_pic_factors("total_carbon"))
    table = taxa_contribution(pic, total, area, ocean).set_index("taxon")
    for taxon, tg in TARGET_TG.items():
        assert table.loc[taxon, "stock_tg"] == pytest.approx(tg, rel=1e-4)
    shells = calcifier_stocks(ds, c_to_pic=c_to_pic_factors())
    table = taxa_contribution(pic, shells, area, ocean).set_index("taxon")
    factors = c_to_pic_factors().params
    assert table.loc["pteropods", "stock_tg"] == pytest.approx(
        52.0 * factors["pteropods"], rel=1e-4
    )
    assert (
        table.loc["pteropods", "seasonal_cv_median"]
        > table.loc["foraminifers", "seasonal_cv_median"]
        > 0
    )
