"""``python -m bot <command>``: validate data files, evaluate the NLU, chat in the terminal, practise,
report, list and export leads, forget a person."""

import argparse
import glob
import sys
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Tuple

from bot.constants import DEFAULT_CATALOG_PATH, DEFAULT_LEXICON_DIR
from bot.exceptions import DataFileError


def _validate(args: argparse.Namespace) -> int:
    from bot.nlu.lexicon import load_lexicon
    from bot.playbook.loader import load_playbook

    problems = []
    try:
        lexicon = load_lexicon(args.catalog, args.lexicon)
    except DataFileError as e:
        problems += e.problems
    try:
        from bot.leads.contact import load_consent_lexicon

        load_consent_lexicon(args.lexicon)
    except DataFileError as e:
        problems += e.problems
    try:
        playbook = load_playbook(args.playbook)
    except DataFileError as e:
        problems += e.problems
    try:
        from bot.roleplay.personas import load_personas
        from bot.roleplay.rubric import load_rubric

        personas = load_personas(f"{args.roleplay}/personas")
        load_rubric(f"{args.roleplay}/rubric.yml")
    except DataFileError as e:
        problems += e.problems
    for name, load in _more_data_files(args):
        try:
            load()
        except DataFileError as e:
            problems += e.problems
    if problems:
        print("Data files have problems:", file=sys.stderr)
        for p in problems:
            print(f"  {p}", file=sys.stderr)
        return 1
    print(
        f"ok: {len(lexicon.terms)} entity terms from {args.catalog} and {args.lexicon}; "
        f"{len(playbook.scripts)} scripts for {len(playbook.rules)} objections in {args.playbook}; "
        f"{len(personas)} personas and the rubric in {args.roleplay}"
    )
    return 0


def _more_data_files(args: argparse.Namespace) -> "list[tuple[str, Callable[[], object]]]":
    """The other data files a trainer may edit, each loaded (and so checked) by its own loader."""
    from bot.booking import load_booking_config
    from bot.channels.datafiles import load_channel_texts
    from bot.notify import load_templates
    from bot.playbook.second_objection import CUES_FILE, load_cues
    from bot.product import load_product_knowledge
    from bot.roleplay.labels import FILE_NAME as ROLEPLAY_LABELS
    from bot.roleplay.labels import load_labels

    return [
        ("product answers", lambda: load_product_knowledge(args.catalog, args.lexicon)),
        ("second-objection cues", lambda: load_cues(f"{args.lexicon}/{CUES_FILE}")),
        ("booking texts", lambda: load_booking_config("data/booking.yml")),
        ("team notifications", lambda: load_templates("data/notify.yml")),
        ("channel texts", lambda: load_channel_texts("data/channel_texts.yml")),
        ("roleplay labels", lambda: load_labels(Path(args.roleplay) / ROLEPLAY_LABELS)),
    ]


def _latest_model(models_dir: str = "models") -> Optional[str]:
    models = sorted(Path(models_dir).glob("*.tar.gz"), key=lambda p: p.stat().st_mtime)
    return str(models[-1]) if models else None


def _eval(args: argparse.Namespace) -> int:
    from bot.evaluation.holdout import load_examples, local_parser
    from bot.evaluation.metrics import evaluate, suggest_threshold, write_report
    from bot.yamlfile import read_yaml

    model = args.model or _latest_model()
    if not model:
        print("no trained model in models/: run `make train` first", file=sys.stderr)
        return 2
    examples = load_examples(Path(p) for p in glob.glob(args.holdout))
    report = evaluate(examples, local_parser(model))
    threshold = next(
        (c.get("threshold") for c in read_yaml("config.yml")["pipeline"] if c.get("name") == "FallbackClassifier"), None
    )
    files = write_report(report, Path(args.out), threshold)
    print(report.summary())
    print(f"suggested fallback threshold: {suggest_threshold(report)} (configured: {threshold})")
    print("wrote " + ", ".join(map(str, files)))
    if not report.passed():
        print("below the quality bar (intent macro-F1 >= 0.90, entity F1 >= 0.85)", file=sys.stderr)
        return 1
    return 0


def _chat(args: argparse.Namespace) -> int:
    from bot.chat import run

    return run(args.url, annotations=not args.plain)


def _roleplay(args: argparse.Namespace) -> int:
    from bot.chat import run

    if args.mode == "coach":
        meta = {"roleplay": {"mode": "coach"}}
        return run(args.url, metadata=meta, opening=None)
    meta = {"roleplay": {"mode": "customer", "persona": args.persona, "level": args.level}}
    return run(args.url, metadata=meta, opening="开始练习")


def _report(args: argparse.Namespace) -> int:
    from bot.database import database_settings
    from bot.roleplay.records import load_corrections, load_visits, summarise
    from bot.roleplay.report import agreement_lines, write_report, write_summary

    db = args.db or database_settings().url()
    attempts, corrections = load_visits(db), load_corrections(db)
    files = write_report(attempts, Path(args.out), corrections)
    files += write_summary(summarise(attempts, corrections), Path(args.out))
    print(f"{len(attempts)} practice visits; wrote " + ", ".join(map(str, files)))
    for line in agreement_lines(summarise(attempts, corrections)):
        print(line)
    return 0


def _correct(args: argparse.Namespace) -> int:
    """A trainer's verdict on one turn: the checks the rubric got wrong are flipped."""
    from bot.database import database_settings
    from bot.roleplay.records import (
        CORRECTABLE,
        CorrectionError,
        CorrectionStore,
        find_visit,
        load_visits,
        rubric_verdicts,
    )

    db = args.db or database_settings().url()
    visits = load_visits(db)
    if args.visit is None:
        for v in visits[-args.last :]:
            print(
                f"{v['id']}\t{v['trainee']}\t{v.get('persona')}\t{v.get('total')}\t"
                f"{len(v.get('turn_list') or [])} turns\t{v.get('finished_at')}"
            )
        return 0
    visit = find_visit(visits, args.visit)
    if visit is None:
        print(f"no finished visit {args.visit!r} (list them with `python -m bot correct`)")
        return 2
    turns = visit.get("turn_list") or []
    if args.turn is None:
        for i, t in enumerate(turns, 1):
            said = rubric_verdicts(t)
            print(
                f"{i}. {t.get('reply', '')}\n   " + " ".join(f"{k}={'yes' if said[k] else 'no'}" for k in CORRECTABLE)
            )
        return 0
    wrong = [w.strip() for w in (args.wrong or "").split(",") if w.strip()]
    if args.turn < 1 or args.turn > len(turns):
        print(f"visit {args.visit} has {len(turns)} turns")
        return 2
    said = rubric_verdicts(turns[args.turn - 1])
    unknown = [w for w in wrong if w not in said]
    if unknown:
        print(f"unknown checks: {', '.join(unknown)} (known: {', '.join(CORRECTABLE)})")
        return 2
    store = CorrectionStore(db)
    try:
        rows = store.record(visit, args.turn, {w: not said[w] for w in wrong}, args.note or "")
    except CorrectionError as e:
        print(e)
        return 2
    finally:
        store.close()
    changed = [r.check for r in rows if r.trainer != r.rubric]
    print(f"stored: {visit['id']} turn {args.turn}; rubric wrong on: {', '.join(changed) or 'nothing (agrees)'}")
    return 0


def _leads(args: argparse.Namespace) -> int:
    import datetime as dt

    from bot.database import database_settings
    from bot.leads.store import LeadStore, write_csv
    from bot.privacy.logs import mask_phone
    from bot.privacy.safe_output import terminal_text

    today = dt.date.fromisoformat(args.today) if args.today else dt.date.today()
    store = LeadStore(args.db)
    if args.due == "all":
        leads, title = store.all(), "all leads"
    else:
        until = today if args.due == "today" else today + dt.timedelta(days=6 - today.weekday())
        leads = store.due(until)
        title = f"follow-ups due by {until.isoformat()}" + (" (this week)" if args.due == "week" else "")
    if args.csv:
        if args.csv == "-":
            write_csv(leads, sys.stdout)
        else:
            with open(args.csv, "w", encoding="utf-8-sig", newline="") as f:  # BOM: Excel opens it as UTF-8
                write_csv(leads, f)
            print(f"wrote {len(leads)} leads to {args.csv}", file=sys.stderr)
        return 0
    print(f"{title}: {len(leads)} in {database_settings().describe() if not args.db else args.db}")
    for lead in leads:
        overdue = " OVERDUE" if lead.follow_up_date and lead.follow_up_date < today else ""
        phone = lead.phone if args.show_phone else mask_phone(lead.phone)
        # Names, sender ids and models are what people typed: control and bidi characters shown escaped.
        print(
            terminal_text(
                f"  {lead.follow_up_date}{overdue}  {lead.grade or '-'}  {lead.name or '(no name)'}  "
                f"{phone}  {lead.car_model or '-'}  {lead.channel}  {','.join(lead.objections) or '-'}  "
                f"[{lead.sender_id}]"
            )
        )
    return 0


def _forget(args: argparse.Namespace) -> int:
    from bot.privacy.retention import forget

    deleted = forget(args.sender, args.db)
    print(
        f"forgot {len(deleted['senders'])} conversation id(s): {deleted['events']} conversation events and "
        f"{deleted['leads']} lead rows deleted"
    )
    return 0


def _release(args: argparse.Namespace) -> int:
    import asyncio

    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import ConversationResumed

    from bot.rasa.stores import DealerTrackerStore

    store = DealerTrackerStore(domain=Domain.empty())
    tracker = asyncio.run(store.retrieve(args.sender))
    if tracker is None or not tracker.is_paused():
        print(f"{args.sender}: not with a person (nothing to release)")
        return 1 if tracker is None else 0
    tracker.update(ConversationResumed())
    asyncio.run(store.save(tracker))
    print(f"{args.sender}: released, the bot answers again")
    return 0


def _purge(args: argparse.Namespace) -> int:
    from bot.privacy.retention import purge

    counts = purge(args.db, conversation_days=args.conversation_days, lead_days=args.lead_days)
    print(
        f"purged {counts['conversations']} conversations ({counts['events']} events), {counts['leads']} leads, "
        f"{counts['tombstones']} expired forget markers"
    )
    return 0


def _notify(args: argparse.Namespace) -> int:
    from bot.notify import run_command

    return run_command(args.db, deliver=args.deliver, retry_failed=args.retry_failed)


def _eval_scorer(args: argparse.Namespace) -> int:
    """The roleplay scorer against a trainer-labelled set: aggregate numbers only (never the replies)."""
    from bot.playbook.loader import load_playbook
    from bot.roleplay.labelled import expectation_for, load_labelled, measure
    from bot.roleplay.rubric import load_rubric
    from bot.roleplay.scorer import ReplyScorer

    playbook = load_playbook(args.playbook, trainer_checks=False)
    scorer = ReplyScorer(load_rubric(f"{args.roleplay}/rubric.yml"), playbook=playbook)
    replies = load_labelled(args.set)
    m = measure(
        scorer,
        replies,
        lambda r: expectation_for(playbook, r.intent, 1 if args.attempt_one else r.attempt, r.car_model),
    )
    print(
        f"Scorer on {args.set} ({len(replies)} replies"
        f"{', the expectation of attempt 1' if args.attempt_one else ''}):\n"
    )
    print(m.table())
    return 0


Argument = Tuple[Tuple[str, ...], Dict[str, Any]]


def _arg(*flags: str, **options: Any) -> Argument:
    """One ``add_argument`` call, written down for the command table."""
    return flags, options


URL = _arg("--url", default="http://localhost:5005")
PLAYBOOK = _arg("--playbook", default="data/playbook")
ROLEPLAY = _arg("--roleplay", default="data/roleplay")
DB = _arg("--db", help="a database URL (default: the conversation store, bot/database.py)")
DB_OR_FILE = _arg("--db", help="a database URL or SQLite file (default: the conversation store, bot/database.py)")

# name, what it runs, its help, its arguments
COMMANDS: Tuple[Tuple[str, Callable[[argparse.Namespace], int], str, Tuple[Argument, ...]], ...] = (
    (
        "validate",
        _validate,
        "check the catalog, lexicon, playbook and roleplay files",
        (
            _arg("--catalog", default=DEFAULT_CATALOG_PATH),
            _arg("--lexicon", default=DEFAULT_LEXICON_DIR),
            PLAYBOOK,
            ROLEPLAY,
        ),
    ),
    (
        "eval",
        _eval,
        "evaluate the trained NLU on the held-out split",
        (
            _arg("--model", help="model archive (default: newest in models/)"),
            _arg("--holdout", default="tests/nlu/holdout_*.yml"),
            _arg("--out", default="reports/nlu"),
        ),
    ),
    (
        "eval-scorer",
        _eval_scorer,
        "the roleplay scorer against trainer-labelled replies: per-check and "
        "per-penalty F1, principle recall, pair ordering (aggregate only)",
        (
            _arg("--set", default="tests/data/trainee_replies_eval.yml"),
            PLAYBOOK,
            ROLEPLAY,
            _arg("--attempt-one", action="store_true", help="score every reply with the expectation of attempt 1"),
        ),
    ),
    (
        "chat",
        _chat,
        "chat with the running bot in this terminal",
        (URL, _arg("--plain", action="store_true", help="hide the trainee annotations (principle, move, stage)")),
    ),
    (
        "roleplay",
        _roleplay,
        "practise in the terminal against the running bot",
        (
            URL,
            _arg(
                "--mode",
                choices=("customer", "coach"),
                default="customer",
                help="customer: the bot plays a customer and scores you; coach: you play the customer",
            ),
            _arg("--persona", default="price_sensitive_first_buyer", help="a persona id of data/roleplay/personas"),
            _arg("--level", choices=("easy", "normal", "hard"), default="normal"),
        ),
    ),
    (
        "report",
        _report,
        "trainer report (HTML with charts, CSV) from the conversation store",
        (DB_OR_FILE, _arg("--out", default="reports/trainer")),
    ),
    (
        "correct",
        _correct,
        "a trainer corrects the scorer: list visits, show a visit's turns, or mark "
        "a turn's checks the rubric got wrong (shown by `report` as agreement)",
        (
            _arg("visit", nargs="?", help="a visit id (<sender>#<n>); without it, the latest visits are listed"),
            _arg("turn", nargs="?", type=int, help="the turn (1-based); without it, the visit's turns are shown"),
            _arg(
                "--wrong",
                help="comma-separated checks the rubric got wrong (acknowledge, clarify, value, "
                "next_step, penalty:argue, ...); none: the trainer agrees with every check",
            ),
            _arg("--note", help="why (kept with the correction)"),
            _arg("--last", type=int, default=20, help="how many visits to list"),
            DB_OR_FILE,
        ),
    ),
    (
        "leads",
        _leads,
        "follow-ups due (today / this week / all), or a CSV export",
        (
            _arg(
                "--due",
                choices=("today", "week", "all"),
                default="today",
                help="today: due or overdue today; week: by the end of this week; all: every lead",
            ),
            _arg("--csv", metavar="FILE", help="write the listed leads as CSV (- for stdout; phones in full)"),
            _arg("--show-phone", action="store_true", help="print phone numbers in full (masked by default)"),
            _arg("--today", help="YYYY-MM-DD (default: the real today)"),
            DB,
        ),
    ),
    (
        "forget",
        _forget,
        "delete a person's conversations and leads on every channel (by sender id, "
        "WeChat OpenID, widget visitor id or phone number)",
        (_arg("sender", metavar="ID"), DB),
    ),
    (
        "release",
        _release,
        "hand a conversation back to the bot after a person took it over "
        "(it also returns by itself after $BOT_HANDOFF_TIMEOUT minutes, 30)",
        (_arg("sender", metavar="ID", help="the conversation's sender id (e.g. wechat:default:OPENID)"),),
    ),
    (
        "purge",
        _purge,
        "delete conversations and leads past their retention period (run daily)",
        (
            _arg(
                "--conversation-days",
                type=int,
                help="conversations without a lead, by their last message (default $BOT_RETENTION_DAYS or 180)",
            ),
            _arg(
                "--lead-days",
                type=int,
                help="leads and their conversations, by the lead's last update (default $BOT_LEAD_RETENTION_DAYS "
                "or 365)",
            ),
            DB,
        ),
    ),
    (
        "notify",
        _notify,
        "the sales team's WeCom robot notifications: outbox counts, or send the "
        "pending ones (run from cron; needs $WECOM_ROBOT_WEBHOOK)",
        (
            _arg("--deliver", action="store_true", help="send what is due now, within the robot's rate limit"),
            _arg("--retry-failed", action="store_true", help="queue the notifications that gave up again"),
            DB,
        ),
    ),
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    for name, func, help_text, arguments in COMMANDS:
        p = sub.add_parser(name, help=help_text)
        for flags, options in arguments:
            p.add_argument(*flags, **options)
        p.set_defaults(func=func)
    return parser


def main(argv: Optional[List[str]] = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args))
