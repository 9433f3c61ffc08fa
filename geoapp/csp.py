"""The Content-Security-Policy of every response (django-csp sends it; settings build it here).

No script runs unless it is a file served by the app: no ``'unsafe-inline'``, no
``'unsafe-eval'``. Our pages carry no inline script at all (maps are configured from JSON
data elements, see ``geoapp/templatetags/maps.py``); the nonce is for the admin's
django-leaflet widgets, whose inline scripts take ``request.csp_nonce`` (django-leaflet
PR 371), and django-csp adds it to the header only on responses that used it.
"""

from __future__ import annotations

import base64
import hashlib
from urllib.parse import urlsplit

from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

# The one style attribute of a page we serve: django-simple-history's admin history list
# (simple_history/object_history_list.html, `<p class="paginator" style="border-top: 0">`).
# Allowed by its hash alone ('unsafe-hashes' admits hashed attribute values, nothing else).
THIRD_PARTY_STYLE_ATTRIBUTES = ("border-top: 0",)


def _hash_source(text: str) -> str:
    digest = base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()
    return f"'sha256-{digest}'"


def tile_source(url: str) -> str | None:
    """The CSP source that lets the browser load the tiles of a Leaflet URL template.

    ``None`` for an empty or same-origin (relative) URL, which ``'self'`` covers. A
    ``{s}`` subdomain placeholder becomes CSP's wildcard, which may only stand for the
    leftmost label: ``https://t{s}.tianditu.gov.cn/...`` → ``https://*.tianditu.gov.cn``.
    """
    if not url:
        return None
    parts = urlsplit(url)
    if not parts.netloc:
        return None
    if parts.scheme not in ("http", "https"):
        raise ImproperlyConfigured(f"MAP_TILES_URL must be http(s): {url!r}")
    host, _, port = parts.netloc.rpartition("@")[2].partition(":")
    labels = host.split(".")
    if "{" in labels[0]:
        labels[0] = "*"
    if any("{" in label for label in labels) or "{" in port:
        raise ImproperlyConfigured(
            f"MAP_TILES_URL may have a placeholder only in its first host label: {url!r}"
        )
    return f"{parts.scheme}://{'.'.join(labels)}{':' + port if port else ''}"


def content_security_policy(*, tiles_url: str = "") -> dict:
    """django-csp's ``CONTENT_SECURITY_POLICY`` for the app (SECURITY.md F3, F4)."""
    img_src = [SELF]
    if tiles_url:
        # the tile host, and data: for the blank GIF Leaflet swaps into tiles it drops
        # (L.Util.emptyImageUrl); without a basemap nothing needs data: images
        img_src += [src for src in (tile_source(tiles_url), "data:") if src]
    return {
        "DIRECTIVES": {
            "default-src": [SELF],
            "script-src": [SELF, NONCE],
            # Leaflet positions and colours its elements through the CSSOM
            # (element.style.…), which CSP does not restrict, and draws vectors with SVG
            # presentation attributes; our templates have no <style> element and no
            # style="" attribute. So 'self' suffices, and injected CSS (exfiltration by
            # attribute selectors, UI redressing) is refused.
            "style-src": [SELF],
            "style-src-attr": [
                "'unsafe-hashes'",
                *map(_hash_source, THIRD_PARTY_STYLE_ATTRIBUTES),
            ],
            "img-src": img_src,
            "connect-src": [SELF],
            "object-src": [NONE],
            "base-uri": [SELF],
            "form-action": [SELF],
            "frame-ancestors": [NONE],
        }
    }
