"""The cache the production processes share: Django's file-based cache in a private
directory (``/dev/shm`` by default: memory, no disk writes, no server to run).

The file cache stores pickles, and unpickling runs code: a directory that another
local user could write to would let them run code in the server. So the directory is
created mode 0700 and, before any use, must be owned by this process's user and closed
to group and others; otherwise the backend refuses to start (ImproperlyConfigured).
"""

from __future__ import annotations

import os
import stat

from django.core.cache.backends.base import BaseCache
from django.core.cache.backends.filebased import FileBasedCache
from django.core.exceptions import ImproperlyConfigured


def check_private_dir(path: str) -> None:
    """Create ``path`` (0700) if missing; raise unless it is ours and private."""
    os.makedirs(path, mode=0o700, exist_ok=True)
    st = os.lstat(path)
    if not stat.S_ISDIR(st.st_mode):
        raise ImproperlyConfigured(f"public cache: {path} is not a directory")
    if st.st_uid != os.getuid():
        raise ImproperlyConfigured(
            f"public cache: {path} belongs to uid {st.st_uid}, not to this user "
            f"({os.getuid()}); set GEOAPP_PUBLIC_CACHE_DIR to a directory of its own"
        )
    if st.st_mode & 0o077:
        raise ImproperlyConfigured(
            f"public cache: {path} is open to group or others "
            f"({stat.filemode(st.st_mode)}); chmod 700 it"
        )


class PrivateFileCache(FileBasedCache):
    """:class:`FileBasedCache` that only uses a directory private to this user.

    Nothing is created until the first write (``manage.py check`` instantiates every
    file cache); nothing is read from the directory before it has been checked. Once
    checked it stays ours: only its owner may remove it from a sticky ``/dev/shm``.
    """

    def __init__(self, dir, params):
        # FileBasedCache.__init__ minus its _createdir()
        BaseCache.__init__(self, params)
        self._dir = os.path.abspath(dir)
        self._checked = False

    def _readable(self) -> bool:
        if not self._checked:
            if not os.path.lexists(self._dir):
                return False  # nothing written yet: nothing to read
            check_private_dir(self._dir)
            self._checked = True
        return True

    def get(self, key, default=None, version=None):
        return super().get(key, default, version) if self._readable() else default

    def has_key(self, key, version=None):
        return self._readable() and super().has_key(key, version)

    def _createdir(self):
        # on every write (Django re-creates a deleted directory): create, check again
        check_private_dir(self._dir)
        self._checked = True
