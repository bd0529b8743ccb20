"""Channel routes in-process: our input channels' blueprints on a Sanic app served from a thread on a
free loopback port, with a recording stand-in for Rasa's agent. No model, no Rasa server, no action
server: each test starts in well under a second."""

import asyncio
import itertools
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List

import pytest
from rasa.core.channels.channel import UserMessage, register
from rasa.core.lock_store import InMemoryLockStore
from sanic import Sanic

from bot.channels.identity import VisitorTokens
from bot.channels.rest import CheckedRestInput
from bot.channels.widget import WidgetInput
from tests.conftest import free_port

_APP_NAMES = itertools.count()


@dataclass
class RecordingAgent:
    """What the channels use of Rasa's Agent: ``domain``, ``tracker_store``, ``lock_store`` and the
    turn itself (``handle_message``, which Rasa's ``register`` calls), recording each message and
    answering ``reply(message)``."""

    reply: Callable[[UserMessage], List[Dict[str, Any]]] = lambda m: [{"text": f"收到：{m.text}"}]
    received: List[UserMessage] = field(default_factory=list)
    domain: Any = None
    tracker_store: Any = None
    lock_store: Any = field(default_factory=InMemoryLockStore)

    async def handle_message(self, message: UserMessage) -> None:
        self.received.append(message)
        for answer in self.reply(message):
            await message.output_channel.send_response(message.sender_id, dict(answer))


@dataclass
class RunningApp:
    url: str
    app: Sanic

    def use(self, agent: RecordingAgent) -> RecordingAgent:
        """The stand-in agent the next requests go to."""
        self.app.ctx.agent = agent
        return agent


def serve(channels: List[Any]) -> "tuple[RunningApp, asyncio.AbstractEventLoop]":
    """The channels under /webhooks/ on a Sanic app in a thread (one per test session: Sanic 21.12
    keeps process-wide state that a second app started in the same process trips over)."""
    app = Sanic(f"channel_test_{next(_APP_NAMES)}")
    app.ctx.agent = RecordingAgent()
    register(channels, app, route="/webhooks/")  # as `rasa run` does: turns go to app.ctx.agent
    port = free_port()
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    failure: List[BaseException] = []

    def run() -> None:
        try:
            asyncio.set_event_loop(loop)
            server = loop.run_until_complete(
                app.create_server(host="127.0.0.1", port=port, return_asyncio_server=True, access_log=False)
            )
            loop.run_until_complete(server.startup())
        except BaseException as e:  # reported below
            failure.append(e)
            return
        finally:
            ready.set()
        loop.run_forever()

    threading.Thread(target=run, daemon=True).start()
    assert ready.wait(30) and not failure, f"channel test server did not start: {failure!r}"
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:  # poll with a deadline until the socket answers
        try:
            urllib.request.urlopen(f"{url}/webhooks/rest/", timeout=1)
            break
        except urllib.error.HTTPError:
            break
        except OSError:
            time.sleep(0.05)
    return RunningApp(url, app), loop


TOKENS = VisitorTokens(b"channel-tests-secret-0123456789")


@pytest.fixture(scope="session")
def channels() -> RunningApp:
    """REST and the widget (visitor tokens from ``TOKENS``), served in-process for the session."""
    running, loop = serve([CheckedRestInput(), WidgetInput([], TOKENS)])
    yield running
    loop.call_soon_threadsafe(loop.stop)
