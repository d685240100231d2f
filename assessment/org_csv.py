"""Pure CSV writing for the tidy export that people load into Power BI, R or a spreadsheet.

A CSV cannot mark a cell as text, so a value that a spreadsheet would run as a formula gets a
leading apostrophe (OWASP's advice for CSV; reliability.md 2.1), by the same rule the
workbooks use. Numbers are written as numbers, and None as an empty field, never 0.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from .excel import looks_like_formula

Value = str | int | float | bool | None


def csv_value(value: Value) -> str | int | float:
    """One field: text that could start a formula is prefixed with ', booleans are yes/no."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str) and looks_like_formula(value):
        return "'" + value
    return value


def write_csv(header: Sequence[str], rows: Iterable[Sequence[Value]]) -> str:
    """The rows as CSV text (RFC 4180 quoting, \\r\\n line ends) under the header."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([csv_value(name) for name in header])
    writer.writerows([csv_value(value) for value in row] for row in rows)
    return buffer.getvalue()
