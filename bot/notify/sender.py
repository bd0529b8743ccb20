"""Delivering the outbox to the robot: retries with exponential backoff, the robot's rate limit,
batching a backlog, and a background worker so that ``notify()`` never waits for the network.

Policy
* A row is sent once due (``next_attempt_at``). A failed attempt is counted on the row and the row
  waits ``Backoff.delay(attempts)``: 10 s, 20 s, 40 s ... doubling up to 30 min; after
  ``max_attempts`` (20, about 7 hours) it is marked failed (kept; ``python -m bot notify
  --retry-failed`` queues it again).
* An outage (no answer, timeout, HTTP error, errcode -1 busy or 45009 throttled) also pauses this
  sender for the same backoff (at least 60 s when throttled), so a down robot is not hammered with
  the rest of the queue; a refusal of one message (another errcode) only delays that message.
* Rate: at most ``RateLimit.limit`` requests (20) in any ``per_seconds`` (60) window, counted in the
  database over every process that delivers.
* A backlog (several rows due at once) goes out as one message: rows of the same type, handoffs
  first, as many as fit in the type's byte limit (up to ``batch_max``). A row that has already failed
  once goes alone, so one message the robot refuses cannot hold others back.
* Rows are leased while being sent (``lease`` seconds, longer than the HTTP timeout): a process that
  dies mid-send leaves the row to be taken over when the lease expires. Delivery is at least once.
"""

import asyncio
import datetime as dt
import logging
import threading
import time
from dataclasses import dataclass, field
from typing import Callable, Iterable, List, Optional, Sequence, Set

from bot.notify.message import CHINA_TIME, NotifyEvent, Templates, combine, combined_size, compose
from bot.notify.outbox import Outbox, OutboxRow
from bot.notify.wecom import RobotClient, SendResult

logger = logging.getLogger("bot.notify")
NO_WEBHOOK = "no webhook configured"
_warned = {"no_webhook": False}  # the "no webhook" warning is logged once per process
Clock = Callable[[], float]


@dataclass(frozen=True)
class Backoff:
    base: float = 10.0
    factor: float = 2.0
    cap: float = 1800.0
    max_attempts: int = 20

    def delay(self, attempts: int) -> Optional[float]:
        """Seconds to wait after the ``attempts``-th failed attempt, or None to give up."""
        if attempts >= self.max_attempts:
            return None
        return min(self.cap, self.base * self.factor ** max(0, attempts - 1))


@dataclass(frozen=True)
class RateLimit:
    limit: int = 20
    per_seconds: float = 60.0


@dataclass
class DeliveryReport:
    requests: int = 0
    sent: int = 0  # rows the robot accepted
    failed: int = 0  # rows whose attempt failed (retried later unless given up)
    given_up: int = 0
    pending: int = 0
    rate_limited: bool = False
    paused_until: Optional[float] = None
    note: str = ""
    next_due: Optional[float] = None  # when to run again (None: nothing to do until the next notify)
    errors: List[str] = field(default_factory=list)


class Notifier:
    """Writes notifications to the outbox and delivers them.

    ``client`` None means no webhook is configured: rows stay pending. ``background`` False leaves
    delivery to explicit ``deliver_pending()`` calls (the CLI, tests)."""

    def __init__(
        self,
        outbox: Outbox,
        client: Optional[RobotClient],
        templates: Templates,
        *,
        clock: Clock = time.time,
        rate: RateLimit = RateLimit(),
        backoff: Backoff = Backoff(),
        batch_max: int = 10,
        lease: float = 60.0,
        background: bool = True,
        mentioned_list: Iterable[str] = (),
        mentioned_mobile_list: Iterable[str] = (),
    ) -> None:
        self.outbox, self.client, self.templates = outbox, client, templates
        self.clock, self.rate, self.backoff = clock, rate, backoff
        self.batch_max, self.lease, self.background = batch_max, lease, background
        self.mentioned_list = tuple(mentioned_list)
        self.mentioned_mobile_list = tuple(mentioned_mobile_list)
        self.paused_until = 0.0
        self.outages = 0
        self._deliver_lock = threading.Lock()  # one pass at a time in this process
        self._worker = _Worker(self)

    def __repr__(self) -> str:
        return f"Notifier({self.client or NO_WEBHOOK}, {self.outbox.url.split('://')[0]})"

    def notify(self, event: NotifyEvent) -> int:
        """Composes the event's message and stores it in the outbox (committed when this returns),
        then schedules delivery without waiting for it. Returns the outbox row id. Raises only when
        the row cannot be stored (a database error) or the event is invalid."""
        now = self.clock()
        message = compose(
            event,
            self.templates,
            self.mentioned_list,
            self.mentioned_mobile_list,
            dt.datetime.fromtimestamp(now, CHINA_TIME),
        )
        row_id = self.outbox.add(event.kind, event.sender_id, event.channel, message, now)
        logger.info("notification %d queued (%s from %s)", row_id, event.kind, event.channel)
        if self.background:
            self._worker.kick()
        return row_id

    def wait_idle(self, timeout: float) -> bool:
        """Waits until the background worker has nothing left to do now; True if it is idle."""
        return self._worker.wait_idle(timeout)

    def close(self, timeout: float = 10.0) -> bool:
        """Stops background delivery after the request in flight (pending rows stay in the outbox;
        ``notify`` still stores them, and ``deliver_pending`` still sends). True once stopped."""
        self.background = False
        return self._worker.stop(timeout)

    def deliver_pending(self, max_requests: Optional[int] = None) -> DeliveryReport:
        """Sends what is due now, within the rate limit; returns what happened and when to run again."""
        with self._deliver_lock:
            return self._deliver(max_requests)

    def _deliver(self, max_requests: Optional[int]) -> DeliveryReport:
        report = DeliveryReport()
        if self.client is None:
            report.pending = self.outbox.note_pending(NO_WEBHOOK)
            report.note = NO_WEBHOOK
            if not _warned["no_webhook"]:
                _warned["no_webhook"] = True
                logger.warning(
                    "no webhook configured (WECOM_ROBOT_WEBHOOK unset or not an http(s) URL): "
                    "notifications stay in the outbox (%d pending) until it is set and "
                    "`python -m bot notify --deliver` runs",
                    report.pending,
                )
            return report
        while max_requests is None or report.requests < max_requests:
            now = self.clock()
            if now < self.paused_until:
                report.paused_until = self.paused_until
                break
            window = self.outbox.sends_since(now - self.rate.per_seconds)
            if len(window) >= self.rate.limit:
                report.rate_limited = True
                break
            rows = self.outbox.claim(now, self.batch_max, self.lease)
            if not rows:
                break
            batch = self._batch(rows)
            self.outbox.release([r.id for r in rows[len(batch) :]])
            self.outbox.record_send(now, keep=10 * self.rate.per_seconds)
            report.requests += 1
            result = self.client.send(combine([r.message for r in batch], self.templates.batch_header))
            self._settle(batch, result, report)
        report.next_due = self._next_due(report)
        return report

    def _batch(self, rows: Sequence[OutboxRow]) -> List[OutboxRow]:
        """The head of the due rows that goes out as one message."""
        first = rows[0]
        batch = [first]
        if first.attempts:
            return batch
        for row in rows[1:]:
            if row.attempts or row.message.msgtype != first.message.msgtype:
                break
            candidate = [r.message for r in batch + [row]]
            if combined_size(candidate, self.templates.batch_header) > first.message.limit:
                break
            batch.append(row)
        return batch

    def _settle(self, batch: Sequence[OutboxRow], result: SendResult, report: DeliveryReport) -> None:
        now = self.clock()
        ids = [r.id for r in batch]
        if result.ok:
            self.outbox.mark_sent(ids, now)
            self.outages = 0
            report.sent += len(batch)
            logger.info("sent notification(s) %s to the WeCom robot %s", ids, self.client)
            return
        floor = result.retry_after

        def delay(attempts: int) -> Optional[float]:
            wait = self.backoff.delay(attempts)
            return None if wait is None else max(wait, floor)

        rows = self.outbox.mark_failed(batch, now, result.error, delay)
        report.failed += len(batch)
        report.given_up += sum(1 for r in rows if r.status == "failed")
        report.errors.append(result.error)
        if result.outage:
            self.outages += 1
            self.paused_until = now + max(self.backoff.delay(self.outages) or self.backoff.cap, floor)
        logger.warning(
            "WeCom robot %s: notification(s) %s not delivered (%s); %s",
            self.client,
            ids,
            result.error,
            "; ".join(
                f"{r.id}: attempt {r.attempts}, "
                + ("gave up" if r.status == "failed" else f"next in {r.next_attempt_at - now:.0f} s")
                for r in rows
            ),
        )

    def _next_due(self, report: DeliveryReport) -> Optional[float]:
        due = self.outbox.next_due()
        if due is None:
            return None
        if report.rate_limited:
            window = self.outbox.sends_since(self.clock() - self.rate.per_seconds)
            if len(window) >= self.rate.limit:
                due = max(due, window[len(window) - self.rate.limit] + self.rate.per_seconds)
        return max(due, self.paused_until)


class _Worker:
    """Runs delivery passes in the background until nothing is due, sleeping through backoff and
    the rate limit; ``kick`` (after a new row) starts it or wakes it up. An asyncio task on the
    running loop (the pass itself in the loop's executor: urllib and SQLAlchemy block), or a daemon
    thread when there is no running loop. One worker at a time per notifier."""

    def __init__(self, notifier: Notifier) -> None:
        self.notifier = notifier
        self.lock = threading.Lock()
        self.generation = 0  # of the running worker; a finished one never stops its successor
        self.running = False
        self.kicked = False
        self.stopping = False
        self.loop: Optional[asyncio.AbstractEventLoop] = None
        self.async_wake: Optional[asyncio.Event] = None
        self.thread_wake = threading.Event()
        self.idle = threading.Event()
        self.idle.set()
        self.tasks: Set["asyncio.Task[None]"] = set()

    def kick(self) -> None:
        try:
            loop: Optional[asyncio.AbstractEventLoop] = asyncio.get_running_loop()
        except RuntimeError:
            loop = None
        with self.lock:
            if self.stopping:
                return
            self.kicked = True
            if self.running and not (self.loop is not None and self.loop.is_closed()):
                self._wake()
                return
            self.generation += 1
            generation = self.generation
            self.running = True
            self.idle.clear()
            self.loop = loop
            self.async_wake = asyncio.Event() if loop is not None else None
        if loop is not None:
            task = loop.create_task(self._run_async(generation))
            self.tasks.add(task)  # a reference, or the task may be garbage-collected mid-run
            task.add_done_callback(lambda t: self._task_done(t, generation))
        else:
            threading.Thread(target=self._run_thread, args=(generation,), name="notify-sender", daemon=True).start()

    def _wake(self) -> None:  # with self.lock held
        if self.loop is not None and self.async_wake is not None:
            try:
                self.loop.call_soon_threadsafe(self.async_wake.set)
            except RuntimeError:  # the loop has closed meanwhile
                pass
        else:
            self.thread_wake.set()

    def _step(self, generation: int) -> Optional[float]:
        """One pass; seconds to wait before the next one, or None when done (the worker stops)."""
        with self.lock:
            self.kicked = False
            if self.stopping:
                self._stop(generation)
                return None
        notifier = self.notifier
        try:
            report = notifier.deliver_pending()
            wait = None if report.next_due is None else max(0.0, report.next_due - notifier.clock())
            if wait == 0 and report.requests == 0:
                wait = 1.0  # due, yet nothing could be taken (clock skew between processes): no busy loop
        except Exception:  # a database error: the rows stay; try again a little later
            logger.exception("notification delivery failed; retrying in 30 s")
            wait = 30.0
        with self.lock:
            if self.stopping:
                wait = None
            elif self.kicked:
                return 0.0
            if wait is None:
                self._stop(generation)
            return wait

    def _stop(self, generation: int) -> None:  # with self.lock held
        if self.generation == generation and self.running:
            self.running = False
            self.loop = None
            self.idle.set()

    def _run_thread(self, generation: int) -> None:
        try:
            while True:
                wait = self._step(generation)
                if wait is None:
                    return
                if wait > 0:
                    self.thread_wake.wait(wait)
                self.thread_wake.clear()
        finally:
            with self.lock:
                self._stop(generation)

    async def _run_async(self, generation: int) -> None:
        loop = asyncio.get_running_loop()
        wake = self.async_wake
        assert wake is not None
        while True:
            wait = await loop.run_in_executor(None, self._step, generation)
            if wait is None:
                return
            if wait > 0:
                try:
                    await asyncio.wait_for(wake.wait(), wait)
                except asyncio.TimeoutError:
                    pass
            wake.clear()

    def _task_done(self, task: "asyncio.Task[None]", generation: int) -> None:
        self.tasks.discard(task)
        with self.lock:
            self._stop(generation)  # finished, cancelled (loop shutting down) or crashed: the next kick starts anew
        if not task.cancelled() and task.exception() is not None:
            logger.error("notification worker stopped: %r", task.exception())

    def wait_idle(self, timeout: float) -> bool:
        return self.idle.wait(timeout)

    def stop(self, timeout: float) -> bool:
        with self.lock:
            self.stopping = True
            if self.running:
                self._wake()
        return self.idle.wait(timeout)
