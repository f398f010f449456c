"""Atomic publication: write under a temporary name beside the final one, then publish.

Every file or folder picpump writes for others to read goes through this module, so a write
that fails or is killed never leaves, under the final name, something that looks complete,
and the previous version stays in place until the new one is ready.

- A file (:class:`StagedFile`) is staged as ``<name>.partial-<token>`` beside the final one
  (``.<name>.partial-<token>`` when hidden). Locally :meth:`StagedFile.publish` renames it
  into place (a rename replaces the previous file atomically). On object stores the bytes are
  kept in memory and published as one PUT, which is already atomic (readers see the old
  object or the new one).
- A folder (:class:`StagedFolder`) is staged as ``<name>.partial-<token>``. Locally it is
  renamed into place, the previous folder being swapped out only then, and deleted. Object
  stores have no rename: the previous folder is deleted, the objects are copied, and the
  completion marker, if any, is written last, so an interrupted publish leaves a folder
  without its marker.

:func:`staged_files` and :func:`write_files` publish several files together: all are staged
first, and none is published when staging any of them fails.
"""

from __future__ import annotations

import io
import posixpath
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import IO, Any

from picpump.io.store.fs import filesystem, is_local_fs

PARTIAL_TAG = ".partial-"
"""Part of the name of every staged file or folder (``<name>.partial-<token>``)."""
MARKER_TEXT = b"complete\n"
"""Content of the completion marker of a published folder."""


def new_token() -> str:
    """Return a fresh random token for staged names (8 hex digits)."""
    return uuid.uuid4().hex[:8]


class StagedFile:
    """One file written under a temporary name, then published under its final name.

    Parameters
    ----------
    url : str
        Final location (local path or fsspec URL).
    storage_options : mapping, optional
        fsspec options of its filesystem.
    hidden : bool, default False
        Stage under a name starting with a dot.
    token : str, optional
        Token of the staged name (default: a new one).

    Attributes
    ----------
    url, path, stage_path : str
        Final URL, its path on the filesystem, and the staged path beside it.
    """

    def __init__(
        self,
        url: str,
        storage_options: Mapping[str, Any] | None = None,
        *,
        hidden: bool = False,
        token: str | None = None,
    ) -> None:
        self.url = url
        self.fs, self.path = filesystem(url, storage_options)
        self.local = is_local_fs(self.fs)
        parent, name = posixpath.split(self.path)
        staged = f"{'.' if hidden else ''}{name}{PARTIAL_TAG}{token or new_token()}"
        self.stage_path = posixpath.join(parent, staged)
        self._data: bytes | None = None

    def write(self, data: bytes) -> None:
        """Stage ``data`` as the new content of the file."""
        if not self.local:
            self._data = bytes(data)
            return
        self.fs.makedirs(posixpath.dirname(self.path), exist_ok=True)
        self.fs.pipe_file(self.stage_path, data)

    @contextmanager
    def open(self) -> Iterator[IO[bytes]]:
        """Yield a binary stream whose bytes, once closed, are the staged content."""
        if not self.local:
            buffer = io.BytesIO()
            yield buffer
            self._data = buffer.getvalue()
            return
        self.fs.makedirs(posixpath.dirname(self.path), exist_ok=True)
        with self.fs.open(self.stage_path, "wb") as sink:
            yield sink

    def publish(self) -> None:
        """Put the staged content under the final name, replacing the previous file.

        Raises
        ------
        FileNotFoundError
            When nothing was staged.
        """
        if self.local:
            self.fs.mv(self.stage_path, self.path)
            return
        if self._data is None:
            raise FileNotFoundError(f"nothing staged for {self.url}")
        self.fs.pipe_file(self.path, self._data)
        self._data = None

    def discard(self) -> None:
        """Forget the staged content (the final file is left as it is)."""
        self._data = None
        if self.local and self.fs.exists(self.stage_path):
            self.fs.rm(self.stage_path)


@contextmanager
def staged_files(
    urls: Sequence[str],
    storage_options: Mapping[str, Any] | None = None,
    *,
    hidden: bool = False,
) -> Iterator[list[StagedFile]]:
    """Stage several files; publish them all when the block ends without error.

    Parameters
    ----------
    urls : sequence of str
        Final locations, on one filesystem; they share one staging token.
    storage_options : mapping, optional
        fsspec options of that filesystem.
    hidden : bool, default False
        Stage under names starting with a dot.

    Yields
    ------
    list of StagedFile
        One per URL, in order: write or open each. When the block raises, nothing is
        published and every staged file is removed.
    """
    token = new_token()
    stages = [StagedFile(url, storage_options, hidden=hidden, token=token) for url in urls]
    try:
        yield stages
        for stage in stages:
            stage.publish()
    finally:
        for stage in stages:
            stage.discard()


def write_files(
    contents: Mapping[str, bytes],
    storage_options: Mapping[str, Any] | None = None,
    *,
    hidden: bool = False,
) -> None:
    """Write files atomically, together: all are staged, then all are published.

    Parameters
    ----------
    contents : mapping of str to bytes
        ``{final URL: content}``, on one filesystem; published in this order.
    storage_options : mapping, optional
        fsspec options of that filesystem.
    hidden : bool, default False
        Stage under names starting with a dot.
    """
    with staged_files(list(contents), storage_options, hidden=hidden) as stages:
        for stage, data in zip(stages, contents.values(), strict=True):
            stage.write(data)


class StagedFolder:
    """A folder written under a temporary name, then published under its final name.

    Parameters
    ----------
    url : str
        Final location (local path or fsspec URL).
    storage_options : mapping, optional
        fsspec options of its filesystem.
    marker : str, optional
        Name of a completion marker file written into the folder on publish (last on
        object stores).
    token : str, optional
        Token of the staged name (default: a new one).

    Attributes
    ----------
    url, stage_url : str
        Final URL and the staged URL to write the folder's content to.
    """

    def __init__(
        self,
        url: str,
        storage_options: Mapping[str, Any] | None = None,
        *,
        marker: str | None = None,
        token: str | None = None,
    ) -> None:
        self.url = url
        self.stage_url = f"{url.rstrip('/')}{PARTIAL_TAG}{token or new_token()}"
        self.marker = marker
        self.fs, self.path = filesystem(url, storage_options)
        self.stage_path = filesystem(self.stage_url, storage_options)[1]

    def make_parent(self) -> None:
        """Create the folder that will hold the published folder."""
        self.fs.makedirs(posixpath.dirname(self.path.rstrip("/")), exist_ok=True)

    def publish(self) -> None:
        """Mark the staged folder complete and move it to its final name."""
        if is_local_fs(self.fs):
            if self.marker is not None:
                self.fs.pipe_file(posixpath.join(self.stage_path, self.marker), MARKER_TEXT)
            self._swap_local()
            return
        if self.fs.exists(self.path):
            self.fs.rm(self.path, recursive=True)
        files = [f for f in self.fs.find(self.stage_path) if not self._is_marker(f)]
        self.fs.copy(files, [self.path + f[len(self.stage_path) :] for f in files])
        if self.marker is not None:
            self.fs.pipe_file(posixpath.join(self.path, self.marker), MARKER_TEXT)
        self.fs.rm(self.stage_path, recursive=True)

    def discard(self) -> None:
        """Remove the staged folder (the final folder is left as it is)."""
        if self.fs.exists(self.stage_path):
            self.fs.rm(self.stage_path, recursive=True)

    def _is_marker(self, path: str) -> bool:
        return self.marker is not None and path.endswith(self.marker)

    def _swap_local(self) -> None:
        """Rename the staged folder into place, replacing (then deleting) a previous one."""
        old = None
        if self.fs.exists(self.path):
            old = f"{self.path}.old-{new_token()}"
            self.fs.mv(self.path, old, recursive=True)
        self.fs.mv(self.stage_path, self.path, recursive=True)
        if old is not None:
            self.fs.rm(old, recursive=True)


__all__ = [
    "MARKER_TEXT",
    "PARTIAL_TAG",
    "StagedFile",
    "StagedFolder",
    "new_token",
    "staged_files",
    "write_files",
]
