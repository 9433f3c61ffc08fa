"""Exceptions raised by the import/export core.

Every refusal is an :class:`ImportRejected` (a ``ValueError``) carrying a short
machine-readable ``code`` and a human message, so a Django view can turn it into
a 4xx response without a stack trace.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from layers.io.mapping import SourcePreview


class ImportRejected(ValueError):
    """The upload is refused; ``code`` names the reason, ``str(exc)`` explains it."""

    code = "rejected"
    #: the columns and first rows of the file, when it was read this far (upload page)
    preview: SourcePreview | None = None
    #: the layer the file was refused for, when known (the upload page names it)
    layer: str | None = None

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code

    @property
    def message(self) -> str:
        return str(self)


class UnsafeFile(ImportRejected):
    """Hostile or disallowed content (zip slip, bomb, VRT, external reference...)."""

    code = "unsafe_file"


class UnsupportedFormat(ImportRejected):
    """The format or the GDAL driver detected is not on the allowlist."""

    code = "unsupported_format"


class TooLarge(ImportRejected):
    """A size, count or dimension limit is exceeded."""

    code = "too_large"


class NeedsInput(ImportRejected):
    """The file is fine but ambiguous: the caller must give CRS, encoding or layer."""

    code = "needs_input"


class OutOfExtent(ImportRejected):
    """Coordinates fall outside the expected city extent after reprojection."""

    code = "out_of_extent"


class UnsafeEnvironment(RuntimeError):
    """GDAL is not configured safely; the application must refuse to start."""
