"""Pure helpers for user text: what we store and export must survive Excel and XML."""

from __future__ import annotations

import re

# XML 1.0 (and so xlsx) forbids these; \x0b is Word's soft line break, kept as a line break.
_FORBIDDEN = re.compile(r"[\x00-\x08\x0c\x0e-\x1f\ufffe\uffff]")


def clean_text(value: str | None) -> str:
    """Strip characters that cannot be stored in a spreadsheet and tidy line endings."""
    if value is None:
        return ""
    value = value.replace("\r\n", "\n").replace("\r", "\n").replace("\x0b", "\n")
    return _FORBIDDEN.sub("", value).strip()


def slugify(value: str, fallback: str = "file") -> str:
    """An ASCII, lower-case, hyphenated form of a name, safe in file names and URLs."""
    ascii_only = value.encode("ascii", "ignore").decode("ascii").lower()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_only).strip("-")[:80].strip("-")
    return slug or fallback
