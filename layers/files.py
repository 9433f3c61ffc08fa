"""Writing files safely: private scratch directories that always go away, files that
appear whole or not at all, and one test for "the disk is full"."""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

#: write errors that mean "no room" (full disk, quota, file-size limit) or a failing disk
WRITE_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO})


def is_write_error(exc: BaseException | None) -> bool:
    """Is ``exc`` (or what caused it) a failed write of the kind above?"""
    while exc is not None:
        if isinstance(exc, OSError) and exc.errno in WRITE_ERRNOS:
            return True
        exc = exc.__cause__ or exc.__context__
    return False


#: below this much free space, a failed write is taken for a full disk
NEARLY_FULL_BYTES = 1 << 20


def nearly_full(path: str | os.PathLike[str]) -> bool:
    """Has the file system holding ``path`` (almost) no room left? GDAL reports a
    failed write without the system's error number; this tells a full disk apart."""
    p = Path(path)
    while not p.exists() and p != p.parent:
        p = p.parent
    return shutil.disk_usage(p).free < NEARLY_FULL_BYTES


@contextlib.contextmanager
def scratch_dir(
    prefix: str, root: str | os.PathLike[str] | None = None
) -> Iterator[Path]:
    """A private (0700) directory, removed with everything in it on the way out."""
    folder = Path(tempfile.mkdtemp(prefix=prefix, dir=root))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@contextlib.contextmanager
def atomic_path(final: str | os.PathLike[str]) -> Iterator[Path]:
    """A temporary path beside ``final``; renamed onto it when the block succeeds,
    removed when it fails (a half-written file never carries the final name)."""
    final = Path(final)
    fd, tmp = tempfile.mkstemp(
        prefix=f".{final.name}.", suffix=".part", dir=final.parent
    )
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        with open(tmp_path, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp_path, final)
    except BaseException:
        tmp_path.unlink(missing_ok=True)
        raise
