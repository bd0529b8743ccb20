"""Customer-typed text in spreadsheets, terminals and charts: formulas neutralised, control and
bidi characters shown escaped, dollar signs drawn literally."""

import pytest

from bot.privacy.safe_output import chart_text, csv_cell, csv_row, terminal_text


@pytest.mark.parametrize(
    "value",
    [
        '=HYPERLINK("http://evil.example","点我")',
        "+86 138",
        "-2+3",
        "@SUM(A1)",
        "\t=1+1",
        "\r=1+1",
        "=cmd|' /C calc'!A0",
    ],
)
def test_a_cell_a_spreadsheet_would_take_for_a_formula_starts_with_a_quote(value):
    assert csv_cell(value) == "'" + value


@pytest.mark.parametrize(
    "value",
    ["李先生", "13800138000", "010-62345678", "wx_oUpF8uMuAJO", "", 42, -3, None, '["objection_price"]', " =not first"],
)
def test_other_cells_are_kept(value):
    assert csv_cell(value) == value


def test_a_row():
    assert csv_row({"name": "=1+1", "total": 80}) == {"name": "'=1+1", "total": 80}


@pytest.mark.parametrize(
    "typed, shown",
    [
        ("李\x1b[2J\x1b]0;pwned\x07", "李\\x1b[2J\\x1b]0;pwned\\x07"),  # clear screen, set the window title
        ("a\x9b31mb", "a\\x9b31mb"),  # C1 CSI
        ("x\x00y\x7fz", "x\\x00y\\x7fz"),
        ("two\nlines\rback\ttab", "two\\x0alines\\x0dback\\x09tab"),  # a name cannot forge a line of its own
        ("\u202etxt.exe", "\\u202etxt.exe"),
        ("a\u202ab\u202bc\u202cd\u202de", "a\\u202ab\\u202bc\\u202cd\\u202de"),
        ("\u2066a\u2067b\u2068c\u2069", "\\u2066a\\u2067b\\u2068c\\u2069"),
        ("\u200e\u200f\u061c", "\\u200e\\u200f\\u061c"),
        ("王女士 远山 ¥158,000", "王女士 远山 ¥158,000"),
    ],
)
def test_control_and_bidi_characters_are_shown_escaped(typed, shown):
    assert terminal_text(typed) == shown


def test_chart_text_has_no_mathtext_and_no_controls():
    from matplotlib import cbook

    label = chart_text("wx$_$ \x1b[31m $x$")
    assert label == r"wx\$_\$ \x1b[31m \$x\$" and not cbook.is_math_text(label)
