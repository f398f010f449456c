r"""Safe rendering of user values into SLURM job scripts.

dask-jobqueue builds the worker job script by string formatting: ``#SBATCH`` lines as
``"#SBATCH -p %s" % queue`` and the worker command as ``" ".join(args)``, without quoting. A
value with a space splits into two arguments, and ``$(...)``, backticks or ``;`` in a worker
argument run in the job's shell. picpump therefore renders every value before handing it over:

- worker command words (``python``, ``local_directory``, ``worker_extra_args``, ``environment``
  values) are single-quoted for bash; only ``$NAME`` and ``${NAME}`` are left to expand (as
  ``"${NAME}"``), so ``$TMPDIR/dask`` works and ``$(rm -rf ~)`` stays literal text;
- ``#SBATCH`` values are quoted for sbatch's own parser (double quotes with ``\\`` and ``\"``
  escaped; sbatch does no ``$`` or ``$(...)`` expansion, but it splits on spaces and drops
  backslashes and ``#`` comments outside quotes);
- newlines and other control characters are refused everywhere: they would start a new line of
  the script.
"""

from __future__ import annotations

import re
import shlex

from picpump.errors import ClusterError, explain

_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
_ENV_REF = re.compile(r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))")
_SBATCH_SAFE = re.compile(r"[A-Za-z0-9_@%+=:,./-]+")
_DIRECTIVE = re.compile(r"(--[A-Za-z][A-Za-z0-9-]*|-[A-Za-z])(?:(=|[ \t]+)(.*))?", re.DOTALL)


def single_line(where: str, value: str) -> str:
    """Refuse a value that holds a newline or another control character.

    Parameters
    ----------
    where : str
        The profile key, for the message.
    value : str
        The value.

    Returns
    -------
    str
        ``value`` unchanged.
    """
    match = _CONTROL.search(value)
    if match:
        raise ClusterError(
            explain(
                f"{where} must be a single line of printable text",
                f"{value!r} (holds {match.group()!r})",
                "remove the newline or control character",
            )
        )
    return value


def shell_word(value: str, where: str = "a worker argument") -> str:
    """Render ``value`` as one bash word; ``$NAME`` and ``${NAME}`` still expand.

    Parameters
    ----------
    value : str
        Literal text, possibly with environment-variable references.
    where : str, optional
        The profile key, for error messages.

    Returns
    -------
    str
        A bash word that expands to ``value`` (with the variables substituted) and to nothing
        else: no command substitution, globbing or word splitting.

    Examples
    --------
    >>> shell_word("/scratch/my dir")
    "'/scratch/my dir'"
    >>> shell_word("$TMPDIR/dask")
    '"${TMPDIR}"/dask'
    >>> shell_word("$(rm -rf ~)")
    "'$(rm -rf ~)'"
    """
    single_line(where, value)
    parts: list[str] = []
    pos = 0
    for ref in _ENV_REF.finditer(value):
        if ref.start() > pos:
            parts.append(shlex.quote(value[pos : ref.start()]))
        parts.append(f'"${{{ref.group(1) or ref.group(2)}}}"')
        pos = ref.end()
    if pos < len(value) or not parts:
        parts.append(shlex.quote(value[pos:]))
    return "".join(parts)


def sbatch_word(value: str, where: str = "an #SBATCH value") -> str:
    r"""Render ``value`` for an ``#SBATCH`` line, as sbatch's parser reads it back.

    Parameters
    ----------
    value : str
        Literal text.
    where : str, optional
        The profile key, for error messages.

    Returns
    -------
    str
        ``value`` itself when it has only safe characters, else double-quoted with ``\\``
        and ``"`` escaped.

    Examples
    --------
    >>> sbatch_word("gpu:1")
    'gpu:1'
    >>> print(sbatch_word('run "A" & co'))
    "run \"A\" & co"
    """
    single_line(where, value)
    if _SBATCH_SAFE.fullmatch(value):
        return value
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def sbatch_directive(entry: str, where: str = "job_extra_directives") -> str:
    """Render one extra ``#SBATCH`` option (without the ``#SBATCH`` prefix).

    Parameters
    ----------
    entry : str
        ``--name=value``, ``--name value``, ``-x value`` or ``--flag``. The value is literal
        text (no quoting needed: picpump quotes it).
    where : str, optional
        The profile key, for error messages.

    Returns
    -------
    str
        ``--name=<value>``, ``-x <value>`` or ``--flag``, with the value quoted.

    Examples
    --------
    >>> sbatch_directive("--comment=ocean colour run")
    '--comment="ocean colour run"'
    >>> sbatch_directive("-C haswell")
    '-C haswell'
    """
    single_line(where, entry)
    match = _DIRECTIVE.fullmatch(entry.strip())
    if match is None:
        raise ClusterError(
            explain(
                f"each {where} entry must be one sbatch option",
                repr(entry),
                "write '--name=value', '--name value', '-x value' or '--flag'",
            )
        )
    option, _, value = match.groups()
    if value is None:
        return option
    word = sbatch_word(value.strip(), where)
    return f"{option}={word}" if option.startswith("--") else f"{option} {word}"


__all__ = ["sbatch_directive", "sbatch_word", "shell_word", "single_line"]
