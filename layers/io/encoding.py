"""Text encoding detection for DBF attribute tables and CSV files.

Chinese shapefiles made by older desktop GIS are usually GBK/GB18030 without a
``.cpg`` file; newer ones are UTF-8. The rule (ours):

1. ``.cpg`` present → use it (``936``/``GBK``/``CP936`` → GB18030, a superset).
2. Otherwise decode the raw record bytes: pure ASCII → UTF-8; valid UTF-8 with
   multi-byte characters → UTF-8 (GBK text is almost never valid UTF-8);
   valid GB18030 with at least one CJK ideograph → GB18030.
3. Otherwise refuse and ask the user for ``--encoding`` (never guess into mojibake).
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path

from layers.io.errors import NeedsInput

_CPG_ALIASES = {
    "936": "GB18030",
    "cp936": "GB18030",
    "gbk": "GB18030",
    "gb2312": "GB18030",
    "gb18030": "GB18030",
    "65001": "UTF-8",
    "utf-8": "UTF-8",
    "utf8": "UTF-8",
    "950": "BIG5",
    "big5": "BIG5",
    "1252": "CP1252",
    "ansi 1252": "CP1252",
    "88591": "ISO-8859-1",
    "iso-8859-1": "ISO-8859-1",
    "latin-1": "ISO-8859-1",
    "latin1": "ISO-8859-1",
}
_CJK = re.compile(r"[\u3400-\u9fff]")


def normalise_encoding(name: str) -> str:
    """Map a .cpg/user encoding name to a Python/iconv name; refuse unknown ones."""
    key = name.strip().lower()
    enc = _CPG_ALIASES.get(key, name.strip())
    try:
        codecs.lookup(enc)
    except LookupError as exc:
        msg = f"unknown text encoding {name!r}"
        raise NeedsInput(msg, code="bad_encoding") from exc
    return enc


def read_cpg(dbf: Path) -> str | None:
    for cand in dbf.parent.iterdir():
        if cand.stem == dbf.stem and cand.suffix.lower() == ".cpg":
            text = cand.read_bytes()[:64].decode("ascii", "replace").strip()
            return normalise_encoding(text) if text else None
    return None


def detect_bytes_encoding(data: bytes) -> str | None:
    """Return 'UTF-8', 'GB18030' or None (undecidable) for a sample of text bytes."""
    if data.isascii():
        return "UTF-8"
    try:
        data.decode("utf-8")
        return "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        return None
    return "GB18030" if _CJK.search(text) else None


def _whole_chars(name: bytes) -> bytes:
    """A DBF field name without the half character its 10-byte limit may have cut."""
    for cut in range(min(3, len(name)) + 1):
        part = name[: len(name) - cut]
        for enc in ("utf-8", "gb18030"):
            try:
                part.decode(enc)
            except UnicodeDecodeError:
                continue
            return part
    return b""


def dbf_record_bytes(dbf: Path, limit: int = 4 * 1024 * 1024) -> bytes:
    """The raw bytes of the field names and of the character fields of the first
    records of a .dbf (the names count: a file of numbers under Chinese column names
    is still GBK)."""
    with open(dbf, "rb") as fh:
        head = fh.read(32)
        header_len = int.from_bytes(head[8:10], "little")
        record_len = int.from_bytes(head[10:12], "little")
        fields = []
        names = bytearray()
        offset = 1  # deletion flag
        while fh.tell() < header_len - 1:
            desc = fh.read(32)
            if len(desc) < 32 or desc[0] == 0x0D:
                break
            names += _whole_chars(desc[:11].split(b"\x00", 1)[0]) + b"\n"
            ftype, flen = chr(desc[11]), desc[16]
            if ftype in "CM":
                fields.append((offset, flen))
            offset += flen
        fh.seek(header_len)
        data = fh.read(min(limit, max(record_len, 1) * 20000))
    out = bytearray(names)
    for start in range(0, len(data) - record_len + 1, max(record_len, 1)):
        rec = data[start : start + record_len]
        for off, flen in fields:
            out += rec[off : off + flen].rstrip(b" \x00") + b"\n"
    return bytes(out)


def detect_dbf_encoding(dbf: Path) -> str:
    """Encoding of a shapefile's attributes: .cpg if present, else detected."""
    cpg = read_cpg(dbf)
    if cpg:
        return cpg
    enc = detect_bytes_encoding(dbf_record_bytes(dbf))
    if enc is None:
        msg = (
            f"{dbf.name}: the text encoding of the attributes cannot be detected "
            "(no .cpg file); give it explicitly, e.g. --encoding GBK or UTF-8"
        )
        raise NeedsInput(msg, code="needs_encoding")
    return enc


def decode_text_file(data: bytes, encoding: str | None = None) -> str:
    """Decode a CSV/text upload: explicit encoding, else UTF-8 (BOM ok), else GB18030."""
    if encoding:
        return data.decode(normalise_encoding(encoding))
    if data.startswith(codecs.BOM_UTF8):
        return data[3:].decode("utf-8")
    enc = detect_bytes_encoding(data)
    if enc is None:
        msg = "the text encoding cannot be detected; give it, e.g. --encoding GBK"
        raise NeedsInput(msg, code="needs_encoding")
    return data.decode(enc)
