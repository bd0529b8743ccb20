"""Trainer report from the conversation store: every finished practice visit as a CSV row, an HTML
page with charts (scores over attempts, average per dimension, most frequent misses) and, once
trainers have corrected the scorer, how often they agree with the rubric per check and the
disagreements (``bot.roleplay.records``; the trainer dashboard shows the same ``summarise`` data)."""

import base64
import csv
import html
import io
import json
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Union

from bot.privacy.safe_output import chart_text, csv_row, terminal_text
from bot.roleplay.records import CORRECTABLE, DIMENSIONS, Correction, load_visits, summarise

CSV_FIELDS = (
    ["trainee", "attempt", "persona", "level", "outcome", "total", "turns", "finished_at"]
    + [f"dim_{d}" for d in DIMENSIONS]
    + ["missed"]
)
DISAGREEMENT_FIELDS = [
    "visit",
    "trainee",
    "turn",
    "objection",
    "attempt",
    "reply",
    "check",
    "rubric",
    "trainer",
    "note",
    "created_at",
]


def load_attempts(db: Union[str, Path, Any]) -> List[Dict[str, Any]]:
    """Finished visits of every trainee, oldest first, from Rasa's SQL tracker store (with their
    turns under ``turn_list``; ``bot.roleplay.records.load_visits``)."""
    return load_visits(db)


def _csv_text(fields: Sequence[str], rows: List[Dict[str, Any]]) -> str:
    buf = io.StringIO()
    buf.write("\ufeff")  # BOM: Excel opens Chinese correctly
    w = csv.DictWriter(buf, fieldnames=list(fields), lineterminator="\r\n")
    w.writeheader()
    for row in rows:
        w.writerow(csv_row(row))  # a trainee id like =HYPERLINK(...) is no formula to Excel
    return buf.getvalue()


def attempts_csv(attempts: Sequence[Dict[str, Any]]) -> str:
    """The attempts as CSV text (with a BOM), one row per finished visit."""
    rows = []
    for a in attempts:
        row = {k: a.get(k) for k in CSV_FIELDS[:8]}
        row.update({f"dim_{d}": (a.get("dimensions") or {}).get(d) for d in DIMENSIONS})
        row["missed"] = " ".join(a.get("missed") or [])
        rows.append(row)
    return _csv_text(CSV_FIELDS, rows)


def disagreements_csv(summary: Dict[str, Any]) -> str:
    """Trainers' disagreements with the rubric as CSV: labelled replies for the next round."""
    return _csv_text(
        DISAGREEMENT_FIELDS, [{k: d.get(k) for k in DISAGREEMENT_FIELDS} for d in summary["agreement"]["disagreements"]]
    )


def agreement_lines(summary: Dict[str, Any]) -> List[str]:
    """Per-check agreement between trainers and the rubric, one line each (for the terminal)."""
    agreement = summary["agreement"]
    lines = [
        f"trainer corrections: {agreement['reviewed_turns']} turns reviewed, "
        f"{len(agreement['disagreements'])} disagreements"
    ]
    for name in CORRECTABLE:
        row = agreement["checks"][name]
        if row["reviewed"]:
            lines.append(f"  {name}: {row['agree']}/{row['reviewed']} agree ({row['rate']:.0%})")
    return lines


def write_summary(summary: Dict[str, Any], out_dir: Path) -> List[Path]:
    """Writes ``summary.json`` (the data the dashboard shows) and ``disagreements.csv``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    json_path, csv_path = out_dir / "summary.json", out_dir / "disagreements.csv"
    json_path.write_text(json.dumps(summary, ensure_ascii=False, indent=1), encoding="utf-8")
    csv_path.write_text(disagreements_csv(summary), encoding="utf-8", newline="")
    return [json_path, csv_path]


def _png(fig: Any) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100, bbox_inches="tight")
    return base64.b64encode(buf.getvalue()).decode()


def write_report(attempts: List[Dict[str, Any]], out_dir: Path, corrections: Sequence[Correction] = ()) -> List[Path]:
    """Writes ``attempts.csv`` and ``report.html`` (with the trainers' agreement with the rubric
    when there are ``corrections``) into ``out_dir``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out_dir.mkdir(parents=True, exist_ok=True)
    csv_path, html_path = out_dir / "attempts.csv", out_dir / "report.html"
    csv_path.write_text(attempts_csv(attempts), encoding="utf-8", newline="")

    # Sender ids and persona names are drawn literally: no mathtext for $...$, controls escaped.
    charts: List[str] = []
    if attempts:
        series: Dict[str, List[int]] = defaultdict(list)
        for a in attempts:
            series[chart_text(f"{a['trainee']} / {a['persona']}")].append(a["total"])
        fig, ax = plt.subplots(figsize=(7, 3.5))
        for label, totals in series.items():
            ax.plot(range(1, len(totals) + 1), totals, marker="o", label=label)
        ax.set_xlabel("attempt")
        ax.set_ylabel("score (0-100)")
        ax.set_ylim(0, 100)
        ax.set_title("Scores over attempts")
        ax.legend(fontsize=7)
        charts.append(_png(fig))
        plt.close(fig)
        fig, ax = plt.subplots(figsize=(7, 3))
        means = [sum((a.get("dimensions") or {}).get(d, 0) for a in attempts) / len(attempts) for d in DIMENSIONS]
        ax.bar(DIMENSIONS, means, color="#3b7dd8")
        ax.set_ylim(0, 100)
        ax.set_title("Average per dimension (% of turns)")
        charts.append(_png(fig))
        plt.close(fig)
        misses = Counter(chart_text(m) for a in attempts for m in a.get("missed") or [])
        if misses:
            fig, ax = plt.subplots(figsize=(7, 3))
            names, counts = zip(*misses.most_common(8))
            ax.barh(names[::-1], counts[::-1], color="#d8763b")
            ax.set_title("Most frequent misses")
            charts.append(_png(fig))
            plt.close(fig)

    rows = "".join(
        "<tr>"
        + "".join(
            f"<td>{html.escape(terminal_text(a.get(k, '')))}</td>"
            for k in ("trainee", "attempt", "persona", "level", "outcome", "total", "finished_at")
        )
        + "</tr>"
        for a in attempts
    )
    agreement = _agreement_html(summarise(attempts, corrections)) if corrections else ""
    images = "".join(f'<img alt="chart" src="data:image/png;base64,{c}">' for c in charts)
    page = f"""<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>销售陪练报告</title>
<style>body{{font-family:sans-serif;margin:2em}}table{{border-collapse:collapse}}td,th{{border:1px solid #ccc;padding:4px 8px}}img{{display:block;margin:1em 0}}</style>
</head><body>
<h1>销售陪练报告</h1>
<p>共 {len(attempts)} 次练习，{len({a['trainee'] for a in attempts})} 位学员。</p>
{images or "<p>还没有完成的练习。</p>"}
<table><tr><th>学员</th><th>第几次</th><th>顾客角色</th><th>难度</th><th>结果</th><th>总分</th><th>完成时间</th></tr>{rows}</table>
{agreement}
</body></html>
"""
    html_path.write_text(page, encoding="utf-8")
    return [html_path, csv_path]


def _agreement_html(summary: Dict[str, Any]) -> str:
    agreement = summary["agreement"]
    rows = "".join(
        f"<tr><td>{html.escape(name)}</td><td>{r['reviewed']}</td><td>{r['agree']}</td>"
        f"<td>{_percent(r['rate'])}</td></tr>"
        for name, r in agreement["checks"].items()
        if r["reviewed"]
    )
    cells = ("visit", "turn", "reply", "check", "rubric", "trainer", "note")
    wrong = "".join(
        "<tr>" + "".join(f"<td>{html.escape(terminal_text(d.get(k, '')))}</td>" for k in cells) + "</tr>"
        for d in agreement["disagreements"]
    )
    return (
        f"<h2>教练校正与评分规则的一致率</h2><p>已校正 {agreement['reviewed_turns']} 轮。</p>"
        f"<table><tr><th>检查项</th><th>校正轮数</th><th>一致</th><th>一致率</th></tr>{rows}</table>"
        f"<h2>不一致的回答（下一轮评分改进的标注数据）</h2>"
        f"<table><tr><th>练习</th><th>轮次</th><th>回答</th><th>检查项</th><th>评分规则</th><th>教练</th><th>备注</th></tr>"
        f"{wrong}</table>"
    )


def _percent(rate: Optional[float]) -> str:
    return "" if rate is None else f"{rate:.0%}"
