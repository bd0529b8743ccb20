"""Text that customers and trainees typed (names, sender ids, models), written where it could act
instead of being read: a spreadsheet, a terminal, a chart.

* ``csv_cell``: a cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is a
  formula to Excel and LibreOffice (``=HYPERLINK(...)``, ``=cmd|' /C calc'!A0``); it gets a leading
  ``'``, as OWASP recommends ("CSV Injection"), which the spreadsheet shows as text.
* ``terminal_text``: control characters (ESC and the rest of C0, DEL, C1) and the Unicode bidi
  controls (U+202A-U+202E, U+2066-U+2069, U+200E, U+200F, U+061C) are written as visible escapes
  (``\\x1b``, ``\\u202e``), so a name can neither send escape sequences to the terminal nor reorder
  the line around it.
* ``chart_text``: the same, and every ``$`` escaped, so Matplotlib draws the text literally instead
  of parsing ``$...$`` as mathtext (which fails on ``wx$_$`` and renders ``$x$`` in italics).
"""

from typing import Any, Dict, Mapping

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
BIDI_CONTROLS = [0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)]
_ESCAPES: Dict[int, str] = {
    **{c: f"\\x{c:02x}" for c in [*range(0x00, 0x20), *range(0x7F, 0xA0)]},
    **{c: f"\\u{c:04x}" for c in BIDI_CONTROLS},
}


def csv_cell(value: Any) -> Any:
    """The value as a CSV cell no spreadsheet takes for a formula (text only: numbers and dates as they are)."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def csv_row(row: Mapping[str, Any]) -> Dict[str, Any]:
    return {k: csv_cell(v) for k, v in row.items()}


def terminal_text(value: Any) -> str:
    """The value as text with control and bidi characters shown as escapes: ``李\\x1b[2J`` prints as typed."""
    return str(value).translate(_ESCAPES)


def chart_text(value: Any) -> str:
    """The value as a Matplotlib label drawn literally: controls escaped, then ``$`` as ``\\$``."""
    return terminal_text(value).replace("$", r"\$")
