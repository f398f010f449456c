"""A local cluster's workers log to the run log, not to the terminal they share."""

from __future__ import annotations

import logging
import time
import warnings

import pytest

from picpump.cluster import client_for, load_profile
from picpump.cluster.worker_logs import forward_worker_logs
from picpump.logs import capturing_run_log


def test_worker_warnings_reach_the_run_log_not_stderr(capfd: pytest.CaptureFixture[str]) -> None:
    def noisy() -> int:
        logging.getLogger("distributed.shuffle._worker_plugin").warning("worker shuffle noise")
        warnings.warn("worker python warning", UserWarning, stacklevel=1)
        return 1

    with client_for(load_profile("local", {"n_workers": 1})) as client:
        forward_worker_logs(client)
        with capturing_run_log() as records:
            assert client.submit(noisy, pure=False).result() == 1
            deadline = time.monotonic() + 10
            while "worker python warning" not in records.text() and time.monotonic() < deadline:
                time.sleep(0.1)
    printed = capfd.readouterr()
    assert "noise" not in printed.err + printed.out
    assert "WARNING distributed.shuffle._worker_plugin: worker shuffle noise" in records.text()
    assert "worker python warning" in records.text()
