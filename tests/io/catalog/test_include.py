"""Catalogs that include entries of other catalogs: names, folders, parameters, mistakes."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from picpump.errors import CatalogError
from picpump.io.api import load_catalog
from picpump.io.catalog.include import MAX_DEPTH
from picpump.io.catalog.resolve import resolve_url


def _entry(urlpath: str, parameters: dict | None = None) -> dict:
    entry = {
        "driver": "picpump.netcdf",
        "args": {"urlpath": urlpath, "variable": "elevation", "convention": "canonical"},
        "metadata": {"canonical": "elevation"},
    }
    if parameters:
        entry["parameters"] = parameters
    return entry


def _write(path: Path, content: dict) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(content))
    return path


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    """A catalog in its own folder, with a parameter and a CATALOG_DIR-relative entry."""
    version = {"description": "file version", "type": "str", "default": "v1"}
    return _write(
        tmp_path / "archive" / "cat.yaml",
        {
            "sources": {
                "topo": _entry("{{ CATALOG_DIR }}/topo_{{ version }}.nc", {"version": version}),
                "mask": _entry("{{ CATALOG_DIR }}/mask.nc"),
            }
        },
    )


def test_included_entries_keep_their_own_folder(archive: Path, tmp_path: Path) -> None:
    top = _write(
        tmp_path / "runs" / "all.yaml",
        {"includes": [{"catalog": "{{ CATALOG_DIR }}/../archive/cat.yaml", "sources": ["topo"]}]},
    )
    catalog = load_catalog(top)
    assert list(catalog.sources) == ["topo"]
    assert resolve_url(catalog, "topo") == str(tmp_path / "archive" / "topo_v1.nc")


def test_renames_relative_paths_and_new_defaults(archive: Path, tmp_path: Path) -> None:
    top = _write(
        tmp_path / "all.yaml",
        {
            "includes": [
                {
                    "catalog": "archive/cat.yaml",
                    "sources": {"bathymetry": "topo"},
                    "parameters": {"version": "v2"},
                }
            ],
            "sources": {"local": _entry("{{ CATALOG_DIR }}/local.nc")},
        },
    )
    catalog = load_catalog(top)
    assert sorted(catalog.sources) == ["bathymetry", "local"]
    assert resolve_url(catalog, "bathymetry").endswith("archive/topo_v2.nc")
    assert resolve_url(catalog, "bathymetry", version="v3").endswith("archive/topo_v3.nc")
    assert resolve_url(catalog, "local") == str(tmp_path / "local.nc")


@pytest.mark.parametrize(
    ("include", "sources", "match"),
    [
        ({"catalog": "archive/cat.yaml", "sources": ["nope"]}, {}, "must exist in that catalog"),
        ({"catalog": "archive/cat.yaml", "parameters": {"colour": "x"}}, {}, "declared"),
        ({"catalog": "archive/cat.yaml"}, {"topo": _entry("x.nc")}, "defined once"),
        ({"catalog": "missing.yaml"}, {}, "must exist"),
        ({"sources": ["topo"]}, {}, "needs 'catalog: path'"),
        ({"catalog": "archive/cat.yaml", "sources": "topo"}, {}, "list or a mapping"),
    ],
)
def test_mistakes_are_refused(
    archive: Path, tmp_path: Path, include: dict, sources: dict, match: str
) -> None:
    top = _write(tmp_path / "all.yaml", {"includes": [include], "sources": sources})
    with pytest.raises(CatalogError, match=match):
        load_catalog(top)


def test_an_include_cycle_is_refused(tmp_path: Path) -> None:
    _write(tmp_path / "a.yaml", {"includes": [{"catalog": "b.yaml"}]})
    _write(tmp_path / "b.yaml", {"includes": [{"catalog": "a.yaml"}]})
    with pytest.raises(CatalogError, match=f"at most {MAX_DEPTH} deep"):
        load_catalog(tmp_path / "a.yaml")


def test_run_parameters_become_new_defaults(archive: Path) -> None:
    from picpump.io.catalog.include import with_parameters

    catalog = with_parameters(load_catalog(archive), {"version": "v9"})
    assert resolve_url(catalog, "topo").endswith("archive/topo_v9.nc")
    assert resolve_url(catalog, "mask").endswith("archive/mask.nc")
    with pytest.raises(CatalogError, match="must be declared by the entries"):
        with_parameters(load_catalog(archive), {"colour": "blue"})
