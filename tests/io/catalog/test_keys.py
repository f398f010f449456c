"""Unknown catalog keys (typos) are refused with the known keys listed, like the spec's."""

from __future__ import annotations

from pathlib import Path

import pytest

from picpump.errors import CatalogError
from picpump.io.api import load_catalog
from tests.io.fixtures import catalog_text, monthly_entry


def _entry() -> dict:
    return monthly_entry("{{ CATALOG_DIR }}/x_{{ yyyymm }}.nc", "v", "pic", "canonical")


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "catalog.yaml"
    path.write_text(text)
    return path


@pytest.mark.parametrize(
    ("where", "key"),
    [("entry", "drivr"), ("args", "allow_gap"), ("time", "period")],
)
def test_unknown_key_is_refused(tmp_path: Path, where: str, key: str) -> None:
    entry = _entry()
    target = {"entry": entry, "args": entry["args"], "time": entry["args"]["time"]}[where]
    target[key] = 1
    with pytest.raises(CatalogError, match=rf"unknown key\(s\) \['{key}'\].*sources\.a"):
        load_catalog(_write(tmp_path, catalog_text({"a": entry})))


def test_unknown_top_level_key_is_refused(tmp_path: Path) -> None:
    text = catalog_text({"a": _entry()}) + "metdata: {title: typo}\n"
    with pytest.raises(CatalogError, match=r"(?s)top-level keys must be among .*\['metdata'\]"):
        load_catalog(_write(tmp_path, text))


def test_anchor_keys_and_known_keys_pass(tmp_path: Path) -> None:
    entry = _entry()
    entry["args"].update(allow_gaps=True, duplicates={"prefer": ["*_A*"]}, units="mol m-3")
    text = "x-shared: &opts {}\n" + catalog_text({"a": entry})
    assert list(load_catalog(_write(tmp_path, text)).sources) == ["a"]
