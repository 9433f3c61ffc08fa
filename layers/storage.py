"""File storages: media files written whole or not at all; hashed static files."""

from __future__ import annotations

import os

from django.core.files.storage import FileSystemStorage
from whitenoise.storage import CompressedManifestStaticFilesStorage

from layers.files import atomic_path


class AtomicFileSystemStorage(FileSystemStorage):
    """Uploaded media (photos) land under their name only once completely written:
    a full disk or a failed write leaves no truncated file behind."""

    def _save(self, name, content):
        full = self.path(name)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        if os.path.exists(full):
            name = self.get_available_name(name)
            full = self.path(name)
        with atomic_path(full) as tmp, open(tmp, "wb") as fh:
            if hasattr(content, "seek"):
                content.seek(0)
            for chunk in content.chunks():
                fh.write(chunk)
        if self.file_permissions_mode is not None:
            os.chmod(full, self.file_permissions_mode)
        return str(name).replace("\\", "/")


class StaticStorage(CompressedManifestStaticFilesStorage):
    """Hashed names also inside the ES modules: ``import … from "./lib/x.js"`` is
    rewritten to the hashed file, so a page never loads one module twice under two
    names (Django's ``support_js_module_import_aggregation``)."""

    support_js_module_import_aggregation = True

    def url_converter(self, name, hashed_files, template=None):
        """Leave a vendor file's ``sourceMappingURL`` alone when the map is not shipped
        (browsers ignore a missing map); any other missing reference still fails."""
        convert = super().url_converter(name, hashed_files, template)

        def converter(matchobj):
            try:
                return convert(matchobj)
            except ValueError:
                if matchobj.groupdict().get("url", "").endswith(".map"):
                    return matchobj.group(0)
                raise

        return converter
