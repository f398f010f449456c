"""One run at a time per output folder: a lock object with its owner and a heartbeat.

The lock is the object ``<out>/.picpump-run.lock``, a small JSON record of who holds it::

    {"token": "...", "owner": "user", "host": "node1", "pid": 4242,
     "started": "2026-12-03T12:00:00+00:00", "heartbeat": 1796212800.0, "command": "..."}

- **Taking it** is one exclusive create: ``O_CREAT | O_EXCL`` on a local disk, a conditional
  PUT (``If-None-Match: *``) on S3, the filesystem's ``mode="create"`` elsewhere. The record is
  read back afterwards, and the lock is ours only if the token read is ours.
- **While the run goes on**, a daemon thread rewrites ``heartbeat`` every
  :data:`HEARTBEAT_SECONDS` seconds.
- **A lock is stale**, and is broken by the next run, when its holder ran on this host and its
  process is gone, or when its heartbeat is older than :data:`STALE_SECONDS` seconds (a holder
  on another machine, or a frozen one). Otherwise a second run is refused with
  :class:`RunLockedError` naming the holder.
- **Releasing it** deletes the object, only when it still holds our token.

Breaking a stale lock is a rename aside then a check of what was moved on a local disk; object
stores have no rename, so the token is checked again just before the delete: two runs breaking
the same stale lock in the same instant remain a (narrow) race there.
"""

from __future__ import annotations

import getpass
import json
import os
import posixpath
import socket
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from picpump.errors import PicpumpError, explain
from picpump.io.store.fs import filesystem, is_local_fs
from picpump.io.store.publish import PARTIAL_TAG, new_token, write_files

LOCK_NAME = ".picpump-run.lock"
"""Name of the lock object inside an output folder."""
HEARTBEAT_SECONDS = 10.0
"""How often the holder of a lock refreshes its heartbeat."""
STALE_SECONDS = 120.0
"""A lock whose heartbeat is older than this is stale, wherever its holder ran."""


class RunLockedError(PicpumpError, RuntimeError):
    """Another live run holds the output folder."""


def _record(token: str, command: str) -> dict[str, Any]:
    return {
        "token": token,
        "owner": getpass.getuser(),
        "host": socket.gethostname(),
        "pid": os.getpid(),
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
        "heartbeat": time.time(),
        "command": command,
    }


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, owned by another user
        return True
    return True


def is_stale(record: Mapping[str, Any], now: float | None = None) -> bool:
    """Whether a lock record belongs to a run that is gone (see the module doc).

    Parameters
    ----------
    record : mapping
        The lock's JSON record.
    now : float, optional
        Current time (seconds since the epoch); default ``time.time()``.

    Returns
    -------
    bool
        True when the holder's process is gone (same host) or its heartbeat is too old.
    """
    now = time.time() if now is None else now
    if now - float(record.get("heartbeat", 0.0)) > STALE_SECONDS:
        return True
    same_host = record.get("host") == socket.gethostname()
    return same_host and not _pid_alive(int(record.get("pid", -1)))


class RunLock:
    """The lock of one output folder (use :func:`run_lock`).

    Parameters
    ----------
    out : str
        The output folder (local path or fsspec URL).
    storage_options : mapping, optional
        fsspec options of its filesystem.
    command : str
        Recorded in the lock, to tell users who holds it.
    """

    def __init__(
        self, out: str, storage_options: Mapping[str, Any] | None = None, command: str = ""
    ) -> None:
        self.out = out
        self.url = f"{out.rstrip('/')}/{LOCK_NAME}"
        self.storage_options = dict(storage_options or {})
        self.fs, self.path = filesystem(self.url, storage_options)
        self.record = _record(new_token(), command)
        self._stop = threading.Event()
        self._beat: threading.Thread | None = None

    def read(self) -> dict[str, Any] | None:
        """Return the current lock record, or None when there is no (readable) lock."""
        try:
            data = self.fs.cat_file(self.path)
        except (FileNotFoundError, OSError):
            return None
        return _parse(data)

    def acquire(self) -> None:
        """Take the lock, breaking a stale one.

        Raises
        ------
        RunLockedError
            When a live run holds it.
        """
        self.fs.makedirs(posixpath.dirname(self.path), exist_ok=True)
        for _ in range(3):
            self._create()
            held = self.read()
            if held is not None and held.get("token") == self.record["token"]:
                self._start_heartbeat()
                return
            if held is not None and not is_stale(held):
                raise RunLockedError(_refusal(self.out, held))
            if held is not None:
                self._break(held)
        raise RunLockedError(_refusal(self.out, self.read() or {}))

    def release(self) -> None:
        """Stop the heartbeat and delete the lock if it is still ours."""
        self._stop.set()
        if self._beat is not None:
            self._beat.join()
        held = self.read()
        if held is not None and held.get("token") == self.record["token"]:
            self.fs.rm(self.path)

    def _create(self) -> None:
        """Write our record only if no lock exists (an exclusive create)."""
        data = json.dumps(self.record).encode()
        if is_local_fs(self.fs):  # a complete record, linked in place: never seen half-written
            staged = f"{self.path}{PARTIAL_TAG}{self.record['token']}"
            with open(staged, "wb") as sink:
                sink.write(data)
            try:
                os.link(staged, self.path)
            except FileExistsError:
                pass
            finally:
                os.remove(staged)
            return
        try:
            self.fs.pipe_file(self.path, data, mode="create")
        except OSError:  # exists (a failed precondition): read back by the caller
            self.fs.invalidate_cache(self.path)

    def _break(self, stale: Mapping[str, Any]) -> None:
        """Remove a stale lock, unless another run replaced it meanwhile."""
        if not is_local_fs(self.fs):  # no rename: check the token just before deleting
            again = self.read()
            if again is not None and again.get("token") == stale.get("token"):
                self.fs.rm(self.path)
            return
        aside = f"{self.path}.stale-{new_token()}"
        try:
            os.rename(self.path, aside)
        except FileNotFoundError:
            return
        with open(aside, "rb") as source:
            moved = _parse(source.read())
        if moved.get("token") != stale.get("token"):
            try:  # a fresh lock was moved aside: put it back (never over another one)
                os.link(aside, self.path)
            except FileExistsError:
                pass
        os.remove(aside)

    def _start_heartbeat(self) -> None:
        self._beat = threading.Thread(target=self._heartbeat, name="picpump-lock", daemon=True)
        self._beat.start()

    def _heartbeat(self) -> None:
        while not self._stop.wait(HEARTBEAT_SECONDS):
            held = self.read()
            if held is None or held.get("token") != self.record["token"]:
                return
            self.record["heartbeat"] = time.time()
            try:
                write_files({self.url: json.dumps(self.record).encode()}, self.storage_options)
            except OSError:  # a storage hiccup: the next beat tries again
                continue


def _parse(data: bytes) -> dict[str, Any]:
    """Read a lock record; an unreadable one (a damaged disk) has no heartbeat: stale."""
    try:
        return dict(json.loads(data))
    except ValueError:
        return {"heartbeat": 0.0}


def _refusal(out: str, held: Mapping[str, Any]) -> str:
    holder = (
        f"{held.get('owner', '?')}@{held.get('host', '?')} pid {held.get('pid', '?')}, "
        f"started {held.get('started', '?')}"
    )
    return explain(
        "one run at a time may write an output folder",
        f"{out} is being written by another run ({holder})",
        "wait for that run to end, or give this run another --out; a lock left by a run "
        f"that died is broken automatically (its process gone, or no heartbeat for "
        f"{STALE_SECONDS:.0f} s)",
    )


@contextmanager
def run_lock(
    out: str, storage_options: Mapping[str, Any] | None = None, command: str = ""
) -> Iterator[RunLock]:
    """Hold the lock of ``out`` for the duration of the block.

    Parameters
    ----------
    out : str
        The output folder (local path or fsspec URL).
    storage_options : mapping, optional
        fsspec options of its filesystem.
    command : str
        Recorded in the lock.

    Yields
    ------
    RunLock
        The held lock.

    Raises
    ------
    RunLockedError
        When another live run holds ``out``.
    """
    lock = RunLock(out, storage_options, command)
    lock.acquire()
    try:
        yield lock
    finally:
        lock.release()


__all__ = [
    "HEARTBEAT_SECONDS",
    "LOCK_NAME",
    "STALE_SECONDS",
    "RunLock",
    "RunLockedError",
    "is_stale",
    "run_lock",
]
