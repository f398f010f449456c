"""The region table, the paper-region map, point look-ups, names and areas on small masks."""

from __future__ import annotations

from typing import Any

import dask.array as dsa
import numpy as np
import pytest
import xarray as xr

from picpump.errors import GridError, InputError, SpecError, UnitsError
from picpump.grid import Grid
from picpump.science.area import cell_area
from picpump.science.region_lookup import region_areas, region_of, restrict_regions
from picpump.science.regions import (
    flag_meaning,
    load_region_table,
    paper_regions,
    region_names,
)
from picpump.science.registry import variant
from tests.conftest import raise_if_dask_computes

GRID = Grid(30.0)  # 6 × 12: lat −75…75, lon −165…165
LAT, LON = np.meshgrid(GRID.lat, GRID.lon, indexing="ij")
R = 6371007.2


def _var(values: np.ndarray, names: dict[int, str] | None = None) -> xr.DataArray:
    attrs: dict[str, Any] = {}
    if names:
        attrs = {
            "flag_values": np.array(list(names), dtype=np.int8),
            "flag_meanings": " ".join(flag_meaning(n) for n in names.values()),
        }
    return xr.DataArray(
        values.astype(np.int8), dims=("lat", "lon"), coords={"lat": GRID.lat, "lon": GRID.lon},
        attrs=attrs,
    )  # fmt: skip


def _masks() -> xr.Dataset:
    """Basins by longitude, sub-regions by latitude band (6 rows: −75 −45 −15 15 45 75)."""
    row = np.searchsorted(GRID.lat, LAT)
    atlantic_box = (LON > -90) & (LON < 0) & (row >= 1) & (row <= 4)
    pacific_box = (LON > 90) & (row >= 1) & (row <= 4)
    atlantic = np.where(atlantic_box, np.array([0, 5, 4, 3, 1, 0])[row], 0)
    atlantic[(row == 3) & (LON == -15)] = 6  # a "Mediterranean" cell
    pacific = np.where(pacific_box, np.array([0, 6, 5, 3, 2, 0])[row], 0)
    southern = np.where(row == 0, np.where(LON < 0, 1, 3), 0)
    open_ocean = np.select([atlantic > 0, pacific > 0, row == 5, row == 0], [1, 2, 4, 5], 0)
    return xr.Dataset(
        {
            "open_ocean": _var(open_ocean, {1: "Atlantic", 2: "Pacific", 4: "Arctic", 5: "S"}),
            "atlantic": _var(atlantic, {1: "NA SPSS", 2: "NA STSS", 3: "NA STPS", 4: "AEQU",
                                        5: "SA STPS", 6: "MED (not in FM14)"}),
            "pacific": _var(pacific, {1: "NP SPSS", 2: "NP STSS", 3: "NP STPS", 4: "PEQU-W",
                                      5: "PEQU-E", 6: "SP STPS"}),
            "indian": _var(np.zeros(LAT.shape)),
            "southern": _var(southern, {1: "SO STSS", 2: "SO SPSS", 3: "SO ICE"}),
        }
    )  # fmt: skip


MASKS = _masks()
TABLE = load_region_table()
SHORT = {r.short: r.number for r in TABLE.regions}


def _expected_ids(masks: xr.Dataset) -> np.ndarray:
    """The paper regions written out by hand from SCIENCE.md §5."""
    a, p, s, o = (masks[v].values for v in ("atlantic", "pacific", "southern", "open_ocean"))
    rules = [
        (o == 4, "Ar"), (np.isin(a, [1, 2]), "NA"), (np.isin(p, [1, 2]), "NP"),
        (p == 3, "NSTP"), (np.isin(p, [4, 5]), "EP"), (p == 6, "SSTP"), (s == 1, "SAZ"),
        (np.isin(s, [2, 3]), "AAZ"), (a == 3, "NSTA"), (a == 4, "EA"), (a == 5, "SSTA"),
    ]  # fmt: skip
    out = np.zeros(a.shape, np.int16)
    for hit, short in rules:
        out[hit] = SHORT[short]
    return out


# --- the table -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("short", "variable", "codes", "confidence"),
    [
        ("Ar", "open_ocean", (4,), "high"),
        ("NA", "atlantic", (1, 2), "high"),
        ("NP", "pacific", (1, 2), "high"),
        ("NSTP", "pacific", (3,), "high"),
        ("EP", "pacific", (4, 5), "high"),
        ("SSTP", "pacific", (6,), "high"),
        ("SAZ", "southern", (1,), "low"),
        ("AAZ", "southern", (2, 3), "low"),
        ("NSTA", "atlantic", (3,), "high"),
        ("EA", "atlantic", (4,), "high"),
        ("SSTA", "atlantic", (5,), "high"),
        ("NI", "indian", (1, 2), "medium"),
        ("SI", "indian", (3, 4), "medium"),
    ],
)
def test_packaged_table_is_science_section_5(short, variable, codes, confidence) -> None:
    region = next(r for r in TABLE.regions if r.short == short)
    assert (region.variable, region.codes, region.confidence) == (variable, codes, confidence)


def test_packaged_table_numbers_and_mediterranean_excluded() -> None:
    assert [r.number for r in TABLE.regions] == list(range(1, 14))
    assert not any(r.variable == "atlantic" and 6 in r.codes for r in TABLE.regions)
    assert TABLE.excluded[0]["variable"] == "atlantic" and TABLE.excluded[0]["codes"] == [6]
    assert "1 Ar: open_ocean in [4] (high)" in TABLE.describe()


GOOD = {"number": 1, "short": "X", "long_name": "x", "variable": "atlantic", "codes": [1],
        "confidence": "high"}  # fmt: skip


@pytest.mark.parametrize(
    ("change", "match"),
    [
        ({"codes": [0]}, "codes positive integers"),
        ({"codes": [True]}, "codes positive integers"),
        ({"codes": []}, "codes positive integers"),
        ({"number": 0}, "number must be in 1…32767"),
        ({"number": 40000}, "number must be in 1…32767"),
        ({"confidence": "sure"}, "confidence must be one of"),
        ({"short": "N A"}, "a word without spaces"),
        ({"names": ["a", "b"]}, "one name per code"),
        ({"short": None}, "needs the keys"),
    ],
)
def test_bad_table_entries_are_refused(change, match) -> None:
    entry = {**GOOD, **change}
    if change.get("short", "") is None:
        del entry["short"]
    with pytest.raises(SpecError, match=match):
        load_region_table({"regions": [entry]})


@pytest.mark.parametrize("key", ["number", "short"])
def test_duplicates_are_refused(key) -> None:
    other = {**GOOD, "number": 2, "short": "Y", key: GOOD[key]}
    with pytest.raises(SpecError, match=f"'{key}' must be unique"):
        load_region_table({"regions": [GOOD, other]})


@pytest.mark.parametrize("mapping", [{}, {"regions": []}, {"regions": "NA"}, ["x"]])
def test_table_needs_regions(mapping) -> None:
    with pytest.raises(SpecError, match="non-empty 'regions' list"):
        load_region_table(mapping)


def test_user_table_scalar_code_and_order() -> None:
    table = load_region_table({"regions": [{**GOOD, "codes": 3, "number": 7}]})
    assert table.regions[0].codes == (3,) and table.regions[0].number == 7


@pytest.mark.parametrize(
    ("name", "word"),
    [("NA SPSS", "NA_SPSS"), ("PEQU-W", "PEQU-W"), ("MED (not in FM14)", "MED_not_in_FM14")],
)
def test_flag_meaning(name, word) -> None:
    assert flag_meaning(name) == word


# --- the region map ------------------------------------------------------------------------


def test_paper_regions_matches_hand_written_rules() -> None:
    regions = paper_regions(MASKS)
    assert regions.dtype == np.int16 and regions.name == "region"
    np.testing.assert_array_equal(regions.values, _expected_ids(MASKS))
    assert regions.attrs["flag_values"].tolist() == list(range(1, 14))
    assert regions.attrs["flag_meanings"].split()[:3] == ["Ar", "NA", "NP"]
    med = MASKS["atlantic"].values == 6
    assert med.any() and (regions.values[med] == 0).all()
    assert set(np.unique(regions.values)) >= {1, 2, 4, 5, 6, 7, 8, 9, 10, 11}


def test_paper_regions_missing_variable() -> None:
    with pytest.raises(InputError, match=r"missing \['indian'\]"):
        paper_regions(MASKS.drop_vars("indian"))


def test_paper_regions_overlap_is_refused() -> None:
    table = load_region_table(
        {"regions": [GOOD, {**GOOD, "number": 2, "short": "Y", "variable": "open_ocean"}]}
    )
    with pytest.raises(SpecError, match=r"region 2 Y overlaps region\(s\) \[1\]"):
        paper_regions(MASKS, table)


def test_paper_regions_refuses_codes_with_other_names() -> None:
    renamed = MASKS.copy()
    renamed["pacific"] = renamed["pacific"].assign_attrs(
        flag_meanings="NP_SPSS NP_STSS PEQU-W NP_STPS PEQU-E SP_STPS"
    )
    with pytest.raises(InputError, match="must mean"):
        paper_regions(renamed)


def test_paper_regions_without_flag_attributes_skips_the_name_check() -> None:
    bare = MASKS.copy()
    for name in bare.data_vars:
        bare[name].attrs = {}
    np.testing.assert_array_equal(paper_regions(bare).values, _expected_ids(MASKS))


# --- names, areas, restriction -------------------------------------------------------------


def test_region_names() -> None:
    names = region_names(paper_regions(MASKS))
    assert names[1] == "Ar" and names[13] == "SI" and len(names) == 13
    assert region_names(MASKS["atlantic"])[6] == "MED_not_in_FM14"


@pytest.mark.parametrize(
    "attrs", [{}, {"flag_values": [1, 2], "flag_meanings": "a"}, {"flag_meanings": "a"}]
)
def test_region_names_needs_flags(attrs) -> None:
    with pytest.raises(InputError, match="flag_meanings as flag_values"):
        region_names(xr.DataArray([1], attrs=attrs))


def test_region_areas_against_the_sphere_formula() -> None:
    regions = paper_regions(MASKS)
    areas = region_areas(regions, cell_area(GRID, variant("cell_area")))
    step = np.radians(30.0)
    row_area = R**2 * step * (np.sin(np.radians(LAT + 15)) - np.sin(np.radians(LAT - 15)))
    for number, short in region_names(regions).items():
        expected = row_area[regions.values == number].sum() / 1e12
        assert areas[short] == pytest.approx(expected, rel=1e-12)
    assert areas["NI"] == 0.0 and areas.name == "area_Mkm2" and areas.index.name == "region"
    whole = region_areas(
        _var((LAT > -100).astype(int), {1: "all"}), cell_area(GRID, variant("cell_area"))
    )
    assert whole["all"] == pytest.approx(4 * np.pi * R**2 / 1e12, rel=1e-12)


def test_region_areas_errors() -> None:
    regions = paper_regions(MASKS)
    area = cell_area(GRID, variant("cell_area"))
    with pytest.raises(UnitsError, match="must be in m2"):
        region_areas(regions, area.assign_attrs(units="km2"))
    with pytest.raises(GridError, match="cell areas must be on the region map's grid"):
        region_areas(regions, cell_area(Grid(10.0), variant("cell_area")))
    stray = regions.copy(data=np.where(regions.values == 1, 99, regions.values))
    with pytest.raises(InputError, match=r"ids \[99\]"):
        region_areas(stray, area)


def test_restrict_regions_is_lazy_and_keeps_type() -> None:
    regions = paper_regions(MASKS)
    keep = xr.DataArray(LAT > 0, dims=("lat", "lon"), coords=regions.coords)
    lazy = regions.copy(data=dsa.from_array(regions.values, chunks=3))
    with raise_if_dask_computes():
        out = restrict_regions(lazy, keep)
    assert out.dtype == np.int16 and out.attrs["flag_meanings"] == regions.attrs["flag_meanings"]
    np.testing.assert_array_equal(out.values, np.where(LAT > 0, regions.values, 0))
    with pytest.raises(GridError, match="mask must be on the region map's grid"):
        restrict_regions(regions, keep.isel(lat=slice(1, None)))


# --- point look-ups ------------------------------------------------------------------------


def _brute_force(lat: np.ndarray, lon: np.ndarray, regions: xr.DataArray) -> np.ndarray:
    """Nearest cell centre by exhaustive search (lon distance wrapped)."""
    row = np.argmin(np.abs(lat[:, None] - GRID.lat[None, :]), axis=1)
    dlon = np.abs((lon[:, None] - GRID.lon[None, :] + 180.0) % 360.0 - 180.0)
    col = np.argmin(dlon, axis=1)
    return regions.values[row, col]


def test_region_of_equals_brute_force_nearest_cell() -> None:
    regions = paper_regions(MASKS)
    rng = np.random.default_rng(3)
    lat = rng.uniform(-89.9, 89.9, 500)
    lon = rng.uniform(-179.9, 179.9, 500)
    expected = _brute_force(lat, lon, regions)
    np.testing.assert_array_equal(region_of(lat, lon, regions), expected)
    np.testing.assert_array_equal(region_of(lat, np.mod(lon, 360.0), regions), expected)
    assert region_of(lat[:6].reshape(2, 3), lon[:6].reshape(2, 3), regions).shape == (2, 3)


def test_region_of_edges() -> None:
    regions = xr.DataArray(
        np.arange(72).reshape(6, 12), dims=("lat", "lon"), coords={"lat": GRID.lat, "lon": GRID.lon}
    )
    got = region_of([90, -90, 0, 0, 0, 0], [0, 0, -180, 180, 360, 359.99], regions)
    assert got.tolist() == [66, 6, 36, 36, 42, 41]


@pytest.mark.parametrize(
    ("lat", "lon"),
    [([91.0], [0.0]), ([0.0], [361.0]), ([0.0], [-181.0]), ([np.nan], [0.0]), ([0.0, 1.0], [0.0])],
)
def test_region_of_refuses_bad_points(lat, lon) -> None:
    with pytest.raises(InputError, match="points need finite lat"):
        region_of(lat, lon, paper_regions(MASKS))


def test_region_of_outside_a_regional_map() -> None:
    part = paper_regions(MASKS).isel(lat=slice(1, 5), lon=slice(0, 6))  # lat −60…60, lon −180…0
    assert (
        region_of([10.0], [-40.0], part).tolist()
        == region_of([10.0], [-40.0], paper_regions(MASKS)).tolist()
    )
    with pytest.raises(InputError, match="lat cells"):
        region_of([70.0], [-40.0], part)
    with pytest.raises(InputError, match="lon cells"):
        region_of([10.0], [40.0], part)


def test_region_of_irregular_map() -> None:
    odd = paper_regions(MASKS).assign_coords(lat=[-80, -40, -15, 15, 45, 75])
    with pytest.raises(GridError, match="lat must be regular and ascending"):
        region_of([0.0], [0.0], odd)
