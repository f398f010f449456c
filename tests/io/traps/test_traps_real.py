"""Trap readers on the real station series and compilation of the shared data folder."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from picpump.io.traps import STATIONS, read_opal_compilation, read_station
from picpump.science.layers import DEPTH_LABELS, table1
from picpump.science.trap_filter import (
    fill_water_depth,
    paper_filter,
    water_depth_from_bathymetry,
)
from picpump.science.traps import CACO3_TO_PIC, TRAP_COLUMNS, flags_of, good_rows

pytestmark = pytest.mark.shared_data

FILES = {
    "aloha": "aloha.csv",
    "cariaco": "cariaco.xlsx",
    "k2": "k2.csv",
    "m": "m.csv",
    "ofp": "ofp.csv",
    "pap": "pap.xlsx",
}
# rows, rows with a PIC value (from the files: cups, or cups x traps for CARIACO)
COUNTS = {
    "aloha": (890, 609),
    "cariaco": (1768, 1752),
    "k2": (240, 240),
    "m": (557, 557),
    "ofp": (737, 732),
    "pap": (447, 167),
}


@pytest.fixture(scope="module")
def series(shared_data: Path) -> dict[str, pd.DataFrame]:
    folder = shared_data / "sediment_traps" / "cael2021_timeseries"
    return {key: read_station(folder / name, station=key) for key, name in FILES.items()}


@pytest.mark.parametrize("key", sorted(FILES))
def test_station_series(series: dict[str, pd.DataFrame], key: str) -> None:
    df, facts = series[key], STATIONS[key]
    assert tuple(df.columns) == TRAP_COLUMNS
    rows, with_pic = COUNTS[key]
    assert len(df) == rows
    assert df["pic_flux"].notna().sum() == with_pic
    assert (df["pic_flux"] > 0).sum() >= 0.98 * with_pic
    assert (df["lat"] == facts.lat).all() and (df["lon"] == facts.lon).all()
    assert (df["water_depth_m"] == facts.water_depth_m).all()
    assert (df["trap_depth_m"] < df["water_depth_m"]).all()
    assert df["start"].notna().all() and (df["duration_d"] > 0).all()
    good = good_rows(df)
    assert good["pic_flux"].between(1e-4, 2000).all()  # CARIACO 152 m peaks at 1341
    assert len(good) >= 0.97 * (df["pic_flux"] > 0).sum()


def test_trap_depths(series: dict[str, pd.DataFrame]) -> None:
    assert set(series["aloha"]["trap_depth_m"]) == {800.0, 1500.0, 2800.0, 4000.0}
    assert set(series["cariaco"]["trap_depth_m"]) == {152.0, 225.0, 410.0, 810.0, 1210.0}
    assert set(series["k2"]["trap_depth_m"]) == {4810.0}
    assert set(series["m"]["trap_depth_m"]) == {3400.0, 3350.0}  # 600 / 650 m above bottom
    assert set(series["ofp"]["trap_depth_m"]) == {3200.0}
    assert set(series["pap"]["trap_depth_m"]) == {3000.0}


def test_first_rows_against_the_files(series: dict[str, pd.DataFrame]) -> None:
    k2 = series["k2"].iloc[0]
    assert k2["start"] == pd.Timestamp("2005-03-20") and k2["duration_d"] == 14.0
    assert k2["pic_flux"] == pytest.approx(2.37 * CACO3_TO_PIC) and k2["poc_flux"] == 0.87
    m = series["m"].iloc[0]
    assert m["start"] == pd.Timestamp("1989-06-23") and m["end"] == pd.Timestamp("1989-07-23")
    assert m["pic_flux"] == pytest.approx(12.8655832)
    ofp = series["ofp"].iloc[0]
    assert ofp["start"] == pd.Timestamp("1978-04-06") and ofp["duration_d"] == 62.0
    assert ofp["pic_flux"] == pytest.approx(19.21 * CACO3_TO_PIC)
    pap = series["pap"].iloc[0]
    assert pap["start"] == pd.Timestamp("1989-04-18 12:00") and pap["duration_d"] == 5.0
    assert pap["pic_flux"] == pytest.approx(2.542872, rel=1e-6)
    cariaco = series["cariaco"]
    first_a = cariaco[cariaco["trap_id"] == "CARIACO 225 m"].iloc[0]
    assert first_a["start"] == pd.Timestamp("1995-11-08")
    assert first_a["pic_flux"] == pytest.approx(0.066706 * 1e3 * CACO3_TO_PIC, rel=1e-5)
    aloha = series["aloha"]
    assert aloha["pic_flux"].isna().iloc[0]  # −9 in 1992, never a number
    assert (aloha["pic_flux"].dropna() >= 0).all()


def test_paper_filter_and_table1_on_the_stations(series: dict[str, pd.DataFrame]) -> None:
    df = paper_filter(pd.concat(series.values(), ignore_index=True))
    flags = set().union(*flags_of(df["qc"]))
    assert "long_deployment" in flags  # OFP's early 62-day cups
    assert "shallow_water" not in flags and "unknown_water_depth" not in flags
    out = table1(df)
    assert list(out["layer"]) == list(DEPTH_LABELS)
    assert out["observations"].sum() == len(good_rows(df))
    by_layer = out.set_index("layer")
    assert by_layer.loc["0-100", "observations"] == 0
    assert by_layer.loc["100-500", "traps"] == 3  # CARIACO 152, 225 and 410 m
    assert by_layer.loc[">4000", "traps"] == 2  # K2 4810 m and ALOHA 4000 m (edge → deeper)
    assert table1(df, closed="right").set_index("layer").loc[">4000", "traps"] == 1
    # 500-1000: CARIACO 810 m only (ALOHA 800 m has no PIC); 3000-4000: M, OFP and PAP
    assert list(out["locations_1deg"]) == [0, 1, 1, 2, 1, 3, 2]


def test_opal_compilation(shared_data: Path) -> None:
    folder = shared_data / "sediment_traps" / "cael_opal_global"
    df = read_opal_compilation(folder / "opal_traps.csv")
    assert len(df) == 7159
    assert df["start"].isna().all()
    assert (df["pic_flux"] > 0).sum() == 7102
    assert df["pic_flux"].mean() == pytest.approx(5.509, abs=1e-3)
    assert all("undated" in f for f in flags_of(df["qc"]))
    assert df.groupby(["lon", "lat"]).ngroups == 215
    mat = read_opal_compilation(folder / "opal.mat")
    pd.testing.assert_frame_equal(mat.drop(columns="source"), df.drop(columns="source"))


def test_water_depth_from_etopo(shared_data: Path) -> None:
    path = shared_data / "bathymetry" / "topo_etopo1_30min_global.nc"
    with xr.open_dataset(path) as ds:
        elevation = ds["Band1"].load()
    depth = water_depth_from_bathymetry([11.25, 30.0, 28.0], [142.25, -40.0, 87.0], elevation)
    np.testing.assert_array_equal(depth, [9178.0, 4037.0, 0.0])
    for key in ("aloha", "k2", "m", "ofp", "pap"):
        facts = STATIONS[key]
        found = water_depth_from_bathymetry([facts.lat], [facts.lon], elevation)[0]
        assert found == pytest.approx(facts.water_depth_m, rel=0.05), key
    opal = pd.DataFrame(
        {
            "station": ["x"],
            "trap_id": ["x"],
            "lat": [30.0],
            "lon": [-40.0],
            "trap_depth_m": [1000.0],
            "start": [pd.NaT],
            "end": [pd.NaT],
            "duration_d": [np.nan],
            "pic_flux": [1.0],
        }
    )
    assert fill_water_depth(opal, elevation)["water_depth_m"][0] == 4037.0


def test_opal_compilation_by_layer_and_region(shared_data: Path) -> None:
    """The undated compilation: ETOPO water depth, paper filter, layers, RECCAP2 regions."""
    from picpump.io.ancillary.regions import read_reccap2
    from picpump.io.ingest.reader import read_static
    from picpump.science.region_lookup import region_of
    from picpump.science.regions import paper_regions, region_names

    folder = shared_data / "sediment_traps" / "cael_opal_global"
    traps = read_opal_compilation(folder / "opal_traps.csv")
    etopo = shared_data / "bathymetry" / "topo_etopo1_30min_global.nc"
    elevation = read_static(str(etopo), variable="Band1", canonical="elevation", units="m")
    traps = paper_filter(fill_water_depth(traps, elevation))
    usable = good_rows(traps, allow=("undated",))
    assert 0.8 * len(traps) < len(usable) < len(traps)  # shelf traps and zero fluxes drop out
    by_layer = table1(traps, allow=("undated",)).set_index("layer")
    assert list(by_layer.index) == list(DEPTH_LABELS)
    assert by_layer["observations"].sum() == len(usable)
    # every layer is covered; few shallow traps (the paper adds 234Th fluxes for 0-100 m)
    assert by_layer["observations"].to_dict() == {
        "0-100": 7,
        "100-500": 854,
        "500-1000": 1125,
        "1000-2000": 1615,
        "2000-3000": 1122,
        "3000-4000": 1386,
        ">4000": 643,
    }
    masks = read_reccap2(str(shared_data / "masks" / "RECCAP2_region_masks_all_v20221025.nc"))
    regions = paper_regions(masks)
    ids = region_of(usable["lat"].to_numpy(), usable["lon"].to_numpy(), regions)
    names = pd.Series(ids).map(region_names(regions))
    counts = names.value_counts()
    assert counts.sum() > 0.9 * len(usable)  # nearly every open-ocean trap lies in a region
    assert {"NA", "SSTA", "EP"} <= set(counts.index)
