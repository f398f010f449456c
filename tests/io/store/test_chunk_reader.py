"""Direct chunk reads give zarr-python's values, and step aside for layouts they do not read."""

from __future__ import annotations

import json
from pathlib import Path

import dask
import fsspec
import numpy as np
import pytest
import s3fs
import xarray as xr
import zarr

from picpump.errors import InputError
from picpump.io.store.chunk_reader import chunk_layout, chunked_array
from picpump.io.store.zarr_store import open_product, reads_directly, stage_zarr


def _product() -> xr.Dataset:
    rng = np.random.default_rng(4)
    values = rng.random((5, 7, 11)).astype("float32")
    values[rng.random(values.shape) < 0.3] = np.nan
    values[:, :4, :4] = np.nan  # a whole chunk missing: not written, read as NaN
    return xr.Dataset(
        {
            "field": (("time", "lat", "lon"), values, {"units": "g m-2"}),
            "area": (("lat", "lon"), rng.random((7, 11))),
            "count": (("lat", "lon"), np.arange(77, dtype="int16").reshape(7, 11)),
        }
    ).chunk({"time": -1, "lat": 4, "lon": 4})  # ragged edge chunks


def _write(ds: xr.Dataset, url: str, **kwargs: object) -> None:
    pending = stage_zarr(ds, url, **kwargs)  # type: ignore[arg-type]
    dask.compute(pending.task)
    pending.publish()


@pytest.mark.parametrize("zarr_format", [2, 3])
@pytest.mark.parametrize("compression", ["lz4", "zstd"])
def test_direct_reads_equal_zarr_python(tmp_path: Path, zarr_format: int, compression: str) -> None:
    url = str(tmp_path / "p.zarr")
    _write(_product(), url, zarr_format=zarr_format, compression=compression)
    ds = open_product(url)
    assert ds["field"].data.name.startswith("picpump-read")
    assert ds["area"].data.name.startswith("picpump-read")
    assert not ds["count"].data.name.startswith("picpump-read")  # integers: zarr-python
    reference = xr.open_zarr(url)
    xr.testing.assert_identical(ds.load(), reference.load())
    assert ds["field"].chunks == reference["field"].chunks


def test_direct_reads_work_on_an_in_memory_filesystem() -> None:
    url = "memory://direct/p.zarr"
    _write(_product(), url)
    ds = open_product(url)
    assert ds["field"].data.name.startswith("picpump-read")
    np.testing.assert_array_equal(ds["field"].values, _product()["field"].values)


def test_object_stores_keep_zarr_python_concurrent_reads() -> None:
    assert reads_directly(fsspec.filesystem("file"))
    assert not reads_directly(s3fs.S3FileSystem(anon=True, skip_instance_cache=True))
    assert not reads_directly(fsspec.filesystem("http"))


def test_the_chunks_read_are_writable_and_cut_at_the_edges(tmp_path: Path) -> None:
    url = str(tmp_path / "p.zarr")
    _write(_product(), url)
    fs = fsspec.filesystem("file")
    direct = chunked_array(fs, f"{url}/field")
    assert direct is not None
    last = direct.blocks[0, -1, -1].compute()
    assert last.shape == (5, 3, 3) and last.flags.writeable


def test_other_layouts_are_left_to_zarr_python(tmp_path: Path) -> None:
    fs = fsspec.filesystem("file")
    gzip = zarr.create_array(
        str(tmp_path / "gzip"), shape=(4,), dtype="f4", compressors=zarr.codecs.GzipCodec()
    )
    gzip[:] = 1.0
    assert chunk_layout(fs, str(tmp_path / "gzip")) is None
    filled = zarr.create_array(str(tmp_path / "filled"), shape=(4,), dtype="f4", fill_value=-1.0)
    filled[:] = 2.0
    assert chunk_layout(fs, str(tmp_path / "filled")) is None
    assert chunk_layout(fs, str(tmp_path / "absent")) is None


def test_a_cf_scaled_variable_keeps_zarr_python(tmp_path: Path) -> None:
    ds = _product()
    url = str(tmp_path / "p.zarr")
    ds["field"].encoding = {"scale_factor": 0.5, "dtype": "float32"}
    ds.to_zarr(url, zarr_format=3, consolidated=True)
    (tmp_path / "p.zarr" / ".picpump-complete").write_text(json.dumps({}))
    opened = open_product(url)
    assert not opened["field"].data.name.startswith("picpump-read")
    np.testing.assert_allclose(opened["field"].values, ds["field"].values, rtol=1e-6)


@pytest.mark.parametrize("compression", ["lz4", "zstd"])
def test_a_truncated_chunk_is_a_clear_error(tmp_path: Path, compression: str) -> None:
    url = str(tmp_path / "p.zarr")
    _write(_product(), url, compression=compression)
    chunk = next(p for p in (tmp_path / "p.zarr" / "field" / "c").rglob("*") if p.is_file())
    chunk.write_bytes(chunk.read_bytes()[:20])  # truncated
    with pytest.raises(InputError, match="(?s)cannot decode.*re-run the pipeline"):
        open_product(url)["field"].load()
