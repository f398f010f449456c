"""RECCAP2 mask reader, the demo masks, and the real files (areas, open ocean)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import netCDF4
import numpy as np
import pytest

from picpump.demo.regions import REGION_NAMES, write_demo_regions
from picpump.errors import GridError, InputError
from picpump.grid import Grid
from picpump.io.ancillary.regions import (
    RECCAP2_VARIABLES,
    parse_region_names,
    read_reccap2,
)
from picpump.io.ingest.reader import read_static
from picpump.science.area import cell_area
from picpump.science.masks import open_ocean_mask
from picpump.science.region_lookup import region_areas, region_of
from picpump.science.regions import paper_regions, region_names
from picpump.science.registry import variant

ONE = Grid(1.0)
RECCAP2 = "masks/RECCAP2_region_masks_all_v20221025.nc"
ETOPO = "bathymetry/topo_etopo1_30min_global.nc"


def _canonical_codes() -> dict[str, np.ndarray]:
    """Small recognisable masks on the canonical 1° grid."""
    lat, lon = np.meshgrid(ONE.lat, ONE.lon, indexing="ij")
    atlantic = np.where((lon > -60) & (lon < 0) & (lat > 40) & (lat < 60), 1, 0)
    atlantic[(lat > 35) & (lat < 40) & (lon > 10) & (lon < 20)] = 6
    pacific = np.where((lon > 150) | (lon < -150), np.where(np.abs(lat) < 10, 4, 0), 0)
    codes = {name: np.zeros(lat.shape, np.int8) for name in RECCAP2_VARIABLES}
    codes.update(atlantic=atlantic, pacific=pacific)
    codes["open_ocean"] = np.select([atlantic > 0, pacific > 0], [1, 2], 0)
    codes["seamask"] = (codes["open_ocean"] > 0).astype(np.int8)
    codes["arctic"] = (lat > 80).astype(np.int8) * 3
    return codes


def write_masks(
    path: Path,
    codes: dict[str, np.ndarray] | None = None,
    *,
    grid: Grid = ONE,
    lat_descending: bool = False,
    dtype: str = "i1",
    names: dict[str, str] | None = None,
) -> Path:
    """Write masks in the RECCAP2 layout: lon 0…360, int8, region_name attributes."""
    codes = _canonical_codes() if codes is None else codes
    names = REGION_NAMES if names is None else names
    half = grid.nlon // 2
    lat = grid.lat[::-1] if lat_descending else grid.lat
    with netCDF4.Dataset(path, "w") as ds:
        ds.createDimension("lat", grid.nlat)
        ds.createDimension("lon", grid.nlon)
        ds.createVariable("lat", "f8", ("lat",))[:] = lat
        ds.createVariable("lon", "f8", ("lon",))[:] = np.r_[grid.lon[half:], grid.lon[:half] + 360]
        for name, values in codes.items():
            stored = np.concatenate([values[:, half:], values[:, :half]], axis=1)
            stored = stored[::-1] if lat_descending else stored
            var = ds.createVariable(name, dtype, ("lat", "lon"))
            var[:] = stored
            if name in names:
                var.region_name = names[name]
    return path


def test_read_reccap2_rolls_and_keeps_codes(tmp_path: Path) -> None:
    codes = _canonical_codes()
    for descending in (False, True):
        path = write_masks(tmp_path / f"m{descending}.nc", lat_descending=descending)
        ds = read_reccap2(str(path))
        assert list(ds.data_vars) == list(RECCAP2_VARIABLES)
        np.testing.assert_array_equal(ds.lat, ONE.lat)
        np.testing.assert_array_equal(ds.lon, ONE.lon)
        for name in RECCAP2_VARIABLES:
            assert ds[name].dtype == np.int8 and ds[name].dims == ("lat", "lon")
            np.testing.assert_array_equal(ds[name].values, codes[name])
    atlantic = ds["atlantic"]
    assert atlantic.attrs["flag_values"].tolist() == [1, 2, 3, 4, 5, 6]
    assert atlantic.attrs["flag_meanings"].split()[5] == "MED_not_in_FM14"
    assert atlantic.attrs["region_name"] == REGION_NAMES["atlantic"]
    assert region_names(ds["seamask"]) == {1: "sea"}
    assert "flag_values" not in ds["arctic"].attrs
    assert int(ds["atlantic"].sel(lat=50.5, lon=-30.5)) == 1  # stored at lon 329.5


def test_read_reccap2_float_with_fill_is_zero(tmp_path: Path) -> None:
    codes = {k: v.astype(np.float32) for k, v in _canonical_codes().items()}
    codes["pacific"][0, :] = np.nan
    ds = read_reccap2(str(write_masks(tmp_path / "f.nc", codes, dtype="f4")))
    assert ds["pacific"].dtype == np.int8 and (ds["pacific"].values[0] == 0).all()


@pytest.mark.parametrize(
    ("change", "error", "match"),
    [
        ("drop_indian", InputError, r"missing \['indian'\]"),
        ("grid_2deg", GridError, "global 1° grid"),
        ("fraction", InputError, "integer codes 0…127"),
        ("negative", InputError, "integer codes 0…127"),
        ("unnamed_code", InputError, r"codes \[7\] not in"),
        ("bad_names", InputError, "'<code>.<name>' items"),
    ],
)
def test_read_reccap2_refuses(tmp_path: Path, change: str, error: type, match: str) -> None:
    codes, grid, names = _canonical_codes(), ONE, dict(REGION_NAMES)
    kwargs = {}
    if change == "drop_indian":
        del codes["indian"]
    if change == "grid_2deg":
        grid = Grid(2.0)
        codes = {k: v[::2, ::2] for k, v in codes.items()}
    if change in ("fraction", "negative"):
        codes = {k: v.astype(np.float32) for k, v in codes.items()}
        codes["pacific"][5, 5] = 0.5 if change == "fraction" else -1.0
        kwargs["dtype"] = "f4"
    if change == "unnamed_code":
        codes["southern"][0, 0] = 7
    if change == "bad_names":
        names["pacific"] = "1 NP SPSS, 2.NP STSS"
    path = write_masks(tmp_path / "bad.nc", codes, grid=grid, names=names, **kwargs)
    with pytest.raises(error, match=match):
        read_reccap2(str(path))


def test_read_reccap2_missing_and_corrupt_files(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no file at"):
        read_reccap2(str(tmp_path / "absent.nc"))
    (tmp_path / "junk.nc").write_bytes(b"not a netcdf file")
    with pytest.raises(InputError, match="readable NetCDF"):
        read_reccap2(str(tmp_path / "junk.nc"))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1.NA SPSS, 2.NA STSS", {1: "NA SPSS", 2: "NA STSS"}),
        ("6.MED (not in FM14)", {6: "MED (not in FM14)"}),
        (" 1.Arabian Sea,2.Bay of Bengal ", {1: "Arabian Sea", 2: "Bay of Bengal"}),
    ],
)
def test_parse_region_names(text: str, expected: dict[int, str]) -> None:
    assert parse_region_names(text) == expected


@pytest.mark.parametrize("text", ["", "NA SPSS", "0.X", "1.", "1.A, 1.B", "x.A"])
def test_parse_region_names_refuses(text: str) -> None:
    with pytest.raises(InputError, match="region_name"):
        parse_region_names(text)


# --- demo masks ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_masks(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo_regions.nc"
    write_demo_regions(path)
    return path


def test_demo_masks_read_like_reccap2(demo_masks: Path, tmp_path: Path) -> None:
    with netCDF4.Dataset(demo_masks) as ds:
        assert list(ds.variables) == ["lat", "lon", *RECCAP2_VARIABLES]
        assert ds["lon"][0] == 0.5 and ds["lon"][-1] == 359.5 and ds["lat"][0] == -89.5
        assert all(ds[v].dtype == np.int8 for v in RECCAP2_VARIABLES)
        assert ds.picpump_synthetic == "true" and "synthetic demo data" in ds.comment
    masks = read_reccap2(str(demo_masks))
    regions = paper_regions(masks)
    assert set(np.unique(regions.values)) == set(range(14))
    sea = masks["seamask"].values == 1
    assert not (regions.values[~sea] > 0).any() and (regions.values[sea] > 0).mean() > 0.9
    got = region_of([30, 50, 0, -60], [-40, -20, -140, 0], regions)
    assert [region_names(regions)[int(i)] for i in got] == ["NSTA", "NA", "EP", "AAZ"]
    again = tmp_path / "again.nc"
    write_demo_regions(again)
    digest = [hashlib.sha256(p.read_bytes()).hexdigest() for p in (demo_masks, again)]
    assert digest[0] == digest[1]


@pytest.mark.shared_data
def test_demo_masks_have_the_real_layout(demo_masks: Path, shared_data: Path) -> None:
    with netCDF4.Dataset(demo_masks) as demo, netCDF4.Dataset(shared_data / RECCAP2) as real:
        assert list(demo.dimensions) == list(real.dimensions)
        for name in ("lat", "lon", *RECCAP2_VARIABLES):
            assert demo[name].dtype == real[name].dtype and demo[name].shape == real[name].shape
            assert getattr(demo[name], "region_name", None) == getattr(
                real[name], "region_name", None
            )
        np.testing.assert_array_equal(demo["lon"][:], real["lon"][:])
        np.testing.assert_array_equal(demo["lat"][:], real["lat"][:])


# --- the real files ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def real_masks(shared_data: Path):
    return read_reccap2(str(shared_data / RECCAP2))


@pytest.mark.shared_data
@pytest.mark.parametrize(
    ("variable", "name", "mkm2"),
    [("atlantic", "NA_SPSS", 9.42), ("pacific", "SP_STPS", 55.27), ("southern", "SO_SPSS", 30.71)],
)
def test_real_reccap2_subregion_areas(real_masks, variable, name, mkm2) -> None:
    areas = region_areas(real_masks[variable], cell_area(ONE, variant("cell_area")))
    assert areas[name] == pytest.approx(mkm2, rel=0.01)


@pytest.mark.shared_data
def test_real_paper_regions_disjoint_without_mediterranean(real_masks) -> None:
    regions = paper_regions(real_masks)
    names = region_names(regions)
    assert len(names) == 13 and set(np.unique(regions.values)) == set(range(14))
    med = real_masks["atlantic"].values == 6
    assert med.sum() == 239 and (regions.values[med] == 0).all()
    sea = real_masks["seamask"].values == 1
    covered = regions.values > 0
    assert not (covered & ~sea).any()
    # disjoint: every cell's id equals the single region whose RECCAP2 codes contain it
    hits = np.zeros(regions.shape, int)
    for region_mask in (
        real_masks["open_ocean"].values == 4,
        np.isin(real_masks["atlantic"].values, [1, 2, 3, 4, 5]),
        real_masks["pacific"].values > 0,
        real_masks["southern"].values > 0,
        real_masks["indian"].values > 0,
    ):
        hits += region_mask
    assert hits.max() == 1 and (covered == (hits == 1)).all()
    areas = region_areas(regions, cell_area(ONE, variant("cell_area")))
    assert areas.sum() == pytest.approx(
        region_areas(real_masks["seamask"], cell_area(ONE, variant("cell_area")))["sea"]
        - region_areas(real_masks["atlantic"], cell_area(ONE, variant("cell_area")))[
            "MED_not_in_FM14"
        ],
        rel=1e-9,
    )


@pytest.mark.shared_data
@pytest.mark.parametrize(
    ("lat", "lon", "expected"),
    [(30, -40, "NSTA"), (50, -20, "NA"), (0, -140, "EP"), (0, 220, "EP"), (-60, 0, "AAZ"),
     (-40, 60, "SAZ"), (15, 65, "NI"), (-20, 80, "SI"), (20, -160, "NSTP"), (-25, -120, "SSTP"),
     (50, 170, "NP"), (85, 0, "Ar"), (0, -20, "EA"), (-20, -20, "SSTA")],
)  # fmt: skip
def test_real_region_of_known_points(real_masks, lat, lon, expected) -> None:
    regions = paper_regions(real_masks)
    assert region_names(regions)[int(region_of([lat], [lon], regions)[0])] == expected


@pytest.mark.shared_data
def test_real_etopo_open_ocean_keeps_most_sea_cells(shared_data: Path, real_masks) -> None:
    elevation = read_static(
        str(shared_data / ETOPO), variable="Band1", canonical="elevation", units="m"
    )
    assert elevation.sizes == {"lat": 360, "lon": 720}
    assert float(elevation.sel(lat=11.25, lon=142.25)) == -9178.0
    assert float(elevation.sel(lat=28.25, lon=87.25)) == 5278.0
    assert float(elevation.sel(lat=30.25, lon=-39.75)) == -4037.0
    open_ocean = open_ocean_mask(elevation, ONE, variant("open_ocean")).values
    sea = real_masks["seamask"].values == 1  # sea = RECCAP2 seamask (OISST coverage)
    kept = (open_ocean & sea).sum() / sea.sum()
    assert 0.85 <= kept <= 0.95
    assert (open_ocean & ~sea).sum() / open_ocean.sum() < 0.01
