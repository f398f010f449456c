"""The project's catalogs reach the real ancillary files by name, through a seeded cache.

A tmp cache is seeded with every pinned real file of the shared data folder; the catalogs
(``{{ ancillary(NAME) }}``) then read them with no network: fsspec refuses every remote
protocol and sockets refuse to connect.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import fsspec
import pandas as pd
import pytest
from fsspec.core import split_protocol

from picpump.io.ancillary.regions import read_reccap2
from picpump.io.catalog.model import load_catalog
from picpump.io.store.cache import cached_path, fetch, pinned_entry, seed_cache
from picpump.io.traps import STATIONS, read_opal_compilation, read_station
from picpump.pipeline.analysis_spec import TrapSettings
from picpump.pipeline.sources import RunSources, read_traps
from tests.conftest import REPO
from tests.io.store.test_cache import PINNED

TRAPS = REPO / "catalogs" / "traps.yaml"

ENTRIES = {  # trap entry: (station key or None, ancillary entry, rows, with PIC, PIC > 0)
    "aloha": ("aloha", "cael2021_aloha", 890, 609, 608),
    "cariaco": ("cariaco", "cael2021_cariaco", 1768, 1752, 1738),
    "k2": ("k2", "cael2021_k2", 240, 240, 240),
    "station_m": ("m", "cael2021_station_m", 557, 557, 557),
    "ofp": ("ofp", "cael2021_ofp", 737, 732, 732),
    "pap": ("pap", "cael2021_pap", 447, 167, 166),
    "cael_opal_global": (None, "cael_opal_global", 7159, 7159, 7102),
}
"""Counts of the real files (rows, rows with PIC flux, rows with PIC flux > 0)."""

LOCAL = {None, "file", "local"}


@pytest.fixture(scope="module")
def offline_cache(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A tmp cache seeded with every pinned real file; no network while it is in use."""
    cache = tmp_path_factory.mktemp("cache")
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("PICPUMP_ANCILLARY_CATALOG", raising=False)
        mp.setenv("PICPUMP_CACHE", str(cache))
        for name, relative in PINNED.items():
            seed_cache(name, shared_data / relative)
        real_open = fsspec.open

        def local_open(urlpath: Any, *args: Any, **kwargs: Any) -> Any:
            if split_protocol(str(urlpath))[0] not in LOCAL:
                raise AssertionError(f"a download was attempted: {urlpath}")
            return real_open(urlpath, *args, **kwargs)

        def no_connect(*args: Any, **kwargs: Any) -> None:
            raise AssertionError("a network connection was attempted")

        mp.setattr(fsspec, "open", local_open)
        mp.setattr(socket.socket, "connect", no_connect)
        yield cache


@pytest.fixture(scope="module")
def traps(offline_cache: Path) -> pd.DataFrame:
    """The trap entries read as a run reads them (rows flagged, none dropped)."""
    return read_traps(
        RunSources.from_catalog(load_catalog(TRAPS), ENTRIES), TrapSettings(sources=tuple(ENTRIES))
    )


def test_trap_entries_name_the_seeded_pinned_files(offline_cache: Path) -> None:
    catalog = load_catalog(TRAPS)
    for name, (_, anc, *_) in ENTRIES.items():
        assert catalog.source(name).args["urlpath"] == f"{{{{ ancillary({anc}) }}}}"
        entry = pinned_entry(anc)
        assert entry.urlpath.startswith("https://raw.githubusercontent.com/")
        path = cached_path(entry)
        assert path.is_relative_to(offline_cache / "ancillary") and path.is_file()
        assert path.name == PINNED[anc].rsplit("/", 1)[-1]
    pangaea = catalog.source("mouw2016_go_flux").args["urlpath"]
    assert pangaea.startswith("https://doi.pangaea.de/")


@pytest.mark.parametrize("name", sorted(ENTRIES))
def test_each_entry_has_the_real_counts(traps: pd.DataFrame, name: str) -> None:
    key, _, rows, with_pic, positive = ENTRIES[name]
    named = {STATIONS[k].name for k, *_ in ENTRIES.values() if k}
    # a station's rows, or for the compilation every row not of the six stations
    df = (
        traps[traps["station"] == STATIONS[key].name]
        if key
        else traps[~traps["station"].isin(named)]
    )
    assert len(df) == rows
    assert df["pic_flux"].notna().sum() == with_pic
    assert (df["pic_flux"] > 0).sum() == positive
    if key:
        facts = STATIONS[key]
        assert (df["lat"] == facts.lat).all() and (df["lon"] == facts.lon).all()
        assert df.loc[df["pic_flux"] > 0, "trap_depth_m"].gt(0).all()
    else:
        assert df.groupby(["lon", "lat"]).ngroups == 215


def test_catalog_read_equals_direct_read(shared_data: Path, traps: pd.DataFrame) -> None:
    folder = shared_data / "sediment_traps"
    direct = [
        read_station(folder / "cael2021_timeseries" / PINNED[anc].rsplit("/", 1)[-1], station=key)
        for key, anc, *_ in ENTRIES.values()
        if key
    ]
    direct.append(read_opal_compilation(folder / "cael_opal_global" / "opal.mat"))
    expected = pd.concat(direct, ignore_index=True)
    columns = ["station", "trap_id", "lat", "lon", "trap_depth_m", "start", "pic_flux"]
    pd.testing.assert_frame_equal(traps[columns], expected[columns])
    assert len(traps) == sum(rows for *_, rows, _, _ in ENTRIES.values())


def test_masks_by_name(offline_cache: Path) -> None:
    masks = read_reccap2(str(fetch("reccap2_masks")))
    assert masks.sizes["lat"] == 180 and masks.sizes["lon"] == 360


def test_the_real_run_catalog_gives_table1_and_regions(offline_cache: Path) -> None:
    """catalogs/toullec2026-real.yaml + pipelines/toullec2026-real.yaml: traps → Table 1."""
    from picpump.io.api import open_static
    from picpump.pipeline.sources import read_regions
    from picpump.pipeline.spec import load_spec
    from picpump.science.layers import table1
    from picpump.science.region_lookup import region_of
    from picpump.science.regions import region_names

    spec = load_spec(str(REPO / "pipelines" / "toullec2026-real.yaml"))
    catalog = load_catalog(REPO / "catalogs" / "toullec2026-real.yaml")
    assert spec.analysis.traps is not None
    elevation = open_static(catalog, spec.inputs["bathymetry"])
    assert float(elevation.sel(lat=11.25, lon=142.25)) == -9178.0  # Mariana Trench cell
    assert float(elevation.sel(lat=28.25, lon=87.25)) > 5000.0  # Himalaya
    sources = RunSources.from_catalog(catalog, spec.analysis_entries, elevation)
    traps = read_traps(sources, spec.analysis.traps)
    assert len(traps) == sum(entry[2] for entry in ENTRIES.values())
    by_layer = table1(traps).set_index("layer")
    # dated, ≤ 31 d, open ocean, PIC > 0: the six station series (the compilation is undated)
    assert by_layer["traps"].sum() >= 10 and by_layer.loc[">4000", "observations"] > 100
    assert by_layer.loc["0-100", "observations"] == 0  # no station trap shallower than 100 m
    regions = read_regions(sources, "regions")
    good = traps[traps["qc"] == ""]
    names = pd.Series(region_of(good["lat"], good["lon"], regions)).map(region_names(regions))
    assert {"NSTP", "NP", "NA", "NSTA"} <= set(names)  # ALOHA, K2, PAP, OFP/Bermuda
