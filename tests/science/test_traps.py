"""The tidy trap table: QC flags, the paper's filter, depth layers and Table 1."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from picpump.errors import GridError, InputError, SpecError
from picpump.science.layers import (
    DEPTH_LABELS,
    PAPER_TABLE1,
    TABLE1_COLUMNS,
    depth_layer,
    layer_labels,
    table1,
)
from picpump.science.trap_filter import (
    fill_water_depth,
    paper_filter,
    water_depth_from_bathymetry,
)
from picpump.science.trap_qc import validate_traps
from picpump.science.traps import (
    CACO3_TO_PIC,
    TRAP_COLUMNS,
    add_flag,
    as_trap_table,
    empty_trap_table,
    flags_of,
    good_rows,
)


def row(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "station": "S",
        "trap_id": "S 1000 m",
        "lat": 10.2,
        "lon": -20.7,
        "trap_depth_m": 1000.0,
        "water_depth_m": 4000.0,
        "start": pd.Timestamp("2000-01-01"),
        "end": pd.Timestamp("2000-01-15"),
        "duration_d": 14.0,
        "pic_flux": 2.0,
        "poc_flux": 5.0,
        "source": "test",
    }
    base.update(changes)
    return base


def table(*rows: dict[str, Any]) -> pd.DataFrame:
    return pd.DataFrame(list(rows))


def flags(df: pd.DataFrame) -> list[frozenset[str]]:
    return list(flags_of(df["qc"]))


def test_caco3_to_pic_is_the_molar_mass_ratio() -> None:
    assert CACO3_TO_PIC == pytest.approx(12.011 / 100.087)
    assert round(CACO3_TO_PIC, 4) == 0.1200


def test_as_trap_table_orders_columns_and_fills_defaults() -> None:
    raw = table(row()).drop(columns=["water_depth_m", "poc_flux", "source"])
    out = as_trap_table(raw)
    assert tuple(out.columns) == TRAP_COLUMNS
    assert np.isnan(out.loc[0, "water_depth_m"]) and out.loc[0, "qc"] == ""
    assert out["start"].dtype == "datetime64[ns]"
    assert len(empty_trap_table()) == 0
    assert tuple(empty_trap_table().columns) == TRAP_COLUMNS


def test_missing_required_column_is_refused() -> None:
    with pytest.raises(InputError, match=r"(?s)must have the columns.*missing \['pic_flux'\].*fix"):
        validate_traps(table(row()).drop(columns=["pic_flux"]))


def test_good_row_has_no_flag() -> None:
    out = validate_traps(table(row()))
    assert out.loc[0, "qc"] == ""


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"end": pd.Timestamp("1999-12-20"), "duration_d": 12.0}, {"end_before_start"}),
        ({"duration_d": 0.0, "end": pd.Timestamp("2000-01-01")}, {"bad_duration"}),
        ({"duration_d": -3.0, "end": pd.Timestamp("2000-01-01")}, {"bad_duration"}),
        ({"duration_d": 400.0, "end": pd.Timestamp("2001-02-04")}, {"bad_duration"}),
        ({"duration_d": np.nan}, {"bad_duration"}),
        ({"duration_d": 20.0}, {"duration_mismatch"}),
        ({"duration_d": 14.9}, set()),
        ({"lat": 95.0}, {"bad_position"}),
        ({"lon": -200.0}, {"bad_position"}),
        ({"lat": np.nan}, {"bad_position"}),
        ({"trap_depth_m": -5.0}, {"bad_trap_depth"}),
        ({"pic_flux": np.nan}, {"missing_pic"}),
        ({"pic_flux": 0.0}, {"nonpositive_pic"}),
        ({"start": pd.NaT, "end": pd.NaT, "duration_d": np.nan}, {"undated"}),
    ],
)
def test_each_problem_becomes_a_flag(changes: dict[str, Any], expected: set[str]) -> None:
    out = validate_traps(table(row(**changes)))
    got = flags(out)[0]
    assert expected <= got
    if not expected:
        assert got == frozenset()
    if "end_before_start" in expected:
        assert "duration_mismatch" in got  # 14 d declared, −12 d measured


def test_end_before_start_row_is_kept_not_dropped() -> None:
    out = validate_traps(table(row(), row(end=pd.Timestamp("1999-01-01"))))
    assert len(out) == 2 and out.loc[1, "pic_flux"] == 2.0


def test_duplicates_keep_the_row_with_pic() -> None:
    first = row(pic_flux=np.nan)
    second = row(pic_flux=3.0)
    other_depth = row(trap_depth_m=2000.0)
    out = validate_traps(table(first, second, other_depth, row(pic_flux=4.0)))
    assert flags(out) == [
        {"duplicate", "missing_pic"},
        frozenset(),
        frozenset(),
        {"duplicate"},
    ]


def test_undated_rows_are_not_duplicates() -> None:
    undated = row(start=pd.NaT, end=pd.NaT, duration_d=np.nan)
    out = validate_traps(table(undated, undated))
    assert flags(out) == [{"undated"}, {"undated"}]


def test_validation_is_idempotent_and_keeps_flags() -> None:
    once = validate_traps(table(row(lat=99.0), row(trap_id="T", qc="reader_note")))
    twice = validate_traps(once)
    pd.testing.assert_frame_equal(once, twice)
    assert twice.loc[1, "qc"] == "reader_note"


def test_empty_table_passes_through() -> None:
    out = paper_filter(empty_trap_table())
    assert len(out) == 0 and out["qc"].dtype == as_trap_table(table(row()))["qc"].dtype
    assert table1(out)["observations"].sum() == 0


def test_add_flag_appends_once() -> None:
    qc = pd.Series(["", "a", "b;c"])
    out = add_flag(add_flag(qc, [True, True, False], "x"), [True, False, False], "x")
    assert list(out) == ["x", "a;x", "b;c"]


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"duration_d": 31.0, "end": pd.Timestamp("2000-02-01")}, set()),
        ({"duration_d": 32.0, "end": pd.Timestamp("2000-02-02")}, {"long_deployment"}),
        ({"water_depth_m": 200.0}, set()),
        ({"water_depth_m": 199.0}, {"shallow_water"}),
        ({"water_depth_m": np.nan}, {"unknown_water_depth"}),
    ],
)
def test_paper_filter(changes: dict[str, Any], expected: set[str]) -> None:
    out = paper_filter(table(row(**changes)))
    assert flags(out)[0] == expected


def test_paper_filter_thresholds_are_parameters() -> None:
    df = table(row(duration_d=14.0, water_depth_m=300.0))
    out = paper_filter(df, max_duration_d=10.0, min_water_depth_m=500.0)
    assert flags(out)[0] == {"long_deployment", "shallow_water"}


def test_good_rows_with_allowed_flags() -> None:
    df = paper_filter(table(row(), row(start=pd.NaT, end=pd.NaT, duration_d=np.nan)))
    assert len(good_rows(df)) == 1
    assert len(good_rows(df, allow=("undated",))) == 2


def elevation_grid() -> xr.DataArray:
    lat = np.array([1.5, 0.5, -0.5])  # descending
    lon = np.array([0.5, 1.5, 359.5])  # 0…360
    values = np.array([[-100.0, -200.0, -300.0], [-400.0, 50.0, -600.0], [-700.0, -800.0, -900.0]])
    return xr.DataArray(values, coords={"lat": lat, "lon": lon}, dims=("lat", "lon"))


def test_water_depth_from_bathymetry_nearest_cell() -> None:
    depth = water_depth_from_bathymetry(
        [1.4, 0.6, -0.4, 0.4, np.nan], [0.6, 1.2, -0.4, 0.5, 0.0], elevation_grid()
    )
    np.testing.assert_array_equal(depth[:4], [100.0, 0.0, 900.0, 400.0])
    assert np.isnan(depth[4])


def test_water_depth_needs_lat_lon_coordinates() -> None:
    grid = elevation_grid().rename(lat="y", lon="x")
    with pytest.raises(GridError, match="coordinate named"):
        water_depth_from_bathymetry([0.0], [0.0], grid)


def test_fill_water_depth_fills_only_unknown() -> None:
    df = table(row(lat=1.4, lon=0.6, water_depth_m=np.nan), row(lat=1.4, lon=0.6))
    out = fill_water_depth(df, elevation_grid())
    assert list(out["water_depth_m"]) == [100.0, 4000.0]


@pytest.mark.parametrize(
    ("depth", "left", "right"),
    [
        (0.0, "0-100", "0-100"),
        (99.9, "0-100", "0-100"),
        (100.0, "100-500", "0-100"),
        (500.0, "500-1000", "100-500"),
        (1500.0, "1000-2000", "1000-2000"),
        (4000.0, ">4000", "3000-4000"),
        (4000.5, ">4000", ">4000"),
        (6000.0, ">4000", ">4000"),
    ],
)
def test_depth_layer_edges(depth: float, left: str, right: str) -> None:
    assert depth_layer([depth])[0] == left
    assert depth_layer([depth], closed="right")[0] == right


def test_depth_layer_missing_and_negative() -> None:
    out = depth_layer(pd.Series([np.nan, -1.0, 50.0], index=[7, 8, 9]))
    assert list(out.index) == [7, 8, 9]
    assert out.isna().tolist() == [True, True, False]
    assert list(out.cat.categories) == list(DEPTH_LABELS)


def test_layer_edges_are_a_parameter() -> None:
    assert layer_labels((0, 250, 1000)) == ("0-250", "250-1000", ">1000")
    assert list(depth_layer([100.0, 250.0, 5000.0], (0, 250, 1000))) == [
        "0-250",
        "250-1000",
        ">1000",
    ]


@pytest.mark.parametrize("edges", [(), (0.0, 100.0, 100.0), (500.0, 100.0)])
def test_bad_edges_are_refused(edges: tuple[float, ...]) -> None:
    with pytest.raises(SpecError, match="increasing"):
        depth_layer([10.0], edges)


def test_bad_closed_is_refused() -> None:
    with pytest.raises(SpecError, match="'closed'"):
        depth_layer([10.0], closed="both")  # type: ignore[arg-type]


def test_table1_hand_counted() -> None:
    rows = [
        # 0-100: two observations of one trap; cells (10,-21)
        row(trap_id="A 50 m", trap_depth_m=50.0),
        row(
            trap_id="A 50 m",
            trap_depth_m=50.0,
            start=pd.Timestamp("2000-02-01"),
            end=pd.Timestamp("2000-02-15"),
        ),
        # 100-500: a trap at exactly 100 m (lower edge inclusive) and one at 499 m in
        # another 1° cell (lat 10.9 → 10, lon 20.1 → 20); a third row is flagged
        row(trap_id="B 100 m", trap_depth_m=100.0),
        row(trap_id="C 499 m", trap_depth_m=499.0, lat=10.9, lon=20.1),
        row(
            trap_id="C 499 m",
            trap_depth_m=499.0,
            lat=10.9,
            lon=20.1,
            duration_d=45.0,
            end=pd.Timestamp("2000-02-15"),
        ),
        # >4000: two traps in the same cell, negative latitude floors down (−0.5 → −1)
        row(trap_id="D 4500 m", trap_depth_m=4500.0, lat=-0.5, lon=0.5),
        row(trap_id="E 4800 m", trap_depth_m=4800.0, lat=-0.2, lon=0.9),
    ]
    out = table1(paper_filter(table(*rows)))
    assert tuple(out.columns) == TABLE1_COLUMNS
    assert list(out["layer"]) == list(DEPTH_LABELS)
    expected = {
        "0-100": (2, 1, 1),
        "100-500": (2, 2, 2),
        "500-1000": (0, 0, 0),
        ">4000": (2, 2, 1),
    }
    for layer, counts in expected.items():
        got = out.loc[out["layer"] == layer, ["observations", "traps", "locations_1deg"]]
        assert tuple(got.iloc[0]) == counts, layer
    assert out["observations"].sum() == 6


def test_table1_closed_right_moves_edge_traps() -> None:
    out = table1(table(row(trap_id="B 100 m", trap_depth_m=100.0)), closed="right")
    assert out.set_index("layer").loc["0-100", "observations"] == 1


def test_table1_allows_undated_compilations() -> None:
    undated = row(start=pd.NaT, end=pd.NaT, duration_d=np.nan)
    df = validate_traps(table(undated, row()))
    assert table1(df)["observations"].sum() == 1
    assert table1(df, allow=("undated",))["observations"].sum() == 2


def test_table1_needs_trap_columns() -> None:
    with pytest.raises(InputError, match="Table 1 needs"):
        table1(pd.DataFrame({"lat": [1.0]}))


def test_paper_table1_reference_totals() -> None:
    assert sum(o for o, _ in PAPER_TABLE1.values()) == 6057
    assert sum(t for _, t in PAPER_TABLE1.values()) == 391
