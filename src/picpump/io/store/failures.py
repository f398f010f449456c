"""Storage and network failures as picpump messages (rule, received, fix) instead of tracebacks.

:func:`as_picpump_error` recognises the failures a user can fix — a read-only or full output
folder, a denied path, an unreachable http server, object-store credentials missing — and
returns an :class:`~picpump.errors.InputError` naming the file or URL; anything else is left
to propagate as a bug.
"""

from __future__ import annotations

import errno
import os
import shutil

from picpump.errors import InputError, PicpumpError, explain
from picpump.redact import redact

_GIB = 1024**3


def _chain(err: BaseException) -> list[BaseException]:
    """List the error and its causes and contexts, outermost first (cycles cut)."""
    seen: list[BaseException] = []
    current: BaseException | None = err
    while current is not None and all(current is not s for s in seen):
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen


def free_space(path: str) -> str:
    """Free space on the disk holding ``path`` (or its nearest existing parent), in words."""
    probe = os.path.abspath(path)
    while probe and not os.path.exists(probe):
        parent = os.path.dirname(probe)
        if parent == probe:
            break
        probe = parent
    try:
        free = shutil.disk_usage(probe or "/").free
    except OSError:
        return "free space unknown"
    return f"{free / _GIB:.2f} GiB free on the disk of {probe}"


def _os_error(err: OSError, where: str) -> PicpumpError | None:
    path = str(err.filename or where or "(path not reported)")
    if err.errno == errno.ENOSPC:
        rule = "the output folder's disk must hold the run's products"
        received = f"disk full (ENOSPC) writing {path}; {free_space(path)}"
        return InputError(explain(rule, received, "free space there or choose another --out"))
    if err.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        reason = "read-only file system" if err.errno == errno.EROFS else "permission denied"
        return InputError(
            explain(
                "the output folder must be writable and the inputs readable",
                f"{path}: {reason}",
                "choose a writable --out (or fix the permissions of that path)",
            )
        )
    return None


def _network_error(err: BaseException, where: str) -> PicpumpError | None:
    kind = type(err).__name__
    module = type(err).__module__
    if kind.endswith("CredentialsError") and module.startswith("botocore"):
        bucket = where if where.startswith("s3://") else "an s3:// input or output"
        return InputError(
            explain(
                "reading or writing s3:// needs credentials",
                f"{bucket}: {err}",
                "set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or AWS_PROFILE, "
                "or storage_options {anon: true} for a public bucket",
            )
        )
    if module.startswith("aiohttp") and ("Connect" in kind or "Connection" in kind):
        host = getattr(err, "host", None)
        server = f"http server {host}:{getattr(err, 'port', '')}" if host else "an http server"
        return InputError(
            explain(
                "an http input must be reachable",
                f"{server}: {redact(str(err))}",
                "check the URL, the network and the server, or use a local mirror (--param)",
            )
        )
    return None


def as_picpump_error(err: BaseException, where: str = "") -> PicpumpError | None:
    """Return the picpump error a user-fixable storage or network failure stands for.

    Parameters
    ----------
    err : BaseException
        The failure caught at the top of a command.
    where : str, optional
        The output folder or URL the command works on, named when the error carries no path.

    Returns
    -------
    PicpumpError or None
        A message naming the path or URL, the rule and the fix; ``None`` when ``err`` (and
        its causes) is none of the recognised failures.
    """
    if isinstance(err, PicpumpError):
        return err
    for cause in _chain(err):
        found = _os_error(cause, where) if isinstance(cause, OSError) else None
        found = found or _network_error(cause, where)
        if found is not None:
            return found
    return None


__all__ = ["as_picpump_error", "free_space"]
