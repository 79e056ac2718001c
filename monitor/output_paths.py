"""Checks on a file the CLI is about to write, made before any work starts.

Scoring a large file only to learn at the end that the output is a folder, is read-only or
is the input itself wastes the user's time or destroys their data. `check_output_path` finds
those cases up front by creating (and removing) the same temporary file the writer will use.
"""

from __future__ import annotations

import contextlib
import errno
import os
from collections.abc import Iterable
from pathlib import Path

from monitor.errors import UserFacingError


class OutputPathError(UserFacingError):
    """The output cannot be written where asked; the message says what to change."""


def _first_file_ancestor(path: Path) -> Path | None:
    for parent in reversed(path.parents):
        if parent.exists() and not parent.is_dir():
            return parent
    return None


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except OSError:
        return False


def check_output_path(
    output: Path,
    *,
    partial: Path,
    inputs: Iterable[Path] = (),
    create_folders: bool = False,
    example: str = "report.csv",
) -> None:
    """Raise OutputPathError unless `output` can be written through `partial` and renamed.

    `partial` is the temporary file the writer uses; it is created and removed here.
    """
    for source in inputs:
        if _same_file(source, output) or source.resolve() == output.resolve():
            raise OutputPathError(
                f"{output} is the input file: refusing to overwrite it. Choose another output "
                "file name"
            )
    if output.is_dir():
        raise OutputPathError(
            f"{output} is a folder: give a file name inside it, e.g. {output / example}"
        )
    blocking = _first_file_ancestor(output)
    if blocking is not None:
        raise OutputPathError(
            f"{blocking} is a file, not a folder, so {output} cannot be created there: "
            "choose another output path"
        )
    folder = output.parent
    if not folder.is_dir():
        if not create_folders:
            raise OutputPathError(
                f"folder {folder} does not exist: create it or choose another output path"
            )
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise _cannot_write(folder, exc) from exc
    try:
        with partial.open("wb"):
            pass
    except OSError as exc:
        raise _cannot_write(folder, exc) from exc
    finally:
        with contextlib.suppress(OSError):
            partial.unlink()


def _cannot_write(folder: Path, exc: OSError) -> OutputPathError:
    if exc.errno in (errno.EACCES, errno.EPERM):
        why = "permission denied"
    elif exc.errno == errno.EROFS:
        why = "the file system is read-only"
    elif exc.errno == errno.ENOSPC:
        why = "the disk is full"
    else:
        why = (exc.strerror or str(exc)).lower()
    return OutputPathError(
        f"cannot write into folder {folder} ({why}): choose a folder you can write to"
    )


def write_failed(output: Path, exc: OSError) -> OutputPathError:
    """For an OSError while writing: nothing was kept, and why."""
    why = (exc.strerror or str(exc)).lower()
    return OutputPathError(
        f"writing {output} failed ({why}); nothing was written. Free space or choose "
        "another output path, then run again"
    )
