"""Waiting for the servers without fixed sleeps: poll a condition until a deadline. A loaded
machine makes a test slower, never wrong."""

import time
from typing import Any, Callable, Dict, List, Optional, TypeVar

T = TypeVar("T")
POLL_S = 0.1


def wait_until(read: Callable[[], T], done: Callable[[T], bool], timeout_s: float) -> T:
    """``read()`` polled until ``done`` holds or ``timeout_s`` passed; the last value either way
    (the caller's assertion says what was expected)."""
    deadline = time.monotonic() + timeout_s
    value = read()
    while not done(value) and time.monotonic() < deadline:
        time.sleep(POLL_S)
        value = read()
    return value


def settled(read: Callable[[], T], quiet_s: float, timeout_s: float, ready: Callable[[T], bool] = lambda _: True) -> T:
    """``read()`` once it is ``ready`` and has not changed for ``quiet_s``, or at the deadline: for
    what arrives in several pieces (an answer in more than one message) or should not arrive at all
    (a duplicate), where no event says "that was the last one"."""
    deadline = time.monotonic() + timeout_s
    value, since = read(), time.monotonic()
    while time.monotonic() < deadline:
        if ready(value) and time.monotonic() - since >= quiet_s:
            break
        time.sleep(POLL_S)
        latest = read()
        if latest != value:
            value, since = latest, time.monotonic()
    return value


def turn_finished(events: List[Dict[str, Any]], text: Optional[str] = None) -> bool:
    """The conversation's last user message (``text``, when given) was answered: Rasa's turn ended
    with ``action_listen`` after it, so its bot events are all in the tracker."""
    users = [n for n, e in enumerate(events) if e["event"] == "user"]
    if not users or (text is not None and events[users[-1]].get("text") != text):
        return False
    return any(e["event"] == "action" and e.get("name") == "action_listen" for e in events[users[-1] + 1 :])
