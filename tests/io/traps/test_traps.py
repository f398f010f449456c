"""Trap readers on small files written in each real layout (PANGAEA, six stations, opal)."""

from __future__ import annotations

import re
from pathlib import Path

import fsspec
import numpy as np
import pandas as pd
import pytest
import scipy.io
import yaml

from picpump.errors import CatalogError, InputError, UnitsError
from picpump.io.catalog.model import load_catalog
from picpump.io.store.cache import pinned_entry
from picpump.io.traps import (
    STATIONS,
    TRAP_DRIVERS,
    read_opal_compilation,
    read_pangaea_tab,
    read_station,
    read_trap_entry,
)
from picpump.io.traps.common import numbers
from picpump.pipeline.analysis_spec import TrapSettings
from picpump.pipeline.sources import RunSources, read_traps
from picpump.science.traps import CACO3_TO_PIC, TRAP_COLUMNS, flags_of
from picpump.units import flux_factor
from tests.conftest import REPO

C = 12.011

# --------------------------------------------------------------------------- PANGAEA

GO_FLUX_COLUMNS = [
    "ID (Reference identifier)",
    "ID (Unique location identifier)",
    "Type (Data type)",
    "Latitude",
    "Longitude",
    "POC flux [mg/m**2/day]",
    "POC flux std dev [±]",
    "PIC flux [mg/m**2/day]",
    "PIC flux std dev [±]",
    "CaCO3 flux [mg/m**2/day]",
    "Pheop flux [µg/m**2/day]",
    "Bathy depth [m] (ETOPO1 bathymetry)",
    "Depth water [m] (Sediment trap deployment depth)",
    "Duration [days]",
    "Date/Time (Deployed)",
    "Date/time end (Retrieved)",
]
GO_FLUX_ROWS = [
    [
        "12",
        "LOC-1",
        "sediment trap",
        "47.5",
        "-20.25",
        "30.5",
        "1.0",
        "1.5",
        "0.2",
        "",
        "3",
        "4500",
        "1000",
        "14",
        "1990-05-01T00:00",
        "1990-05-15T00:00",
    ],
    [
        "12",
        "LOC-1",
        "sediment trap",
        "47.5",
        "-20.25",
        "20",
        "",
        "",
        "",
        "10",
        "3",
        "4500",
        "1000",
        "14",
        "1990-05-15",
        "1990-05-29",
    ],
    [
        "13",
        "LOC-2",
        "thorium",
        "-10",
        "170",
        "",
        "",
        "0.5",
        "",
        "",
        "",
        "",
        "100",
        "",
        "2001-02-01T12:00",
        "2001-02-05T00:00",
    ],
]


def pangaea_text(columns: list[str], rows: list[list[str]], description: bool = True) -> str:
    head = ["/* DATA DESCRIPTION:", "Citation:\tTest (2016): flux. PANGAEA", "*/"]
    body = ["\t".join(columns), *("\t".join(r) for r in rows)]
    return "\n".join((head if description else []) + body) + "\n"


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_pangaea_go_flux_layout(tmp_path: Path) -> None:
    path = write(tmp_path, "GO_flux.tab", pangaea_text(GO_FLUX_COLUMNS, GO_FLUX_ROWS))
    df = read_pangaea_tab(path)
    assert tuple(df.columns) == TRAP_COLUMNS
    assert list(df["pic_flux"]) == pytest.approx([1.5, 10 * 12.011 / 100.087, 0.5])
    assert df["poc_flux"].iloc[:2].tolist() == [30.5, 20.0] and np.isnan(df["poc_flux"][2])
    assert list(df["station"]) == ["LOC-1", "LOC-1", "LOC-2"]
    assert list(df["trap_id"]) == ["LOC-1 1000 m", "LOC-1 1000 m", "LOC-2 100 m"]
    assert df["water_depth_m"].iloc[0] == 4500.0 and np.isnan(df["water_depth_m"][2])
    assert df["start"][0] == pd.Timestamp("1990-05-01") and df["end"][1] == pd.Timestamp(
        "1990-05-29"
    )
    assert df["duration_d"][2] == pytest.approx(3.5)  # from the dates
    assert df["source"][0] == "GO_flux.tab ref 12 (sediment trap)"
    assert df["source"][2] == "GO_flux.tab ref 13 (thorium)"
    assert list(df["qc"]) == ["", "", ""]


def test_pangaea_without_description_and_with_elevation(tmp_path: Path) -> None:
    columns = [
        "Event",
        "Latitude",
        "Longitude",
        "Elevation [m]",
        "Depth water [m]",
        "Date/Time",
        "Date/time end",
        "PIC flux [mmol/m**2/day]",
    ]
    rows = [["ST1", "1", "2", "-3000", "500", "2000-01-01", "2000-01-11", "2"]]
    df = read_pangaea_tab(write(tmp_path, "x.tab", pangaea_text(columns, rows, False)), label="L")
    assert df["pic_flux"][0] == pytest.approx(2 * C)
    assert df["water_depth_m"][0] == 3000.0 and df["duration_d"][0] == 10.0
    assert df["station"][0] == "ST1" and df["source"][0] == "L"


def test_pangaea_station_falls_back_to_position(tmp_path: Path) -> None:
    columns = ["Latitude", "Longitude", "Depth water [m]", "CaCO3 flux [g/m**2/day]"]
    df = read_pangaea_tab(
        write(tmp_path, "x.tab", pangaea_text(columns, [["-5", "-30.5", "200", "1"]]))
    )
    assert df["station"][0] == "5.00S 30.50W"
    assert df["pic_flux"][0] == pytest.approx(1000 * CACO3_TO_PIC)
    assert flags_of(df["qc"])[0] == {"undated"}


@pytest.mark.parametrize(
    ("units", "substance", "factor"),
    [
        ("mg/m**2/day", "carbon", 1.0),
        ("µg/m**2/day", "carbon", 1e-3),
        ("μg/m**2/day", "carbon", 1e-3),
        ("g/m**2/day", "carbon", 1e3),
        ("mmol/m**2/day", "carbon", C),
        ("µmol/m**2/day", "carbon", C * 1e-3),
        ("mol/m**2/day", "carbon", C * 1e3),
        ("mg/m**2/day", "caco3", CACO3_TO_PIC),
        ("g/m2/day", "caco3", 1e3 * CACO3_TO_PIC),
        ("mmol/m**2/day", "caco3", C),
        ("mgC/m2/day", "caco3", 1.0),
        ("mg m-2 d-1", "carbon", 1.0),
        ("(mg m-2 day-1)", "caco3", CACO3_TO_PIC),
    ],
)
def test_flux_factor(units: str, substance: str, factor: float) -> None:
    assert flux_factor(units, substance, "t") == pytest.approx(factor)  # type: ignore[arg-type]


@pytest.mark.parametrize("units", ["mg/m**2/a", "mg/m**3", "", "ml/m**2/day"])
def test_unknown_flux_units_raise(units: str) -> None:
    with pytest.raises(UnitsError, match=r"(?s)per m² per day.*received: units.*fix: convert"):
        flux_factor(units, "carbon", "file.tab")


def test_pangaea_unknown_units_in_file(tmp_path: Path) -> None:
    columns = ["Latitude", "Longitude", "Depth water [m]", "PIC flux [mg/m**2/a]"]
    path = write(tmp_path, "x.tab", pangaea_text(columns, [["1", "2", "300", "5"]]))
    with pytest.raises(UnitsError, match=r"mg/m\*\*2/a"):
        read_pangaea_tab(path)


def test_pangaea_missing_flux_column(tmp_path: Path) -> None:
    columns = ["Latitude", "Longitude", "Depth water [m]", "POC flux [mg/m**2/day]"]
    path = write(tmp_path, "x.tab", pangaea_text(columns, [["1", "2", "300", "5"]]))
    with pytest.raises(InputError, match=r"(?s)PIC or CaCO3 flux column.*fix"):
        read_pangaea_tab(path)


def test_pangaea_missing_depth_and_unclosed_block(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "x.tab",
        pangaea_text(["Latitude", "Longitude", "PIC flux [mg/m**2/day]"], [["1", "2", "3"]]),
    )
    with pytest.raises(InputError, match="trap depth"):
        read_pangaea_tab(path)
    path = write(tmp_path, "y.tab", "/* DATA DESCRIPTION:\nCitation:\tx\nLatitude\n")
    with pytest.raises(InputError, match=r"'\*/'"):
        read_pangaea_tab(path)


def test_pangaea_garbage_number_is_refused(tmp_path: Path) -> None:
    columns = ["Latitude", "Longitude", "Depth water [m]", "PIC flux [mg/m**2/day]"]
    path = write(tmp_path, "x.tab", pangaea_text(columns, [["1", "2", "300", "<0.1"]]))
    with pytest.raises(InputError, match="<0.1"):
        read_pangaea_tab(path)


def test_reader_takes_fsspec_urls() -> None:
    url = "memory://traps/GO_flux.tab"
    with fsspec.open(url, "wt", encoding="utf-8") as f:
        f.write(pangaea_text(GO_FLUX_COLUMNS, GO_FLUX_ROWS))
    assert len(read_pangaea_tab(url)) == 3
    with pytest.raises(InputError, match="must exist"):
        read_pangaea_tab("memory://traps/absent.tab")


def test_numbers_missing_codes() -> None:
    out = numbers(
        pd.Series(["1.5", " NA", "nt", "", None, "-9", 3]), "t", codes=["NA", "NT"], sentinels=[-9]
    )
    assert out.iloc[0] == 1.5 and out.iloc[6] == 3.0
    assert out.iloc[1:6].isna().all()
    with pytest.raises(InputError, match="bad"):
        numbers(pd.Series(["1", "bad"]), "t")


# --------------------------------------------------------------------------- stations

ALOHA = """exp,trap,cup,start,start,start,start,end,end,end,end,time,depth,pc,pc,pn,pn,pic,psi
,,,month,day,year,hour,month,day,year,hour,,,mean,sd,mean,sd,,
#,#,#,,,,,,,,,(days),(m),mg/m2/d,mg/m2/d,mg/m2/d,mg/m2/d,mg/m2/d,mg/m2/d
,,,,,,,,,,,,,,,,,,
1,1,1,6,24,1992,-9,7,11,1992,-9,17,800,5.22,2,0.595,0.09,-9,-9
1,2,1,6,24,1992,6,7,11,1992,24,17.75,4000,3.1,0.2,0.3,0.01,0.75,-9
"""


def test_aloha(tmp_path: Path) -> None:
    df = read_station(write(tmp_path, "aloha.csv", ALOHA), station="aloha")
    assert len(df) == 2
    assert np.isnan(df["pic_flux"][0]) and df["pic_flux"][1] == 0.75
    assert list(df["poc_flux"]) == [5.22, 3.1]
    assert list(df["trap_depth_m"]) == [800.0, 4000.0]
    assert df["start"][1] == pd.Timestamp("1992-06-24 06:00")
    assert df["end"][1] == pd.Timestamp("1992-07-12 00:00")  # hour 24
    assert (df["lat"][0], df["lon"][0], df["water_depth_m"][0]) == (22.75, -158.0, 4750.0)
    assert list(df["trap_id"]) == ["ALOHA 800 m", "ALOHA 4000 m"]
    assert df["source"][0] == "ALOHA (HOT) aloha.csv"
    assert list(df["qc"]) == ["missing_pic", ""]


K2 = """Station K2,,,,,,,
,,,,,,,
,,,TMF,OCF,OPF,CAF,LMF
,,Sampling ,,,Biogenic,Ca based,
,open day,Interval,Total Mass Flux,Org-C Flux,Opal flux,CaCO3 flux,Lithogenic flux
,,(days),(mg m-2 day-1),(mg m-2 day-1),(mg m-2 day-1),(mg m-2 day-1),(mg m-2 day-1)
,,,,,,,
1,20-Mar-05,14,16.88,0.87,7.08,2.37,5.57
2,3-Apr-05,14,37.68,1.27,13.24,10.00,8.61
,,,,,,,
1,1-Oct-05,20 ,50,1.1,20,0,5
"""


def test_k2(tmp_path: Path) -> None:
    df = read_station(write(tmp_path, "k2.csv", K2), station="k2")
    assert len(df) == 3
    assert list(df["pic_flux"]) == pytest.approx([2.37 * CACO3_TO_PIC, 10 * CACO3_TO_PIC, 0.0])
    assert list(df["poc_flux"]) == [0.87, 1.27, 1.1]
    assert df["start"][2] == pd.Timestamp("2005-10-01") and df["end"][2] == pd.Timestamp(
        "2005-10-21"
    )
    assert set(df["trap_depth_m"]) == {4810.0} and df["lat"][0] == 47.0
    assert list(df["qc"]) == ["", "", "nonpositive_pic"]


M_HEADER = (
    "Depth..MAB.,Station,Date_open,Date_closed,Collect_date,Duration.open,"
    "Org C flux (mg/m2/day),Total C flux (mg/m^2/day),PIC flux (mg C m^2/d)"
)
M = (
    M_HEADER
    + """
600,118,6/23/1989,7/3/1989,6/23/1989,10,14.0,26.9,12.5
600,118,6/23/1989,7/3/1989,6/24/1989,10,14.0,26.9,12.5
600,118,6/23/1989,7/3/1989,6/25/1989,10,14.0,26.9,12.5
NA,NA,NA,NA,8/22/1989,NA,NA,NA,#VALUE!
650,119,7/3/1989,7/13/1989,7/3/1989,10,NA,3.0,NA
"""
)


def test_station_m_collapses_daily_rows(tmp_path: Path) -> None:
    df = read_station(write(tmp_path, "m.csv", M), station="m")
    assert len(df) == 2
    assert list(df["trap_depth_m"]) == [3400.0, 3350.0]
    assert df["pic_flux"][0] == 12.5 and np.isnan(df["pic_flux"][1]) and np.isnan(df["poc_flux"][1])
    assert df["start"][0] == pd.Timestamp("1989-06-23") and df["duration_d"][0] == 10.0
    assert list(df["trap_id"]) == ["Station M 3400 m", "Station M 3350 m"]


def test_station_overrides(tmp_path: Path) -> None:
    path = write(tmp_path, "m.csv", M)
    df = read_station(path, station="m", water_depth_m=4100.0, lat=35.0, name="M2")
    assert df["trap_depth_m"][0] == 3500.0 and df["lat"][0] == 35.0 and df["station"][0] == "M2"


OFP = """OFP 3200m Flux Data,,,,,,,,,,,,,
Database current as of 6Nov2020,,,,,,,,,,,,,
,Seq.Day,,,SAMPLE START DATE,,,,,,,,,
,(Start,Mid-seq.,,,,Julian,mid,mid ,Days,Mass flux,CaCO3flux,Corg flux,N flux
Sample ID,Day),Day,Year,Mo.,Day,Day,JDAY,JDAY180,open,mg/m2/d,mg/m2/d,mg/m2/d,mg/m2/d
%  6/78,0,31,1978,4,6,96,127,309,62,35.07,19.21,1.78,0.21
%9/79???,,,,,,,,,,,,,
% 4/05-1,9739,9747,2004,12,20,355,1,185,15,,,,
% 4/05-2,9754,9761,2005,1,4,4,11,190,14,30.0,12.5,1.5,0.2
,,,,,,,,,,,,,
"""


def test_ofp(tmp_path: Path) -> None:
    df = read_station(write(tmp_path, "ofp.csv", OFP), station="ofp")
    assert len(df) == 3
    assert df["pic_flux"][0] == pytest.approx(19.21 * CACO3_TO_PIC)
    assert np.isnan(df["pic_flux"][1]) and df["pic_flux"][2] == pytest.approx(12.5 * CACO3_TO_PIC)
    assert df["poc_flux"][2] == 1.5
    assert df["start"][0] == pd.Timestamp("1978-04-06") and df["end"][0] == pd.Timestamp(
        "1978-06-07"
    )
    assert set(df["trap_depth_m"]) == {3200.0}
    assert list(df["qc"]) == ["", "missing_pic", ""]


def cariaco_sheet() -> pd.DataFrame:
    width = 14
    legend = [[""] * width for _ in range(8)]
    legend[1][1], legend[2][1] = "Z =  Z trap (152 meters)", "A = A trap (225 meters)"
    legend[1][3], legend[2][3] = "NT = no trap", "CC = clogged cup"
    legend[3][12], legend[3][13] = "caco3:", "CaCO3 Flux (g/m2/day)"
    legend[4][12], legend[4][13] = "orgc:", "Organic Carbon Flux (g/m2/day)"
    header = [
        "Date Cup Opens",
        "Trap_Cruise",
        "duration",
        "beginjulian",
        "Mid-Julian",
        "Cup #",
        "Date Cup Opens",
        "A-tmf",
        "A-orgc",
        "A-caco3",
        "Z-tmf",
        "Z-orgc",
        "Z-caco3",
        "",
    ]
    rows = [
        [
            pd.Timestamp("1995-11-08"),
            "dep-01",
            14,
            312,
            319,
            1,
            pd.Timestamp("1995-11-08"),
            0.47,
            0.04,
            0.05,
            "NT",
            "NT",
            "NT",
            "",
        ],
        [
            pd.Timestamp("1995-11-22"),
            "dep-01",
            14,
            326,
            333,
            2,
            pd.Timestamp("1995-11-22"),
            0.3,
            0.03,
            "CC",
            0.2,
            0.02,
            0.01,
            "",
        ],
        [None, "", None, None, None, None, None, "", "", "", "", "", "", ""],
        [
            pd.Timestamp("1995-12-06"),
            "dep-01",
            10,
            340,
            345,
            3,
            pd.Timestamp("1995-12-06"),
            0.3,
            "NA",
            0.02,
            "",
            "",
            "",
            "",
        ],
    ]
    return pd.DataFrame([*legend, header, *rows])


def test_cariaco(tmp_path: Path) -> None:
    path = tmp_path / "cariaco.xlsx"
    cariaco_sheet().to_excel(path, sheet_name="UpdatedFluxData", header=False, index=False)
    df = read_station(path, station="cariaco", trap_depths_m={"A": 225.0, "Z": 152.0})
    assert list(df["trap_id"]) == ["CARIACO 225 m"] * 3 + ["CARIACO 152 m"]
    factor = 1e3 * CACO3_TO_PIC
    assert df["pic_flux"][0] == pytest.approx(0.05 * factor)
    assert np.isnan(df["pic_flux"][1])  # CC: clogged cup
    assert df["pic_flux"][3] == pytest.approx(0.01 * factor)
    assert df["poc_flux"][0] == pytest.approx(40.0) and np.isnan(df["poc_flux"][2])
    assert df["end"][2] == pd.Timestamp("1995-12-16")
    assert (df["lat"][0], df["water_depth_m"][0]) == (10.5, 1400.0)


def test_cariaco_depth_key_must_match(tmp_path: Path) -> None:
    path = tmp_path / "cariaco.xlsx"
    cariaco_sheet().to_excel(path, sheet_name="UpdatedFluxData", header=False, index=False)
    with pytest.raises(InputError, match="trap A depth"):
        read_station(path, station="cariaco", trap_depths_m={"A": 300.0})
    with pytest.raises(InputError, match="sheet named"):
        read_station(path, station="cariaco", sheet="Other")


def test_pap(tmp_path: Path) -> None:
    names = [
        "Original",
        "Sample code",
        "Open Date",
        "Year",
        "Interval",
        "EVF",
        "DW",
        "C ORG",
        "PIC",
        "Open Date",
        "Interval",
    ]
    units = [
        "Row no.",
        "3000M",
        "at 1200h",
        "calc",
        "days",
        "ml/m2/day",
        "mg/m2/day",
        "mgC/m2/day",
        "mgC/m2/day",
        "US style",
        "days",
    ]
    rows = [
        [1, "I/D/1", pd.Timestamp("1989-04-18"), 1989, 5, None, 38.5, 1.7, 2.5, None, 99],
        [2, "I/D/2", pd.Timestamp("1989-04-23"), 1989, 7, None, 48.6, 3.3, None, None, 99],
    ]
    path = tmp_path / "pap.xlsx"
    pd.DataFrame([names, units, *rows]).to_excel(
        path, sheet_name="3000m trap", header=False, index=False
    )
    df = read_station(path, station="pap")
    assert df["start"][0] == pd.Timestamp("1989-04-18 12:00") and df["end"][0] == pd.Timestamp(
        "1989-04-23 12:00"
    )
    assert df["pic_flux"][0] == 2.5 and np.isnan(df["pic_flux"][1]) and df["poc_flux"][1] == 3.3
    assert set(df["trap_depth_m"]) == {3000.0} and df["duration_d"][1] == 7.0


@pytest.mark.parametrize(
    ("station", "text"), [("aloha", K2), ("k2", ALOHA), ("ofp", K2), ("m", K2)]
)
def test_wrong_layout_is_refused(tmp_path: Path, station: str, text: str) -> None:
    with pytest.raises(InputError, match="fix"):
        read_station(write(tmp_path, "x.csv", text), station=station)


def test_unknown_station(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="station must be one of"):
        read_station(write(tmp_path, "x.csv", K2), station="bats")


# --------------------------------------------------------------------------- opal

OPAL = (
    "lon,lat,depth_m,F_IC,F_OC,F_Si,Si80_umolkg\n"
    "179.0,58.0,3137,2.37,7.32,51.86,51.1\n"
    "-20.5,-3.25,500,0,1.5,2,\n"
)


def test_opal_csv(tmp_path: Path) -> None:
    df = read_opal_compilation(write(tmp_path, "opal_traps.csv", OPAL))
    assert list(df["pic_flux"]) == [2.37, 0.0] and list(df["poc_flux"]) == [7.32, 1.5]
    assert df["start"].isna().all() and df["water_depth_m"].isna().all()
    assert list(flags_of(df["qc"])) == [{"undated"}, {"undated", "nonpositive_pic"}]
    assert list(df["trap_id"]) == ["58.00N 179.00E 3137 m", "3.25S 20.50W 500 m"]


def test_opal_mat_matches_csv(tmp_path: Path) -> None:
    csv = read_opal_compilation(write(tmp_path, "opal_traps.csv", OPAL))
    mat_path = tmp_path / "opal.mat"
    scipy.io.savemat(
        mat_path,
        {
            "X": [[179.0], [-20.5]],
            "Y": [[58.0], [-3.25]],
            "Z": [[3137], [500]],
            "I": [[2.37], [0.0]],
            "O": [[7.32], [1.5]],
        },
    )
    mat = read_opal_compilation(mat_path)
    pd.testing.assert_frame_equal(mat.drop(columns="source"), csv.drop(columns="source"))


def test_opal_missing_column(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="F_IC"):
        read_opal_compilation(write(tmp_path, "o.csv", "lon,lat,depth_m\n1,2,3\n"))


# --------------------------------------------------------------------------- catalog


def test_traps_catalog_entries_and_station_facts() -> None:
    catalog = load_catalog(REPO / "catalogs" / "traps.yaml")
    entries = {n: s for n, s in catalog.sources.items() if s.driver in TRAP_DRIVERS}
    assert {s.driver for s in entries.values()} == set(TRAP_DRIVERS)
    assert (
        entries["mouw2016_go_flux"]
        .args["urlpath"]
        .startswith("https://doi.pangaea.de/10.1594/PANGAEA.855594")
    )
    stations = {s.args["station"]: s for s in entries.values() if "station" in s.args}
    assert set(stations) == set(STATIONS)
    for key, spec in stations.items():
        facts, meta = STATIONS[key], spec.metadata
        pinned = re.fullmatch(r"\{\{ ancillary\((\w+)\) \}\}", spec.args["urlpath"])
        assert pinned is not None, spec.args["urlpath"]
        assert pinned_entry(pinned[1]).urlpath.startswith(
            "https://raw.githubusercontent.com/bbcael/"
        )
        assert (meta["station"], meta["lat"], meta["lon"]) == (facts.name, facts.lat, facts.lon)
        assert meta["water_depth_m"] == facts.water_depth_m
        assert dict(meta["trap_depths_m"]) == dict(facts.trap_depths_m)


def test_run_reads_and_stacks_trap_entries(tmp_path: Path) -> None:
    write(tmp_path, "k2.csv", K2)
    write(tmp_path, "opal.csv", OPAL)
    entries = {
        "k2": {
            "driver": "picpump.traps.station",
            "args": {"urlpath": "{{ CATALOG_DIR }}/k2.csv", "station": "k2"},
        },
        "opal": {
            "driver": "picpump.traps.opal",
            "args": {"urlpath": "{{ CATALOG_DIR }}/opal.csv"},
        },
        "not_traps": {"driver": "picpump.netcdf", "args": {"urlpath": "x.nc", "variable": "x"}},
    }
    path = write(tmp_path, "cat.yaml", yaml.safe_dump({"sources": entries}))
    catalog = load_catalog(path)
    df = read_traps(
        RunSources.from_catalog(catalog, ("k2", "opal")), TrapSettings(sources=("k2", "opal"))
    )
    assert len(df) == 5 and set(df["station"].iloc[:3]) == {"K2"}
    assert (
        len(
            read_traps(RunSources.from_catalog(catalog, ("opal",)), TrapSettings(sources=("opal",)))
        )
        == 2
    )
    with pytest.raises(CatalogError, match="trap driver"):
        read_traps(
            RunSources.from_catalog(catalog, ("not_traps",)), TrapSettings(sources=("not_traps",))
        )
    with pytest.raises(CatalogError, match="must be one of"):
        read_traps(RunSources.from_catalog(catalog, ("nope",)), TrapSettings(sources=("nope",)))


def test_read_trap_entry_errors(tmp_path: Path) -> None:
    with pytest.raises(CatalogError, match="driver must be one of"):
        read_trap_entry("picpump.netcdf", {"urlpath": "x"})
    with pytest.raises(CatalogError, match="urlpath"):
        read_trap_entry("picpump.traps.opal", {})
    path = write(tmp_path, "opal.csv", OPAL)
    with pytest.raises(CatalogError, match="arguments of its reader"):
        read_trap_entry("picpump.traps.opal", {"urlpath": str(path), "colour": "red"})


# --------------------------------------------------------------------------- demo files


def smooth_climatology() -> tuple[np.ndarray, np.ndarray]:
    lat = np.arange(-89.5, 90.0)[None, :, None]
    lon = np.arange(-179.5, 180.0)[None, None, :]
    month = np.arange(12)[:, None, None]
    production = (
        2.0
        + 30.0 * np.exp(-(((lat - 40.0 * np.cos(2 * np.pi * month / 12)) / 25.0) ** 2))
        + 5.0 * (1 + np.cos(np.radians(lon)))
    )
    production = np.where(np.abs(lat) > 70, np.nan, production + 0 * lon)
    return production, 40.0 * production**0.7


def test_demo_traps_are_deterministic_and_realistic(tmp_path: Path) -> None:
    from picpump.demo.traps import (
        PANGAEA_FILE,
        STATION_FILE,
        demo_traps_catalog_entries,
        write_demo_traps,
    )
    from picpump.science.layers import table1
    from picpump.science.trap_filter import paper_filter

    production, npp = smooth_climatology()
    files = write_demo_traps(tmp_path / "a", 5, production, npp)
    assert files == [PANGAEA_FILE, STATION_FILE]
    write_demo_traps(tmp_path / "b", 5, production, npp)
    write_demo_traps(tmp_path / "c", 6, production, npp)
    for name in files:
        text = (tmp_path / "a" / name).read_bytes()
        assert text == (tmp_path / "b" / name).read_bytes()
        assert text != (tmp_path / "c" / name).read_bytes()
    assert b"synthetic demo data" in (tmp_path / "a" / PANGAEA_FILE).read_bytes()

    entries = demo_traps_catalog_entries(str(tmp_path / "a"))
    tab = read_trap_entry(entries["traps_go_flux"]["driver"], entries["traps_go_flux"]["args"])
    station = read_trap_entry(entries["traps_station"]["driver"], entries["traps_station"]["args"])
    assert 55 <= tab["station"].nunique() <= 60
    assert (tab["qc"] == "").all() and (station["station"] == "DEMO-ALOHA").all()
    assert station["pic_flux"].isna().sum() > 0  # −9 codes
    filtered = paper_filter(tab)
    flags = set().union(*flags_of(filtered["qc"]))
    assert {"long_deployment", "shallow_water", "unknown_water_depth"} <= flags
    layers = table1(filtered)
    assert (layers["observations"] > 0).all()
    assert tab["start"].min() >= pd.Timestamp("1998-01-01") and tab["end"].max() <= pd.Timestamp(
        "2020-12-31"
    )

    # flux = a · P^b · (z/100)^(−k) · noise: regress log flux on log production and log depth
    mid = tab["start"] + (tab["end"] - tab["start"]) / 2
    i = np.floor(tab["lat"] + 90).astype(int)
    j = np.floor(tab["lon"] + 180).astype(int)
    p = production[mid.dt.month - 1, i, j]
    x = np.column_stack(
        [np.ones(len(tab)), np.log(p), np.log(np.maximum(tab["trap_depth_m"], 50) / 100)]
    )
    coef, *_ = np.linalg.lstsq(x, np.log(tab["pic_flux"]), rcond=None)
    assert coef[1] == pytest.approx(0.8, abs=0.1)
    assert -0.9 < coef[2] < -0.5


def test_demo_traps_need_monthly_fields(tmp_path: Path) -> None:
    from picpump.demo.traps import write_demo_traps

    with pytest.raises(InputError, match=r"\(12, 180, 360\)"):
        write_demo_traps(tmp_path, 0, np.ones((180, 360)), np.ones((12, 180, 360)))
