"""Products in Zarr format 2 (sites whose readers use zarr-python 2) hold the same numbers."""

from __future__ import annotations

import json
from pathlib import Path

import dask
import numpy as np
import pytest
import xarray as xr

from picpump.errors import SpecError
from picpump.io.store.zarr_store import open_product, stage_zarr


def _product() -> xr.Dataset:
    rng = np.random.default_rng(0)
    values = rng.random((3, 4, 5)).astype("float32")
    values[0, 0, 0] = np.nan
    return xr.Dataset(
        {
            "field": (("time", "lat", "lon"), values, {"units": "g m-2"}),
            "mask": (("lat", "lon"), rng.random((4, 5)) > 0.5),
            "count": (("lat", "lon"), np.arange(20, dtype="int16").reshape(4, 5)),
        },
        coords={"time": np.array(["2001-01-01", "2001-02-01", "2001-03-01"], "datetime64[ns]")},
    ).chunk({"time": 1})


def _write(ds: xr.Dataset, url: Path, zarr_format: int, compression: str = "lz4") -> None:
    pending = stage_zarr(ds, str(url), zarr_format=zarr_format, compression=compression)
    dask.compute(pending.task)
    pending.publish()


@pytest.mark.parametrize("zarr_format", [2, 3])
def test_a_store_opens_with_xarray_and_gives_the_same_numbers(
    tmp_path: Path, zarr_format: int
) -> None:
    ds = _product()
    url = tmp_path / "p.zarr"
    _write(ds, url, zarr_format)
    assert (url / (".zgroup" if zarr_format == 2 else "zarr.json")).exists()
    for back in (open_product(str(url)), xr.open_zarr(url, zarr_format=zarr_format)):
        xr.testing.assert_identical(back.load().drop_attrs(), ds.load().drop_attrs())
        assert back["field"].attrs["units"] == "g m-2"


@pytest.mark.parametrize(("compression", "codec"), [("lz4", "blosc"), ("zstd", "zstd")])
def test_format_2_arrays_carry_the_chosen_codec(
    tmp_path: Path, compression: str, codec: str
) -> None:
    url = tmp_path / "p.zarr"
    _write(_product(), url, 2, compression)
    meta = json.loads((url / "field" / ".zarray").read_text())
    assert meta["zarr_format"] == 2 and meta["compressor"]["id"] == codec
    if codec == "blosc":
        assert meta["compressor"]["cname"] == "lz4" and meta["compressor"]["shuffle"] == 1


@pytest.mark.parametrize(("compression", "codec"), [("lz4", "blosc"), ("zstd", "zstd")])
def test_format_3_arrays_carry_the_chosen_codec_and_the_same_numbers(
    tmp_path: Path, compression: str, codec: str
) -> None:
    ds = _product()
    url = tmp_path / "p.zarr"
    _write(ds, url, 3, compression)
    meta = json.loads((url / "field" / "zarr.json").read_text())
    assert [c["name"] for c in meta["codecs"]] == ["bytes", codec]
    back = open_product(str(url))
    xr.testing.assert_identical(back.load().drop_attrs(), ds.load().drop_attrs())


def test_an_unknown_compression_is_refused_with_the_choices(tmp_path: Path) -> None:
    with pytest.raises(SpecError, match=r"(?s)lz4.*zstd.*'gzip'"):
        _write(_product(), tmp_path / "p.zarr", 3, "gzip")
