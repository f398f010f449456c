"""No secret leaves a run: a password and a token in the catalog URL, storage_options
secrets and environment credentials appear in no output file and no printed or logged line."""

from __future__ import annotations

import functools
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml

from tests.conftest import REPO

SENTINELS = {
    "password": "SENTINELPASSWORD",
    "token": "SENTINELTOKEN",
    "storage_options": "SENTINELOPTION",
    "environment": "SENTINELENVIRONMENT",
}


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        return


@pytest.fixture(scope="module")
def http_root(demo_root: Path) -> Iterator[str]:
    """The demo project served over http on loopback, its catalog asking for secret headers."""
    raw = yaml.safe_load((demo_root / "catalogs" / "demo.yaml").read_text())
    for source in raw["sources"].values():
        options = source.setdefault("args", {}).setdefault("storage_options", {})
        options["headers"] = {"X-Api-Key": SENTINELS["storage_options"]}
    (demo_root / "catalogs" / "secret.yaml").write_text(yaml.safe_dump(raw, sort_keys=False))
    handler = functools.partial(_Quiet, directory=str(demo_root))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_no_secret_in_any_output_file_or_line(
    http_root: str, spec_path: str, tmp_path: Path
) -> None:
    catalog = (
        f"http://reader:{SENTINELS['password']}@{http_root}/catalogs/secret.yaml"
        f"?token={SENTINELS['token']}"
    )
    out = tmp_path / "out"
    env = dict(os.environ, AWS_SECRET_ACCESS_KEY=SENTINELS["environment"])
    env["PYTHONPATH"] = os.pathsep.join([str(REPO / "src"), str(REPO)])
    command = [sys.executable, "-c", "import sys; from picpump.cli import main; sys.exit(main())"]
    args = ["run", spec_path, "--catalog", catalog, "--out", str(out), "--cluster", "threads"]
    done = subprocess.run(
        [*command, *args, "--no-progress"], env=env, capture_output=True, text=True, timeout=900
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert (out / "summary.json").exists() and "***@" in (out / "summary.json").read_text()
    printed = done.stdout + done.stderr
    files = [p for p in out.rglob("*") if p.is_file()]
    assert len(files) > 20
    for what, secret in SENTINELS.items():
        assert secret not in printed, f"the {what} secret was printed"
        leaks = [str(p.relative_to(out)) for p in files if secret.encode() in p.read_bytes()]
        assert not leaks, f"the {what} secret leaked into {leaks}"
