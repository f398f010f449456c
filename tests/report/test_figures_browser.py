"""The report page opens in a real headless browser: no console error, every image loaded."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

BROWSER = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(BROWSER is None, reason="chromium is not installed"),
]
PROBE = """<script>
window.__errors = [];
window.addEventListener('error', e => window.__errors.push(String(e.message || e.type)), true);
const original = console.error;
console.error = (...a) => { window.__errors.push(a.join(' ')); original(...a); };
window.addEventListener('load', () => {
  const images = Array.from(document.images);
  const loaded = images.filter(i => i.complete && i.naturalWidth > 0).length;
  const out = document.createElement('pre');
  out.id = 'probe';
  out.textContent = `images=${images.length} loaded=${loaded} errors=${window.__errors.length}`;
  document.body.appendChild(out);
});
</script>"""


def _chromium(*args: str) -> subprocess.CompletedProcess[str]:
    command = [BROWSER or "chromium", "--headless", "--no-sandbox", "--disable-gpu"]
    command += ["--enable-logging=stderr", "--v=0", "--virtual-time-budget=10000", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=180, check=False)


def test_report_loads_in_chromium(run_dir: Path, tmp_path: Path) -> None:
    report = (run_dir / "report.html").read_text()
    assert "<script" not in report and "http" not in report.split("<body>")[0]
    probed = tmp_path / "probed.html"
    probed.write_text(report.replace("<head>", "<head>" + PROBE, 1))
    shown = _chromium("--dump-dom", probed.as_uri())
    found = re.search(r"images=(\d+) loaded=(\d+) errors=(\d+)", shown.stdout)
    assert found, shown.stderr[-2000:]
    images, loaded, errors = map(int, found.groups())
    assert images >= 9 and loaded == images and errors == 0
    assert "Uncaught" not in shown.stderr and ":ERROR:CONSOLE" not in shown.stderr

    shot = tmp_path / "shot.png"
    _chromium(f"--screenshot={shot}", "--window-size=1200,2400", (run_dir / "report.html").as_uri())
    with Image.open(shot) as image:
        assert np.asarray(image.convert("L"), dtype=float).std() > 5
