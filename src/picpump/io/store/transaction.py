"""A run as one transaction on its output folder: lock, new generation, switch, clean-up.

::

    with run_transaction(out, storage_options, command) as txn:
        ...write every output under txn.url...
    # on success: the pointer now names txn.generation, older generations are gone

On entry the run lock of ``out`` is taken (a second run is refused,
:class:`picpump.io.store.lock.RunLockedError`), and what dead runs left behind (their
generations, staged and swapped-aside names) is removed; the current generation stays. On a
normal exit the pointer is switched to the new generation, then the previous generations are
removed. On an error the new generation is removed and the pointer is left alone, so readers
keep seeing the previous run. A kill at any point leaves the previous generation current; the
next run's start-up removes the rest.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from picpump.io.store.faults import fault_point
from picpump.io.store.generation import (
    current_folder,
    current_generation,
    generation_url,
    new_generation_id,
    remove_leftovers,
    switch_to,
)
from picpump.io.store.lock import run_lock


@dataclass(frozen=True)
class Transaction:
    """The generation a run writes.

    Attributes
    ----------
    out : str
        The output folder.
    generation : str
        Id of the new generation.
    url : str
        Its folder: write every output of the run under it.
    previous : str
        Folder of the outputs current when the run started: their generation, or ``out``
        itself for a folder without generations.
    """

    out: str
    generation: str
    url: str
    previous: str


@contextmanager
def run_transaction(
    out: str, storage_options: Mapping[str, Any] | None = None, command: str = ""
) -> Iterator[Transaction]:
    """Lock ``out``, yield a new generation to write, and publish it when the block ends.

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
    Transaction
        Where to write.

    Raises
    ------
    picpump.io.store.lock.RunLockedError
        When another live run holds ``out``.
    """
    with run_lock(out, storage_options, command):
        fault_point("lock:acquired")
        previous = current_generation(out, storage_options)
        remove_leftovers(out, [previous] if previous else [], storage_options)
        generation = new_generation_id()
        url = generation_url(out, generation)
        txn = Transaction(out, generation, url, current_folder(out, storage_options))
        try:
            yield txn
        except BaseException:
            remove_leftovers(out, [previous] if previous else [], storage_options)
            raise
        fault_point("switch")
        switch_to(out, generation, storage_options)
        fault_point("switched")
        remove_leftovers(out, [generation], storage_options)


__all__ = ["Transaction", "run_transaction"]
