"""Logging: terminal lines, the run log, library records kept off the terminal, progress."""

from __future__ import annotations

import io
import logging
import warnings
from collections.abc import Iterator

import dask
import dask.array as da
import pytest

from picpump import logs, progress
from picpump.errors import InputError
from picpump.logs import capturing_run_log, configure_terminal, level_from
from picpump.progress import Progress, dask_progress


@pytest.fixture
def terminal() -> Iterator[None]:
    """Configure the terminal as the command line does; undo it afterwards."""
    package = logging.getLogger(logs.PACKAGE)
    handlers, level = list(package.handlers), package.level
    root_handlers = list(logging.getLogger().handlers)
    configure_terminal(logging.INFO)
    yield
    package.handlers[:] = handlers
    package.setLevel(level)
    logging.getLogger().handlers[:] = root_handlers
    logging.captureWarnings(False)


def test_level_from_counts_and_names() -> None:
    assert level_from() == logging.INFO
    assert level_from(verbose=1) == logging.DEBUG
    assert level_from(verbose=3) == logging.DEBUG
    assert level_from(quiet=1) == logging.WARNING
    assert level_from(quiet=2) == logging.ERROR
    assert level_from(quiet=1, name="debug") == logging.DEBUG
    with pytest.raises(InputError, match="logging level"):
        level_from(name="loud")


def test_library_records_reach_the_run_log_not_the_terminal(
    terminal: None, capsys: pytest.CaptureFixture[str]
) -> None:
    with capturing_run_log() as records:
        logging.getLogger("picpump.pipeline.run").info("monthly: computing")
        logging.getLogger("distributed.shuffle._scheduler_plugin").warning("Shuffle abc restarted")
        warnings.warn("a library warning", UserWarning, stacklevel=1)
    printed = capsys.readouterr()
    assert printed.out == "monthly: computing\n"
    assert printed.err == ""
    text = records.text()
    assert "INFO    picpump.pipeline.run: monthly: computing" in text
    assert "WARNING distributed.shuffle._scheduler_plugin: Shuffle abc restarted" in text
    assert "py.warnings" in text and "a library warning" in text


def test_quiet_terminal_still_fills_the_run_log(capsys: pytest.CaptureFixture[str]) -> None:
    package = logging.getLogger(logs.PACKAGE)
    handlers, level = list(package.handlers), package.level
    try:
        configure_terminal(logging.WARNING)
        with capturing_run_log() as records:
            logging.getLogger("picpump.runner").info("inputs: computing")
            logging.getLogger("picpump.runner").warning("slow")
    finally:
        package.handlers[:] = handlers
        package.setLevel(level)
        logging.captureWarnings(False)
    assert capsys.readouterr().out == "warning: slow\n"
    assert "inputs: computing" in records.text()


def test_plain_progress_lines_every_tenth_without_carriage_returns(
    caplog: pytest.LogCaptureFixture,
) -> None:
    stream = io.StringIO()
    line = Progress("monthly.zarr", stream=stream)
    with caplog.at_level(logging.INFO, logger="picpump.progress"):
        for step in range(1, 101):
            line.update(step / 100)
        line.close()
    assert stream.getvalue() == ""
    percents = [r.getMessage().split(": ")[1].split(" %")[0] for r in caplog.records]
    assert percents == [str(p) for p in range(10, 101, 10)]


def test_plain_progress_also_every_thirty_seconds(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = iter([0.0, 31.0, 32.0, 63.0])
    monkeypatch.setattr(progress.time, "monotonic", lambda: next(clock))
    line = Progress("inputs.zarr", stream=io.StringIO())
    with caplog.at_level(logging.INFO, logger="picpump.progress"):
        line.update(0.01)
        line.update(0.02)
        line.update(0.03)
    assert [r.getMessage() for r in caplog.records] == [
        "inputs.zarr: 1 % [31.0 s]",
        "inputs.zarr: 3 % [63.0 s]",
    ]


def test_live_bar_redraws_in_place(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(progress, "QUIET_SECONDS", 0.0)
    monkeypatch.setattr(progress, "REDRAW_SECONDS", 0.0)
    stream = io.StringIO()
    line = Progress("annual.zarr", stream=stream, live=True)
    line.update(0.5)
    line.update(1.0)
    line.close()
    drawn = stream.getvalue()
    assert drawn.count("\r") == 3 and " 50 %" in drawn and "100 %" in drawn


def test_dask_progress_follows_the_threaded_scheduler(caplog: pytest.LogCaptureFixture) -> None:
    array = da.ones((40, 40), chunks=4).sum()
    with caplog.at_level(logging.INFO, logger="picpump.progress"):
        with dask_progress("sum"):
            assert dask.compute(array, scheduler="threads")[0] == 1600
    messages = [r.getMessage() for r in caplog.records]
    assert messages[-1].startswith("sum: 100 %")
    assert len(messages) >= 10


def test_global_options_of_the_command_line(
    terminal: None, capsys: pytest.CaptureFixture[str]
) -> None:
    from picpump.cli import main

    with pytest.raises(SystemExit) as refused:
        main(["--log-level", "loud", "demo", "build", "--help"])
    assert refused.value.code == 2
    assert "--log-level" in capsys.readouterr().err
    assert main(["-qq", "--log-level", "debug", "cluster", "describe", "threads"]) == 0
    handlers = [h for h in logging.getLogger(logs.PACKAGE).handlers if h.level]
    assert [h.level for h in handlers] == [logging.DEBUG]
