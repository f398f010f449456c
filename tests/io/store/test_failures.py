"""Storage and network failures a user can fix become messages (rule, path or URL, fix)."""

from __future__ import annotations

import errno
from pathlib import Path

import fsspec
import pytest

from picpump.cli import main
from picpump.errors import InputError
from picpump.io.store.failures import as_picpump_error


def test_disk_full_names_the_path_and_the_free_space(tmp_path: Path) -> None:
    err = OSError(errno.ENOSPC, "No space left on device")
    found = as_picpump_error(err, str(tmp_path / "out"))
    assert isinstance(found, InputError)
    assert str(tmp_path / "out") in str(found) and "GiB free on the disk of" in str(found)


def test_read_only_folder_is_named(tmp_path: Path) -> None:
    err = OSError(errno.EROFS, "Read-only file system", str(tmp_path / "out" / "x.zarr"))
    wrapped = RuntimeError("write failed")
    wrapped.__cause__ = err
    found = as_picpump_error(wrapped, str(tmp_path))
    assert found is not None and "x.zarr: read-only file system" in str(found)


def test_unreachable_http_server_is_named() -> None:
    fs = fsspec.filesystem("http", skip_instance_cache=True)
    with pytest.raises(Exception) as caught:
        fs.cat("http://127.0.0.1:1/data/a.nc")
    found = as_picpump_error(caught.value)
    assert found is not None and "http server 127.0.0.1:1" in str(found)


def test_s3_without_credentials_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    s3fs = pytest.importorskip("s3fs")
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/credentials")
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent/config")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    fs = s3fs.S3FileSystem(
        skip_instance_cache=True, client_kwargs={"endpoint_url": "http://127.0.0.1:1"}
    )
    with pytest.raises(Exception) as caught:
        fs.ls("picpump-bucket/run")
    found = as_picpump_error(caught.value, "s3://picpump-bucket/run")
    assert found is not None and "needs credentials" in str(found)
    assert "s3://picpump-bucket/run" in str(found)


def test_a_bug_is_not_disguised() -> None:
    assert as_picpump_error(ZeroDivisionError("x")) is None


def test_cli_prints_the_message_and_returns_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from picpump.cli import run

    def disk_full(_args: object) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(run, "command", disk_full)
    out = tmp_path / "out"
    assert main(["run", "spec.yaml", "--catalog", "c.yaml", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "disk full (ENOSPC)" in err and str(out) in err and "Traceback" not in err
