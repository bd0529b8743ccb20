"""Telling the sales team: a person asked for, a visit booked, a lead left, posted to the
showroom's WeCom group by its robot (企业微信群机器人).

    from bot.notify import NotifyEvent, notify
    notify(NotifyEvent("handoff", "wechat", sender_id, car_model="远山", reason="客户要求人工"))

``notify`` composes the message (templates in data/notify.yml), writes it to the ``outbox`` table
of the project's database and returns; delivery runs in the background (an asyncio task on the
running loop, else a thread) with retries, backoff, the robot's rate limit and batching
(``bot.notify.sender``). A slow or unreachable robot never delays the caller, and rows left pending
by a restart go out with the next ``notify`` or with ``deliver_pending()`` / ``python -m bot notify
--deliver``.

Environment: ``WECOM_ROBOT_WEBHOOK`` (the robot's URL, a secret: only ever logged masked; without it
notifications stay in the outbox), ``WECOM_ROBOT_MENTION`` (comma-separated WeCom user ids to
@-mention in every text notification, ``@all`` for everyone), ``WECOM_ROBOT_MENTION_MOBILE`` (the
same by phone number), ``BOT_NOTIFY_TEMPLATES`` (another templates file), and the database
variables of ``bot.database``.
"""

import logging
import os
import threading
import time
from typing import Dict, Optional, Tuple

from bot.notify.message import (
    DEFAULT_TEMPLATES,
    KINDS,
    Message,
    NotifyEvent,
    Templates,
    cached_templates,
    compose,
    fit_bytes,
    load_templates,
)
from bot.notify.outbox import Outbox, OutboxRow
from bot.notify.sender import NO_WEBHOOK, Backoff, DeliveryReport, Notifier, RateLimit
from bot.notify.wecom import ENV_WEBHOOK, RobotClient, mask_url, webhook_from_env

__all__ = [
    "KINDS",
    "Backoff",
    "DeliveryReport",
    "Message",
    "Notifier",
    "NotifyEvent",
    "Outbox",
    "OutboxRow",
    "RateLimit",
    "RobotClient",
    "Templates",
    "compose",
    "deliver_pending",
    "fit_bytes",
    "get_notifier",
    "load_templates",
    "mask_url",
    "notify",
    "run_command",
]

logger = logging.getLogger("bot.notify")
ENV_TEMPLATES = "BOT_NOTIFY_TEMPLATES"
ENV_MENTION = "WECOM_ROBOT_MENTION"
ENV_MENTION_MOBILE = "WECOM_ROBOT_MENTION_MOBILE"
_notifiers: Dict[Tuple[str, ...], Notifier] = {}
_lock = threading.Lock()


def _listed(name: str) -> Tuple[str, ...]:
    return tuple(x.strip() for x in (os.environ.get(name) or "").split(",") if x.strip())


def _client(url: Optional[str]) -> Optional[RobotClient]:
    if not url:
        return None
    try:
        return RobotClient(url)
    except ValueError as e:  # the message names only the masked URL
        logger.error("%s; notifications stay in the outbox", e)
        return None


def get_notifier(db: Optional[str] = None) -> Notifier:
    """The notifier for the environment as it is now (database, webhook, templates, mentions): one
    per configuration and process, so its worker and rate-limit pause are shared."""
    from bot.database import database_settings

    url = db or str(database_settings().url())
    webhook = webhook_from_env() or ""
    templates = os.environ.get(ENV_TEMPLATES) or str(DEFAULT_TEMPLATES)
    key = (url, webhook, templates, ",".join(_listed(ENV_MENTION)), ",".join(_listed(ENV_MENTION_MOBILE)))
    with _lock:
        notifier = _notifiers.get(key)
        if notifier is None:
            notifier = Notifier(
                Outbox(url),
                _client(webhook),
                cached_templates(templates),
                mentioned_list=_listed(ENV_MENTION),
                mentioned_mobile_list=_listed(ENV_MENTION_MOBILE),
            )
            _notifiers[key] = notifier
        return notifier


def notify(event: NotifyEvent) -> int:
    """Queues a notification for the sales team and returns its outbox id at once; see the module
    docstring. Raises DataFileError for bad templates and a database error if the row cannot be
    written (nothing else: the robot being down or slow is handled by the background delivery)."""
    return get_notifier().notify(event)


def deliver_pending(db: Optional[str] = None) -> DeliveryReport:
    """Sends what is due now (pending rows from before a restart included), within the rate limit."""
    return get_notifier(db).deliver_pending()


def run_command(db: Optional[str] = None, deliver: bool = False, retry_failed: bool = False) -> int:
    """``python -m bot notify``: the outbox counts; ``--retry-failed`` queues the rows that gave up
    again; ``--deliver`` sends what is due now. Exit status 1 when a delivery failed or no webhook
    is configured while notifications wait."""
    notifier = get_notifier(db)
    status = 0
    if retry_failed:
        print(f"queued {notifier.outbox.retry_failed(time.time())} failed notification(s) again")
    if deliver:
        report = notifier.deliver_pending()
        line = f"sent {report.sent} notification(s) in {report.requests} request(s)"
        if report.failed:
            line += f"; {report.failed} failed ({'; '.join(dict.fromkeys(report.errors))})"
            status = 1
        if report.rate_limited:
            line += "; stopped at the robot's rate limit"
        if report.note == NO_WEBHOOK:
            problem = "is not an http(s) URL" if webhook_from_env() else "is not set"
            line = f"{ENV_WEBHOOK} {problem}: nothing sent, {report.pending} pending"
            status = 1 if report.pending else 0
        print(line)
    counts = notifier.outbox.counts()
    robot = notifier.client.masked_url if notifier.client else NO_WEBHOOK
    print(f"outbox: {counts['pending']} pending, {counts['sent']} sent, {counts['failed']} failed; robot: {robot}")
    from bot.privacy.safe_output import terminal_text

    troubled = [r for r in notifier.outbox.rows("failed") + notifier.outbox.rows("pending") if r.last_error]
    for row in troubled[:20]:  # the robot's errmsg is shown escaped: it is not our text
        print(terminal_text(f"  #{row.id} {row.kind} {row.status} attempts {row.attempts}: {row.last_error}"))
    if len(troubled) > 20:
        print(f"  ... and {len(troubled) - 20} more")
    return status
