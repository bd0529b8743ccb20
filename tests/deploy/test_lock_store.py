"""The Redis lock store gives every concurrent request of one conversation its own ticket, across
Rasa instances (two store objects stand for two processes), against Debian's redis-server."""

import concurrent.futures

import pytest

from bot.database import redis_settings
from bot.rasa.stores import AtomicRedisLockStore
from tests.deploy.services import Redis

pytestmark = [pytest.mark.deploy, pytest.mark.redis]


@pytest.fixture(scope="module")
def redis():
    server = Redis()
    yield server
    server.stop()


def test_concurrent_tickets_are_unique_and_the_lock_is_removed_after_the_last(redis):
    settings = redis_settings(redis.env())  # as the Rasa servers configure it: with REDIS_PASSWORD
    assert settings["password"] == redis.password
    stores = [AtomicRedisLockStore(**{**settings, "key_prefix": "test"}) for _ in range(2)]
    with concurrent.futures.ThreadPoolExecutor(40) as pool:
        tickets = list(pool.map(lambda i: stores[i % 2].issue_ticket("conv-1"), range(200)))
    assert sorted(tickets) == list(range(200))
    lock = stores[0].get_lock("conv-1")
    assert lock.now_serving == 0 and lock.is_someone_waiting()
    with concurrent.futures.ThreadPoolExecutor(40) as pool:
        list(pool.map(lambda t: stores[t % 2].cleanup("conv-1", t), tickets))
    assert stores[1].get_lock("conv-1") is None
