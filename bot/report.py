"""Trainer report from the conversation store: every finished practice visit (kept in each
trainee's ``roleplay_history`` slot) as a CSV row, and an HTML page with charts (scores over
attempts, average per dimension, most frequent misses)."""

import base64
import csv
import html
import io
import json
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any, Dict, List, Union

from bot.safe_output import chart_text, csv_row, terminal_text

DIMENSIONS = ("acknowledge", "clarify", "value", "next_step", "principle", "no_penalty")


def _url(db: Union[str, Path]) -> str:
    db = str(db)
    return db if "://" in db else f"sqlite:///{Path(db).resolve()}"


def load_attempts(db: Union[str, Path]) -> List[Dict[str, Any]]:
    """Finished visits of every trainee, oldest first, from Rasa's SQL tracker store."""
    import sqlalchemy as sa

    engine = sa.create_engine(_url(db))
    latest: Dict[str, List[Dict[str, Any]]] = {}
    with engine.connect() as conn:
        if not sa.inspect(conn).has_table("events"):
            return []
        rows = conn.execute(sa.text(
            "SELECT sender_id, data FROM events WHERE type_name = 'slot' ORDER BY id"))
        for sender, data in rows:
            event = json.loads(data)
            if event.get("name") == "roleplay_history" and isinstance(event.get("value"), list):
                latest[sender] = event["value"]
    engine.dispose()
    attempts = [{"trainee": sender, "attempt": i + 1, **entry}
                for sender, history in latest.items() for i, entry in enumerate(history)]
    return sorted(attempts, key=lambda a: (a.get("finished_at", ""), a["trainee"]))


def _png(fig: Any) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100, bbox_inches="tight")
    return base64.b64encode(buf.getvalue()).decode()


def write_report(attempts: List[Dict[str, Any]], out_dir: Path) -> List[Path]:
    """Writes ``attempts.csv`` and ``report.html`` into ``out_dir``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out_dir.mkdir(parents=True, exist_ok=True)
    csv_path, html_path = out_dir / "attempts.csv", out_dir / "report.html"
    fields = ["trainee", "attempt", "persona", "level", "outcome", "total", "turns", "finished_at"] + \
        [f"dim_{d}" for d in DIMENSIONS] + ["missed"]
    with open(csv_path, "w", newline="", encoding="utf-8-sig") as f:  # BOM: Excel opens Chinese correctly
        w = csv.DictWriter(f, fieldnames=fields)
        w.writeheader()
        for a in attempts:
            row = {k: a.get(k) for k in fields[:8]}
            row.update({f"dim_{d}": (a.get("dimensions") or {}).get(d) for d in DIMENSIONS})
            row["missed"] = " ".join(a.get("missed") or [])
            w.writerow(csv_row(row))  # a trainee id like =HYPERLINK(...) is no formula to Excel

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
        "<tr>" + "".join(f"<td>{html.escape(terminal_text(a.get(k, '')))}</td>"
                         for k in ("trainee", "attempt", "persona", "level", "outcome", "total", "finished_at"))
        + "</tr>" for a in attempts)
    images = "".join(f'<img alt="chart" src="data:image/png;base64,{c}">' for c in charts)
    page = f"""<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>销售陪练报告</title>
<style>body{{font-family:sans-serif;margin:2em}}table{{border-collapse:collapse}}td,th{{border:1px solid #ccc;padding:4px 8px}}img{{display:block;margin:1em 0}}</style>
</head><body>
<h1>销售陪练报告</h1>
<p>共 {len(attempts)} 次练习，{len({a['trainee'] for a in attempts})} 位学员。</p>
{images or "<p>还没有完成的练习。</p>"}
<table><tr><th>学员</th><th>第几次</th><th>顾客角色</th><th>难度</th><th>结果</th><th>总分</th><th>完成时间</th></tr>{rows}</table>
</body></html>
"""
    html_path.write_text(page, encoding="utf-8")
    return [html_path, csv_path]
