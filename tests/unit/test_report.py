"""The trainer report (bot.roleplay.report.write_report) with sender ids and persona names nobody expected:
mathtext dollars, spreadsheet formulas, terminal escape sequences."""

import csv

import pytest

from bot.roleplay import report

HOSTILE = ["wx$_$", "$x$", '=HYPERLINK("http://evil.example","点我")', "李\x1b[2J\u202e"]


def attempt(trainee: str, n: int, persona: str = "price_sensitive_first_buyer") -> dict:
    return {
        "trainee": trainee,
        "attempt": n,
        "persona": persona,
        "level": "normal",
        "outcome": "walk_out",
        "total": 40 + n,
        "turns": 3,
        "finished_at": f"2026-11-2{n}T10:00:00+00:00",
        "dimensions": {"acknowledge": 50, "value": 30},
        "missed": ["value", "$\\frac$"],
    }


@pytest.mark.filterwarnings("ignore:Glyph .* missing from current font")  # no CJK font on CI machines
def test_the_report_draws_and_writes_any_sender_id_literally(tmp_path, monkeypatch):
    attempts = [attempt(t, 1) for t in HOSTILE] + [attempt("u2", 2, persona="$^$ -1")]
    legends = []
    draw = report._png

    def png(fig):
        legend = fig.axes[0].get_legend()
        legends.extend(t.get_text() for t in (legend.get_texts() if legend else []))
        return draw(fig)  # mathtext raised ValueError here on wx$_$

    monkeypatch.setattr(report, "_png", png)
    html_file, csv_file = report.write_report(attempts, tmp_path)

    # Drawn literally: Matplotlib shows \$ as $ outside mathtext, and no label is mathtext.
    from matplotlib import cbook

    assert not any(cbook.is_math_text(t) for t in legends)
    assert [t.replace("\\$", "$") for t in legends] == [
        "wx$_$ / price_sensitive_first_buyer",
        "$x$ / price_sensitive_first_buyer",
        '=HYPERLINK("http://evil.example","点我") / price_sensitive_first_buyer',
        "李\\x1b[2J\\u202e / price_sensitive_first_buyer",
        "u2 / $^$ -1",
    ]

    with open(csv_file, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [r["trainee"] for r in rows] == [
        "wx$_$",
        "$x$",
        '\'=HYPERLINK("http://evil.example","点我")',
        "李\x1b[2J\u202e",
        "u2",
    ]
    assert rows[-1]["persona"] == "$^$ -1" and rows[0]["total"] == "41"

    page = html_file.read_text(encoding="utf-8")
    assert "\x1b" not in page and "\u202e" not in page and "李\\x1b[2J\\u202e" in page
    assert "wx$_$" in page and "=HYPERLINK(&quot;http://evil.example&quot;" in page
    assert page.count("data:image/png;base64,") == 3
