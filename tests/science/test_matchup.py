"""Matchup of trap rows with the 1° climatology: cells, months, annual fallback, flags, grids."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from picpump.errors import GridError, InputError
from picpump.grid import Grid
from picpump.science.layers import DEPTH_LABELS as LAYER_LABELS
from picpump.science.layers import depth_layer
from picpump.science.matchup import match_traps

GRID = Grid(1.0)


def make_traps(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """A canonical trap table from a few partial rows (defaults fill the rest)."""
    defaults: dict[str, Any] = {
        "station": "S",
        "trap_id": "T",
        "lat": 10.2,
        "lon": -30.7,
        "trap_depth_m": 1500.0,
        "water_depth_m": 4500.0,
        "start": pd.Timestamp("2001-03-01"),
        "end": pd.Timestamp("2001-03-15"),
        "duration_d": 14.0,
        "pic_flux": 2.0,
        "poc_flux": 20.0,
        "source": "test",
        "qc": "",
    }
    frame = pd.DataFrame([{**defaults, **r} for r in rows])
    frame["start"] = pd.to_datetime(frame["start"])
    frame["end"] = pd.to_datetime(frame["end"])
    return frame


def coded(month: Any, row: Any, col: Any) -> Any:
    """The value the coded climatology holds at (month 1..12, row, col)."""
    return 1.0 + month * 1e6 + row * 1e3 + col


def make_climatology(grid: Grid = GRID) -> xr.Dataset:
    """A climatology whose value tells its own month, row and column (see :func:`coded`)."""
    m, r, c = np.meshgrid(
        np.arange(1, 13), np.arange(grid.nlat), np.arange(grid.nlon), indexing="ij"
    )
    prod = coded(m, r, c)
    coords = {"month": np.arange(1, 13), "lat": grid.lat, "lon": grid.lon}
    dims = ("month", "lat", "lon")
    attrs = {"units": "mg m-2 d-1"}
    return xr.Dataset(
        {
            "ez_pic_production_mean": (dims, prod, attrs),
            "npp_mean": (dims, 10 * prod, attrs),
        },
        coords=coords,
    )


def make_annual(grid: Grid = GRID) -> xr.Dataset:
    r, c = np.meshgrid(np.arange(grid.nlat), np.arange(grid.nlon), indexing="ij")
    prod = coded(0, r, c)
    coords = {"lat": grid.lat, "lon": grid.lon}
    return xr.Dataset(
        {"ez_pic_production": (("lat", "lon"), prod), "npp": (("lat", "lon"), 10 * prod)},
        coords=coords,
    )


def reference_cell(lat: float, lon: float) -> tuple[int, int]:
    """Row and column, written plainly, one position at a time."""
    row = min(int(np.floor(lat + 90.0)), 179)
    wrapped = lon - 360.0 if lon >= 180.0 else lon
    return row, int(np.floor(wrapped + 180.0))


def test_cells_and_months_match_a_row_by_row_reference() -> None:
    rng = np.random.default_rng(1)
    n = 300
    lat = rng.uniform(-90, 90, n)
    lon = rng.uniform(-180, 180, n)
    start = pd.Timestamp("1990-01-01") + pd.to_timedelta(rng.integers(0, 8000, n), unit="D")
    days = rng.integers(1, 32, n)
    traps = make_traps([{} for _ in range(n)])
    traps["lat"], traps["lon"] = lat, lon
    traps["start"], traps["end"] = start, start + pd.to_timedelta(days, unit="D")
    traps["duration_d"] = days.astype(float)
    out = match_traps(traps, make_climatology(), min_production=0.0)
    for i in range(n):
        row, col = reference_cell(lat[i], lon[i])
        mid = traps["start"][i] + (traps["end"][i] - traps["start"][i]) / 2
        assert out["month"][i] == mid.month
        assert out["production"][i] == coded(mid.month, row, col)
        assert out["npp"][i] == 10 * coded(mid.month, row, col)
        assert out["cell_lat"][i] == GRID.lat[row]
        assert out["cell_lon"][i] == GRID.lon[col]
    assert (out["matched_on"] == "month").all()
    assert (out["qc"] == "").all()


@pytest.mark.parametrize(
    ("lat", "lon", "cell"),
    [
        (10.0, -30.0, (10.5, -29.5)),  # lower edges inclusive
        (90.0, 180.0, (89.5, -179.5)),  # pole in the last row, 180° folds onto −180°
        (-90.0, -180.0, (-89.5, -179.5)),
        (-0.0001, 179.9999, (-0.5, 179.5)),
        (45.3, 200.2, (45.5, -159.5)),  # 0…360 longitudes are wrapped
    ],
)
def test_cell_edges(lat: float, lon: float, cell: tuple[float, float]) -> None:
    out = match_traps(make_traps([{"lat": lat, "lon": lon}]), make_climatology())
    assert (out["cell_lat"][0], out["cell_lon"][0]) == cell


def test_mid_point_month_crosses_months_and_years() -> None:
    rows = [
        {"start": "2001-01-20", "end": "2001-02-15"},  # mid 2 Feb
        {"start": "2001-12-20", "end": "2002-01-10"},  # mid 30 Dec
        {"start": "2001-06-10", "end": pd.NaT, "duration_d": 30.0},  # start + 15 d
        {"start": pd.NaT, "end": "2001-07-03", "duration_d": 10.0},  # end − 5 d
    ]
    out = match_traps(make_traps(rows), make_climatology())
    assert out["month"].tolist() == [2, 12, 6, 6]


def test_undated_rows_use_the_annual_means() -> None:
    traps = make_traps([{}, {"start": pd.NaT, "end": pd.NaT, "duration_d": np.nan}])
    out = match_traps(traps, make_climatology(), annual=make_annual())
    row, col = reference_cell(10.2, -30.7)
    assert out["matched_on"].tolist() == ["month", "annual"]
    assert out["production"][1] == coded(0, row, col)
    assert out["npp"][1] == 10 * coded(0, row, col)
    assert pd.isna(out["month"][1])
    flagged = traps.assign(qc=["", "undated"])  # as the trap validation leaves them
    pd.testing.assert_series_equal(
        match_traps(flagged, make_climatology(), annual=make_annual())["production"],
        out["production"],
    )
    strict = match_traps(flagged, make_climatology(), annual=make_annual(), allow_flags=())
    assert strict["matched_on"].tolist() == ["month", "none"]
    without = match_traps(traps, make_climatology())
    assert without["qc"].tolist() == ["", "undated_no_annual"]
    assert without["matched_on"].tolist() == ["month", "none"]
    assert np.isnan(without["production"][1])


def test_low_and_missing_production_are_flagged_not_dropped() -> None:
    clim = make_climatology()
    row, col = reference_cell(10.2, -30.7)
    clim["ez_pic_production_mean"][2, row, col] = 0.05  # March
    clim["ez_pic_production_mean"][3, row, col] = np.nan  # April
    traps = make_traps(
        [{}, {"start": "2001-04-01", "end": "2001-04-20"}, {"qc": "long_deployment"}]
    )
    out = match_traps(traps, clim)
    assert len(out) == 3
    assert out["qc"].tolist() == ["low_production", "no_satellite_value", "long_deployment"]
    assert out["production"][0] == 0.05
    assert out["matched_on"].tolist() == ["month", "month", "none"]
    assert np.isnan(out["production"][2])


def test_bad_positions_and_dates_are_flagged() -> None:
    traps = make_traps(
        [{"lat": np.nan}, {"lat": 95.0}, {"start": "2001-05-01", "end": "2001-04-01"}]
    )
    out = match_traps(traps, make_climatology())
    assert out["qc"].tolist() == ["bad_position", "bad_position", "end_before_start"]
    assert out["matched_on"].eq("none").all()
    assert np.isnan(out["cell_lat"][0])


def test_existing_flags_are_kept_and_joined() -> None:
    clim = make_climatology()
    clim["ez_pic_production_mean"][:] = 0.01
    out = match_traps(make_traps([{}]), clim, regions=_regions(with_cell=False))
    assert out["qc"][0] == "low_production"
    out = match_traps(make_traps([{"qc": "shallow"}]), clim)
    assert out["qc"][0] == "shallow"


def _regions(with_cell: bool = True) -> xr.DataArray:
    ids = np.zeros(GRID.shape, dtype=np.int16)
    row, col = reference_cell(10.2, -30.7)
    if with_cell:
        ids[row, col] = 3
    ids[0, 0] = 1
    return xr.DataArray(
        ids,
        dims=("lat", "lon"),
        coords={"lat": GRID.lat, "lon": GRID.lon},
        attrs={"flag_values": [1, 3], "flag_meanings": "Ar NP"},
    )


def test_regions_column_and_outside_flag() -> None:
    traps = make_traps([{}, {"lat": -40.0}])
    out = match_traps(traps, make_climatology(), regions=_regions())
    assert out["region"].tolist() == ["NP", ""]
    assert out["qc"].tolist() == ["", "no_region"]


def test_other_orientations_give_the_same_matches() -> None:
    rng = np.random.default_rng(3)
    traps = make_traps([{"lat": a, "lon": b} for a, b in rng.uniform(-89, 89, (50, 2))])
    traps["lon"] *= 2
    canonical = match_traps(traps, make_climatology())
    flipped = make_climatology().isel(lat=slice(None, None, -1))
    shifted = make_climatology().roll(lon=180, roll_coords=True)
    shifted = shifted.assign_coords(lon=np.mod(shifted["lon"], 360.0))
    for other in (flipped, shifted, make_climatology().chunk({"month": 4})):
        pd.testing.assert_frame_equal(match_traps(traps, other), canonical)


def test_layers_lower_edge_inclusive() -> None:
    labels = depth_layer([0, 99.9, 100, 500, 999, 1000, 4000, 6000, np.nan, -1])
    assert list(labels[:8]) == [
        "0-100",
        "0-100",
        "100-500",
        "500-1000",
        "500-1000",
        "1000-2000",
        ">4000",
        ">4000",
    ]
    assert pd.isna(labels[8]) and pd.isna(labels[9])
    assert list(labels.cat.categories) == list(LAYER_LABELS)


def test_input_is_not_modified() -> None:
    traps = make_traps([{}, {"start": pd.NaT, "end": pd.NaT}])
    before = traps.copy()
    match_traps(traps, make_climatology())
    pd.testing.assert_frame_equal(traps, before)


@pytest.mark.parametrize(
    ("change", "match"),
    [
        (lambda ds: _quarter_degree(), "finer than 1°"),
        (lambda ds: ds.assign_coords(lat=ds["lat"] - 0.5), "lat"),
        (lambda ds: ds.isel(lon=slice(0, 180)), "180 cells"),
        (lambda ds: ds.assign_coords(lat=np.r_[ds["lat"].values[:-1], 91.0]), "irregular"),
    ],
)
def test_bad_grids_are_refused(change: Any, match: str) -> None:
    with pytest.raises(GridError, match=match):
        match_traps(make_traps([{}]), change(make_climatology()))


def _quarter_degree() -> xr.Dataset:
    """The coordinates of a 0.25° climatology (the grid is checked before any value)."""
    grid = Grid(0.25)
    coords = {"month": np.arange(1, 13), "lat": grid.lat, "lon": grid.lon}
    return xr.Dataset({"ez_pic_production_mean": ("month", np.ones(12))}, coords=coords)


def test_missing_inputs_are_refused() -> None:
    with pytest.raises(InputError, match="qc"):
        match_traps(make_traps([{}]).drop(columns="qc"), make_climatology())
    with pytest.raises(InputError, match="npp_mean"):
        match_traps(make_traps([{}]), make_climatology().drop_vars("npp_mean"))
    with pytest.raises(InputError, match="month"):
        match_traps(make_traps([{}]), make_climatology().isel(month=slice(0, 11)))


@pytest.mark.shared_data
def test_regions_on_the_real_reccap2_mask(shared_data: Any) -> None:
    """The RECCAP2 file has lon 0.5…359.5: the lookup must agree with xarray's own."""
    path = shared_data / "masks" / "RECCAP2_region_masks_all_v20221025.nc"
    with xr.open_dataset(path) as ds:
        pacific = ds["pacific"].load()
    names = "NP_SPSS NP_STSS NP_STPS PEQU-W PEQU-E SP_STPS"
    regions = pacific.astype(np.int16).assign_attrs(
        flag_values=list(range(1, 7)), flag_meanings=names
    )
    rng = np.random.default_rng(5)
    lat, lon = rng.uniform(-60, 60, 400), rng.uniform(-180, 180, 400)
    traps = make_traps([{"lat": a, "lon": b} for a, b in zip(lat, lon, strict=True)])
    out = match_traps(traps, make_climatology(), regions=regions)
    ids = pacific.sel(
        lat=xr.DataArray(lat), lon=xr.DataArray(np.mod(lon, 360.0)), method="nearest"
    ).values
    expected = np.array(["", *names.split()], dtype=object)[ids]
    assert out["region"].tolist() == expected.tolist()
    assert (out["region"] != "").sum() > 50
    aloha = match_traps(
        make_traps([{"lat": 22.75, "lon": -158.0}]), make_climatology(), regions=regions
    )
    assert aloha["region"][0] == "NP_STPS"


def test_benchmark_script_runs_on_a_few_rows(capsys: pytest.CaptureFixture[str]) -> None:
    """The benchmark itself is not timed here; it must run and print one JSON line."""
    import importlib.util
    import json
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "benchmarks" / "matchup.py"
    spec = importlib.util.spec_from_file_location("matchup_benchmark", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    result = module.main(n_rows=2000, repeats=1)
    assert json.loads(capsys.readouterr().out) == result
    assert result["rows"] == 2000 and 1500 < result["matched"] <= 2000
