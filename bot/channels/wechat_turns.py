"""Per-process bookkeeping of WeChat pushes: one Rasa turn per push however often WeChat retries it
(dedupe by MsgId), refusal of a signed URL replayed with another body, and admission of one turn at
a time (wechat-protocol.md §3, §6). No Rasa, no network."""

import asyncio
import time
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable, Dict, List, Optional, Tuple, TypeVar

DEDUPE_TTL_S = 300  # WeChat retries a push three times within 15 s; keep its key well past that

T = TypeVar("T")


@dataclass
class Turn:
    """The Rasa turn started by one push (its retries wait for the same task)."""

    task: "asyncio.Future[List[Dict[str, Any]]]"
    started: float
    delivered: bool = False  # sent in a passive reply or by the customer-service API
    async_scheduled: bool = False  # the passive budget ran out: the API will deliver it


@dataclass
class TurnState:
    """What the channel remembers between pushes, in this process only (deploy/nginx.conf routes
    each follower to one process)."""

    max_concurrent: int = 1
    turns: Dict[str, Turn] = field(default_factory=dict)  # dedupe key -> turn
    options: Dict[str, List[str]] = field(default_factory=dict)  # sender id -> payloads of numbered options
    # (account, timestamp, nonce, signature) -> (dedupe key of the push first signed so, when seen)
    signed: Dict[Tuple[str, str, str, str], Tuple[str, float]] = field(default_factory=dict)
    turn_slots: Optional[asyncio.Semaphore] = None  # created on the server's event loop

    def replayed(self, signed: Tuple[str, str, str, str], key: str, window_s: float) -> bool:
        """True when this signed URL (account, timestamp, nonce, signature) was already used for a
        different push: a replay of a captured URL with another body. WeChat's own retries repeat
        the same push (same dedupe key) and pass."""
        now = time.time()
        window = max(window_s, DEDUPE_TTL_S)
        for k in [k for k, (_, seen) in self.signed.items() if now - seen > window]:
            del self.signed[k]
        first = self.signed.setdefault(signed, (key, now))
        return first[0] != key

    def turn_for(self, key: str) -> Optional[Turn]:
        """The turn already started for this push (a retry), forgetting turns older than the TTL."""
        now = time.time()
        for k in [k for k, t in self.turns.items() if now - t.started > DEDUPE_TTL_S]:
            del self.turns[k]
        return self.turns.get(key)

    def start(self, key: str, turn: "Awaitable[List[Dict[str, Any]]]") -> Turn:
        """Runs ``turn`` (admitted by ``admitted``) as the one turn of this push."""
        started = Turn(asyncio.ensure_future(turn), time.time())
        self.turns[key] = started
        return started

    async def admitted(self, run: Callable[[], Awaitable[T]]) -> T:
        """``run()`` once one of ``max_concurrent`` slots is free.

        Rasa's NLU and policies run on the event loop and block it while they compute. With every
        push starting its turn at once, a burst of 100 users queues 100 blocking steps ahead of
        the timers that end the passive budget, and WeChat saw responses far past it. Admitting one
        turn at a time keeps the loop free enough for each request to be answered within its budget
        (BENCHMARKS.md, "WeChat under a burst"); the rest are answered through the customer-service
        API as they finish."""
        if self.turn_slots is None:
            self.turn_slots = asyncio.Semaphore(max(1, self.max_concurrent))
        async with self.turn_slots:
            return await run()
