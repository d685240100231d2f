"""Pure helpers for user text: what we store and export must survive Excel and XML."""

from __future__ import annotations

import re
import unicodedata

# Word's soft line break (\x0b) and old line endings become plain line breaks.
_LINE_BREAKS = re.compile(r"\r\n|\r|\x0b")
# XML 1.0 (and so xlsx) forbids these, lone surrogates included.
_ILLEGAL = re.compile(r"[\x00-\x08\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def strip_illegal(value: str) -> str:
    """Text that XML and Excel accept: line breaks normalised, illegal characters dropped."""
    return _ILLEGAL.sub("", _LINE_BREAKS.sub("\n", value))


def clean_text(value: str | None) -> str:
    """What a form field stores: spreadsheet-safe characters, no surrounding space."""
    if value is None:
        return ""
    return strip_illegal(value).strip()


def slug(text: str, fallback: str, limit: int = 60) -> str:
    """Lower-case ASCII words joined by '-', or the fallback when nothing is left.

    Safe in file names and URLs; accents are folded ("Équipe" -> "equipe") rather than lost.
    """
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return words[:limit].rstrip("-") or fallback
