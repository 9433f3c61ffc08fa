"""The translation catalogs (locale/en/LC_MESSAGES/{django,djangojs}.po): how they are
extracted, and what in them is missing.

One procedure for both uses: ``manage.py catalogs`` (``make messages``) brings the
committed catalogs up to date, and the catalog test runs the same extraction into a
temporary directory and fails on any msgid without an English translation. The sources
(the project's apps, templates and static/, vendored libraries left out) are linked into
a scratch directory beside a copy of the catalogs, Django's makemessages runs there with
the project's options, and the result is read back. Strings that live in data files
(the rule set's facility category names) are extracted too: each is written as a
``gettext_noop`` line of a generated file named after the data file and the line it
stands on, so the catalog's reference points at the data (``fixtures/….json:37``).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

DOMAINS = ("django", "djangojs")
LANGUAGE = "en"
#: what makemessages reads, relative to the project: every app, the templates, static/
SOURCE_DIRS = (
    "accounts",
    "analysis",
    "blocks",
    "geoapp",
    "layers",
    "lifecircle",
    "ops",
    "planner",
    "programme",
    "public",
    "runs",
    "siting",
    "static",
    "templates",
    "voice",
)
#: makemessages options (both domains); vendored code is not ours to translate
IGNORE = ("static/maps/vendor/*", "*/migrations/*")
#: data-borne strings shown to users: (data file, path of the strings inside it)
DATA_STRINGS = (("fixtures/rulesets/gb50180_2018.json", ("categories", "*", "name")),)
GENERATED_SUFFIX = ".py"
#: the files makemessages reads (django: py, html, txt; djangojs: js)
SOURCE_SUFFIXES = (".py", ".html", ".txt", ".js")


def locale_dir() -> Path:
    return Path(settings.BASE_DIR) / "locale" / LANGUAGE / "LC_MESSAGES"


# ---------------------------------------------------------------- .po files


@dataclass
class Entry:
    msgid: str = ""
    msgstr: list[str] = field(default_factory=list)
    msgid_plural: str = ""
    flags: set[str] = field(default_factory=set)
    references: list[str] = field(default_factory=list)
    obsolete: bool = False

    @property
    def translated(self) -> bool:
        return bool(self.msgstr) and all(s.strip() for s in self.msgstr)


def _unquote(s: str) -> str:
    s = s.strip()
    if not (s.startswith('"') and s.endswith('"')):
        raise ValueError(f"not a quoted .po string: {s!r}")
    return re.sub(
        r'\\(["\\nt])',
        lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)),
        s[1:-1],
    )


def parse_po(path: Path) -> list[Entry]:
    """The entries of a .po file (the header first; obsolete entries kept, marked)."""
    entries: list[Entry] = []
    cur: Entry | None = None
    target: tuple[str, int | None] = ("msgid", None)

    def append(text: str) -> None:
        name, index = target
        if name == "msgstr":
            cur.msgstr[index or 0] += text
        else:
            setattr(cur, name, getattr(cur, name) + text)

    for raw in path.read_text(encoding="utf-8").splitlines() + [""]:
        line = raw.strip()
        if not line:
            if cur is not None:
                entries.append(cur)
            cur = None
            continue
        if cur is None:
            cur = Entry()
        if line.startswith("#~"):
            cur.obsolete = True
            line = line[2:].strip()
            if not line or line.startswith("|"):
                continue
        elif line.startswith("#,"):
            cur.flags |= {f.strip() for f in line[2:].split(",")}
            continue
        elif line.startswith("#:"):
            cur.references += line[2:].split()
            continue
        elif line.startswith("#"):
            continue
        if line.startswith("msgctxt"):
            raise ValueError(f"{path.name}: msgctxt is not used by this project")
        m = re.match(r"(msgid_plural|msgid|msgstr)(?:\[(\d+)\])?\s+(.*)", line)
        if m:
            name, rest = m.group(1), m.group(3)
            if name == "msgstr":
                cur.msgstr.append("")
                target = ("msgstr", len(cur.msgstr) - 1)
            else:
                target = (name, None)
            append(_unquote(rest))
        else:
            append(_unquote(line))
    return entries


def messages(path: Path) -> list[Entry]:
    """The live entries (no header, no obsolete ones)."""
    return [e for e in parse_po(path) if e.msgid and not e.obsolete]


# ---------------------------------------------------------------- data strings


def _walk(value, keys):
    if not keys:
        if isinstance(value, str) and value:
            yield value
        return
    head, rest = keys[0], keys[1:]
    if head == "*":
        items = value if isinstance(value, list) else list(value.values())
        for item in items:
            yield from _walk(item, rest)
    elif isinstance(value, dict) and head in value:
        yield from _walk(value[head], rest)


def data_strings(base: Path) -> dict[str, list[tuple[str, int]]]:
    """Data file → its user-visible strings with the line each stands on."""
    out: dict[str, list[tuple[str, int]]] = {}
    for rel, keys in DATA_STRINGS:
        text = (base / rel).read_text(encoding="utf-8")
        lines = text.splitlines()
        found = []
        for s in dict.fromkeys(_walk(json.loads(text), keys)):
            quoted = json.dumps(s, ensure_ascii=False)
            line = next((i for i, t in enumerate(lines, 1) if quoted in t), 1)
            found.append((s, line))
        out[rel] = found
    return out


def _write_data_module(path: Path, strings: list[tuple[str, int]]) -> None:
    """A Python file xgettext reads: each string's gettext_noop on its data line."""
    rows = [""] * max([line for _, line in strings] + [1])
    for s, line in strings:
        call = f"gettext_noop({json.dumps(s, ensure_ascii=False)})"
        rows[line - 1] = f"{rows[line - 1]}; {call}" if rows[line - 1] else call
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")


# ---------------------------------------------------------------- extraction


def _link_sources(src: Path, dst: Path) -> None:
    """The directories as directories, the files as links: makemessages writes its
    temporary copies of templates beside them, in the scratch tree, not the project."""
    for dirpath, dirnames, filenames in os.walk(src, followlinks=True):
        dirnames[:] = [d for d in dirnames if not d.startswith((".", "__"))]
        here = dst / Path(dirpath).relative_to(src)
        here.mkdir(parents=True, exist_ok=True)
        for f in filenames:
            if f.endswith(SOURCE_SUFFIXES):
                (here / f).symlink_to(Path(dirpath) / f)


def extract(workdir: Path, base: Path | None = None) -> Path:
    """Run makemessages for both domains in ``workdir`` over the project's sources
    (linked, not copied) and a copy of its catalogs; returns the scratch LC_MESSAGES."""
    base = Path(base or settings.BASE_DIR)
    for name in SOURCE_DIRS:
        _link_sources(base / name, workdir / name)
    for rel, strings in data_strings(base).items():
        _write_data_module(workdir / (rel + GENERATED_SUFFIX), strings)
    out = workdir / "locale" / LANGUAGE / "LC_MESSAGES"
    out.mkdir(parents=True)
    for domain in DOMAINS:
        src = base / "locale" / LANGUAGE / "LC_MESSAGES" / f"{domain}.po"
        if src.exists():
            shutil.copy(src, out / f"{domain}.po")
    ignores = [a for pattern in IGNORE for a in ("--ignore", pattern)]
    for domain in DOMAINS:
        subprocess.run(
            [sys.executable, str(base / "manage.py"), "makemessages"]
            + ["--locale", LANGUAGE, "--domain", domain]
            + ["--verbosity", "0", *ignores],
            cwd=workdir,
            check=True,
        )
        po = out / f"{domain}.po"
        # references to the generated files name the data file itself
        text = po.read_text(encoding="utf-8")
        for rel, _keys in DATA_STRINGS:
            text = text.replace(f" {rel}{GENERATED_SUFFIX}:", f" {rel}:")
        po.write_text(text, encoding="utf-8")
    return out


@dataclass
class Gap:
    domain: str
    msgid: str
    why: str  # "untranslated" or "fuzzy"
    references: list[str]

    def __str__(self) -> str:
        where = " ".join(self.references) or "?"
        return f"{self.domain}.po  {self.why:<12} {self.msgid!r}  ({where})"


def gaps(scratch: Path) -> list[Gap]:
    """Every msgid of the extracted catalogs with no English, or a fuzzy one."""
    found = []
    for domain in DOMAINS:
        for e in messages(scratch / f"{domain}.po"):
            if not e.translated:
                found.append(Gap(domain, e.msgid, "untranslated", e.references))
            elif "fuzzy" in e.flags:
                found.append(Gap(domain, e.msgid, "fuzzy", e.references))
    return found


def stale(scratch: Path, committed: Path | None = None) -> list[tuple[str, str]]:
    """Msgids of the committed catalogs that no source marks (an update drops them:
    mark a string made at run time with gettext_noop where it is defined)."""
    committed = committed or locale_dir()
    out = []
    for domain in DOMAINS:
        live = {e.msgid for e in messages(scratch / f"{domain}.po")}
        for e in messages(committed / f"{domain}.po"):
            if e.msgid not in live:
                out.append((domain, e.msgid))
    return out


def check() -> tuple[list[Gap], list[tuple[str, str]]]:
    with tempfile.TemporaryDirectory(prefix="catalogs-") as tmp:
        scratch = extract(Path(tmp))
        return gaps(scratch), stale(scratch)


def _undated(po: Path) -> str:
    return re.sub(r'(?m)^"POT-Creation-Date: .*"$', "", po.read_text(encoding="utf-8"))


def update() -> list[Gap]:
    """Extract in a scratch directory, copy the catalogs back, compile them."""
    with tempfile.TemporaryDirectory(prefix="catalogs-") as tmp:
        scratch = extract(Path(tmp))
        target = locale_dir()
        for domain in DOMAINS:
            new, old = scratch / f"{domain}.po", target / f"{domain}.po"
            if not old.exists() or _undated(new) != _undated(old):
                shutil.copy(new, old)  # else only the date changed: keep the file
        found = gaps(scratch)
    subprocess.run(
        [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), "compilemessages"]
        + ["--locale", LANGUAGE, "--verbosity", "0"],
        # from inside locale/: compilemessages compiles every locale/ below its
        # directory (a virtualenv's too)
        cwd=target.parent.parent,
        check=True,
    )
    return found
