"""The ancillary download cache: offline hits, verified downloads, seeding, every refusal."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import fsspec
import pytest
import yaml

from picpump.errors import CatalogError, InputError
from picpump.io.catalog.templates import ancillary_url, render, render_tree
from picpump.io.store import ancillary_catalog
from picpump.io.store import cache as ancillary
from picpump.io.store.cache import (
    cache_root,
    cached_path,
    default_catalog,
    fetch,
    load_ancillary_catalog,
    seed_cache,
)
from picpump.resources import ROOT as RESOURCES

CONTENT = b"tiny ancillary file\n" * 50
SHA = hashlib.sha256(CONTENT).hexdigest()


def _entry(url: str | None, sha: str = SHA, size: int = len(CONTENT), **meta: Any) -> dict:
    args: dict[str, Any] = {"filename": "tiny.nc"}
    if url is not None:
        args.update(urlpath=url, sha256=sha, size=size)
    return {"driver": "picpump.ancillary", "description": "a tiny file", "args": args,
            "metadata": meta}  # fmt: skip


def _catalog(tmp_path: Path, **entries: dict) -> Path:
    path = tmp_path / "ancillary.yaml"
    path.write_text(yaml.safe_dump({"metadata": {"title": "t"}, "sources": entries}))
    return path


@pytest.fixture
def source(tmp_path: Path) -> Path:
    path = tmp_path / "remote" / "tiny.nc"
    path.parent.mkdir()
    path.write_bytes(CONTENT)
    return path


def _files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob("*") if p.is_file())


def test_fetch_downloads_verifies_then_serves_offline(tmp_path: Path, source: Path) -> None:
    catalog = _catalog(tmp_path, tiny=_entry(source.as_uri()))
    cache = tmp_path / "cache"
    path = fetch("tiny", catalog, cache)
    assert path == cache / "ancillary" / SHA[:16] / "tiny.nc"
    assert path.read_bytes() == CONTENT and _files(cache) == ["tiny.nc"]
    source.unlink()  # the "network" is gone: the verified copy is used
    assert fetch("tiny", catalog, cache) == path


def test_fetch_from_memory_filesystem(tmp_path: Path) -> None:
    with fsspec.open("memory://picpump-test/tiny.nc", "wb") as f:
        f.write(CONTENT)
    catalog = _catalog(tmp_path, tiny=_entry("memory://picpump-test/tiny.nc"))
    assert fetch("tiny", catalog, tmp_path / "cache").read_bytes() == CONTENT
    fsspec.filesystem("memory").rm("/picpump-test", recursive=True)


def test_checksum_mismatch_leaves_nothing(tmp_path: Path, source: Path) -> None:
    catalog = _catalog(tmp_path, tiny=_entry(source.as_uri(), sha="0" * 64))
    cache = tmp_path / "cache"
    with pytest.raises(InputError, match="must have the SHA-256 and size pinned") as info:
        fetch("tiny", catalog, cache)
    assert SHA in str(info.value) and "fix:" in str(info.value)
    assert _files(cache) == []


def test_size_mismatch_is_refused(tmp_path: Path, source: Path) -> None:
    catalog = _catalog(tmp_path, tiny=_entry(source.as_uri(), size=len(CONTENT) + 1))
    with pytest.raises(InputError, match=f"{len(CONTENT)} B"):
        fetch("tiny", catalog, tmp_path / "cache")


@pytest.mark.parametrize(
    "url", ["file:///nonexistent/picpump/tiny.nc", "memory://picpump-absent/tiny.nc"]
)
def test_unreachable_url(tmp_path: Path, url: str) -> None:
    catalog = _catalog(tmp_path, tiny=_entry(url))
    with pytest.raises(InputError, match="must be downloadable") as info:
        fetch("tiny", catalog, tmp_path / "cache")
    assert "seed_cache('tiny', path)" in str(info.value)
    assert not (tmp_path / "cache").exists() or _files(tmp_path / "cache") == []


def test_interrupted_download_leaves_no_file(tmp_path: Path, source: Path, monkeypatch) -> None:
    def broken(stream, sink=None):  # type: ignore[no-untyped-def]
        sink.write(stream.read(100))
        raise ConnectionResetError("connection lost")

    monkeypatch.setattr(ancillary, "file_sha256", broken)
    catalog = _catalog(tmp_path, tiny=_entry(source.as_uri()))
    with pytest.raises(InputError, match="ConnectionResetError"):
        fetch("tiny", catalog, tmp_path / "cache")
    assert _files(tmp_path / "cache") == []


def test_corrupt_cached_file_is_replaced(tmp_path: Path, source: Path) -> None:
    catalog = _catalog(tmp_path, tiny=_entry(source.as_uri()))
    cache = tmp_path / "cache"
    target = cached_path(load_ancillary_catalog(catalog)["tiny"], cache)
    target.parent.mkdir(parents=True)
    target.write_bytes(CONTENT[:-1] + b"X")
    assert fetch("tiny", catalog, cache).read_bytes() == CONTENT


def test_seed_cache_then_fetch_offline(tmp_path: Path, source: Path) -> None:
    catalog = _catalog(tmp_path, tiny=_entry("file:///nonexistent/tiny.nc"))
    cache = tmp_path / "cache"
    seeded = seed_cache("tiny", source, catalog, cache)
    assert seeded.read_bytes() == CONTENT
    assert fetch("tiny", catalog, cache) == seeded
    assert seed_cache("tiny", seeded, catalog, cache) == seeded  # re-seeding from the cache


def test_seed_cache_refuses_wrong_or_missing_file(tmp_path: Path, source: Path) -> None:
    catalog = _catalog(tmp_path, tiny=_entry(source.as_uri()))
    other = tmp_path / "other.nc"
    other.write_bytes(b"something else")
    with pytest.raises(InputError, match="must have the SHA-256"):
        seed_cache("tiny", other, catalog, tmp_path / "cache")
    with pytest.raises(InputError, match="needs an existing file"):
        seed_cache("tiny", tmp_path / "absent.nc", catalog, tmp_path / "cache")
    assert _files(tmp_path / "cache") == []


def test_cache_folder_rules(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("PICPUMP_CACHE", str(tmp_path / "env"))
    assert cache_root() == tmp_path / "env"
    assert cache_root(tmp_path / "arg") == tmp_path / "arg"
    monkeypatch.delenv("PICPUMP_CACHE")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache_root() == tmp_path / "home" / ".cache" / "picpump"


def test_fetch_uses_the_environment_cache(tmp_path: Path, source: Path, monkeypatch) -> None:
    monkeypatch.setenv("PICPUMP_CACHE", str(tmp_path / "env"))
    path = fetch("tiny", _catalog(tmp_path, tiny=_entry(source.as_uri())))
    assert path.is_relative_to(tmp_path / "env")


def test_unknown_and_unpinned_entries(tmp_path: Path) -> None:
    catalog = _catalog(tmp_path, later=_entry(None, pinned=False, landing_page="doi:10/x"))
    with pytest.raises(CatalogError, match=r"must be one of \['later'\]"):
        fetch("tiny", catalog, tmp_path)
    with pytest.raises(CatalogError, match="not yet pinned") as info:
        fetch("later", catalog, tmp_path)
    assert "doi:10/x" in str(info.value)
    with pytest.raises(CatalogError, match="not yet pinned"):
        seed_cache("later", tmp_path / "x", catalog, tmp_path)


@pytest.mark.parametrize(
    ("entry", "match"),
    [
        ({**_entry("file:///x"), "driver": "picpump.netcdf"}, "driver 'picpump.ancillary'"),
        (_entry("file:///x", sha="ABC"), "64 lowercase hex"),
        (_entry("file:///x", size=0), "args.size > 0"),
        (_entry(None), "a pinned entry needs"),
        ({**_entry("file:///x"), "args": {"filename": "../up.nc"}}, "plain file name"),
    ],
)
def test_bad_catalog_entries(tmp_path: Path, entry: dict, match: str) -> None:
    with pytest.raises(CatalogError, match=match):
        load_ancillary_catalog(_catalog(tmp_path, bad=entry))


def test_bad_catalog_files(tmp_path: Path) -> None:
    with pytest.raises(CatalogError, match="must exist"):
        load_ancillary_catalog(tmp_path / "absent.yaml")
    (tmp_path / "bad.yaml").write_text("sources: [unclosed")
    with pytest.raises(CatalogError, match="valid YAML"):
        load_ancillary_catalog(tmp_path / "bad.yaml")
    (tmp_path / "empty.yaml").write_text("metadata: {}\n")
    with pytest.raises(CatalogError, match="'sources:' mapping"):
        load_ancillary_catalog(tmp_path / "empty.yaml")


# --- the {{ ancillary(NAME) }} template field and the default catalog ------------------------


@pytest.fixture
def seeded(tmp_path: Path, source: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A tmp ancillary catalog (via the env override) and cache (via PICPUMP_CACHE), seeded."""
    catalog = _catalog(tmp_path, tiny=_entry("file:///nonexistent/picpump/tiny.nc"))
    monkeypatch.setenv("PICPUMP_ANCILLARY_CATALOG", str(catalog))
    monkeypatch.setenv("PICPUMP_CACHE", str(tmp_path / "cache"))
    return seed_cache("tiny", source)


@pytest.mark.parametrize(
    "template",
    ["{{ ancillary(tiny) }}", "{{ancillary('tiny')}}", '{{  ancillary( "tiny" )  }}'],
)
def test_template_renders_the_cached_copy(seeded: Path, template: str, tmp_path: Path) -> None:
    assert render(template, {}, "test") == str(seeded)
    assert seeded == tmp_path / "cache" / "ancillary" / SHA[:16] / "tiny.nc"
    assert seeded.read_bytes() == CONTENT


def test_template_inside_a_tree_and_beside_other_fields(seeded: Path) -> None:
    tree = {"args": {"urlpath": "{{ ancillary(tiny) }}", "other": ["{{ CATALOG_DIR }}/x"]}}
    rendered = render_tree(tree, {"CATALOG_DIR": "/cat"}, "test")
    assert rendered == {"args": {"urlpath": str(seeded), "other": ["/cat/x"]}}
    assert Path(rendered["args"]["urlpath"]).read_bytes() == CONTENT


def test_template_plan_time_url_needs_no_cache(seeded: Path) -> None:
    url = "file:///nonexistent/picpump/tiny.nc"
    assert render("{{ ancillary(tiny) }}", {}, "test", ancillary_url) == url


def test_template_unknown_unpinned_and_undownloadable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    catalog = _catalog(
        tmp_path,
        later=_entry(None, pinned=False),
        gone=_entry("file:///nonexistent/picpump/tiny.nc"),
    )
    monkeypatch.setenv("PICPUMP_ANCILLARY_CATALOG", str(catalog))
    monkeypatch.setenv("PICPUMP_CACHE", str(tmp_path / "cache"))
    with pytest.raises(CatalogError, match=r"must be one of \['gone', 'later'\]"):
        render("{{ ancillary(nope) }}", {}, "test")
    with pytest.raises(CatalogError, match="not yet pinned"):
        render("{{ ancillary(later) }}", {}, "test")
    planned = render("{{ ancillary(gone) }}", {}, "test")  # rendering downloads nothing
    assert planned.endswith("tiny.nc") and not Path(planned).exists()
    with pytest.raises(InputError, match="must be downloadable") as info:
        fetch("gone")
    assert "seed_cache('gone', path)" in str(info.value)


def test_rendering_is_pure_and_opening_fetches(
    tmp_path: Path, source: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A template names the cache path; the download happens when the entry is opened."""
    from picpump.io.api import open_entry, resolve
    from picpump.io.catalog.model import load_catalog

    catalog = _catalog(tmp_path, tiny=_entry(source.as_uri()))
    monkeypatch.setenv("PICPUMP_ANCILLARY_CATALOG", str(catalog))
    monkeypatch.setenv("PICPUMP_CACHE", str(tmp_path / "cache"))
    runs = tmp_path / "runs.yaml"
    entry = {"driver": "picpump.table", "args": {"urlpath": "{{ ancillary(tiny) }}"}}
    runs.write_text(yaml.safe_dump({"sources": {"t": entry}}))
    resolved = resolve(load_catalog(str(runs)), "t")
    assert resolved.ancillary == ("tiny",)
    assert resolved.url is not None and not Path(resolved.url).exists()
    with pytest.raises(InputError):  # fetched and verified, then read as a table: not one
        open_entry(resolved)
    assert Path(resolved.url).read_bytes() == CONTENT


def test_unknown_field_lists_the_ancillary_function() -> None:
    with pytest.raises(CatalogError, match=r"ancillary\(NAME\)"):
        render("{{ nope }}", {}, "test")


def test_default_catalog_rules(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PICPUMP_ANCILLARY_CATALOG", raising=False)
    assert default_catalog() == str(RESOURCES / "catalogs" / "ancillary.yaml")
    monkeypatch.setenv("PICPUMP_ANCILLARY_CATALOG", "memory://elsewhere/ancillary.yaml")
    assert default_catalog() == "memory://elsewhere/ancillary.yaml"
    monkeypatch.delenv("PICPUMP_ANCILLARY_CATALOG")
    installed = tmp_path / "installed" / "ancillary.yaml"
    monkeypatch.setattr(ancillary_catalog, "DEFAULT_CATALOG", installed)
    with pytest.raises(CatalogError, match="PICPUMP_ANCILLARY_CATALOG") as info:
        load_ancillary_catalog()
    assert "pass catalog=" in str(info.value)
    with pytest.raises(CatalogError, match="PICPUMP_ANCILLARY_CATALOG"):
        render("{{ ancillary(reccap2_masks) }}", {}, "test")


# --- the project's catalog -----------------------------------------------------------------

PINNED = {
    "reccap2_masks": "masks/RECCAP2_region_masks_all_v20221025.nc",
    "etopo1_30min": "bathymetry/topo_etopo1_30min_global.nc",
    "cobe_sst_climatology": "sst/cobe_sst.mon.ltm.1991-2020_1deg.nc",
    "cael2021_aloha": "sediment_traps/cael2021_timeseries/aloha.csv",
    "cael2021_cariaco": "sediment_traps/cael2021_timeseries/cariaco.xlsx",
    "cael2021_k2": "sediment_traps/cael2021_timeseries/k2.csv",
    "cael2021_station_m": "sediment_traps/cael2021_timeseries/m.csv",
    "cael2021_ofp": "sediment_traps/cael2021_timeseries/ofp.csv",
    "cael2021_pap": "sediment_traps/cael2021_timeseries/pap.xlsx",
    "cael_opal_global": "sediment_traps/cael_opal_global/opal.mat",
}
"""Pinned entries and their paths in the real data folder."""


def test_project_catalog_entries() -> None:
    entries = load_ancillary_catalog()
    assert ancillary.DEFAULT_CATALOG == RESOURCES / "catalogs" / "ancillary.yaml"
    assert {n for n, e in entries.items() if e.pinned} == set(PINNED)
    assert {n for n, e in entries.items() if not e.pinned} == {
        "knecht2023_biomass",
        "nowicki2022_export_pathways",
    }
    for name in PINNED:
        url = str(entries[name].urlpath)
        assert url.startswith("https://raw.githubusercontent.com/")
        assert str(entries[name].metadata["commit"]) in url
        assert entries[name].filename == PINNED[name].rsplit("/", 1)[-1]


@pytest.mark.shared_data
def test_project_catalog_pins_match_the_real_files(
    shared_data: Path, tmp_path: Path, monkeypatch
) -> None:
    sums = dict(
        (path.removeprefix("./"), sha)
        for sha, path in (
            line.split() for line in (shared_data / "SHA256SUMS").read_text().splitlines()
        )
    )

    def no_network(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise AssertionError("fetch must not touch the network when the cache is seeded")

    entries = load_ancillary_catalog()
    for name, relative in PINNED.items():
        entry = entries[name]
        assert entry.sha256 == sums[relative]
        assert entry.size == (shared_data / relative).stat().st_size
        seed_cache(name, shared_data / relative, cache_dir=tmp_path)
    monkeypatch.setattr(fsspec, "open", no_network)
    for name, relative in PINNED.items():
        path = fetch(name, entries, cache_dir=tmp_path)
        assert path.read_bytes() == (shared_data / relative).read_bytes()
