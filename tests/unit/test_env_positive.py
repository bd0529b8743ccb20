"""Numbers from the environment (bot.validation.env_positive): unset, not a number or not above zero
give the default."""

import pytest

from bot.validation import env_positive


@pytest.mark.parametrize(
    "raw, kind, expected",
    [(None, int, 180), ("30", int, 30), ("0", int, 180), ("-5", int, 180), ("thirty", int, 180), ("1.5", int, 180),
     ("2.5", float, 2.5), ("", float, 180)],
)  # fmt: skip
def test_env_positive(monkeypatch, caplog, raw, kind, expected):
    if raw is None:
        monkeypatch.delenv("BOT_TEST_NUMBER", raising=False)
    else:
        monkeypatch.setenv("BOT_TEST_NUMBER", raw)
    default = 180 if kind is int else 180.0
    assert env_positive("BOT_TEST_NUMBER", default, kind, "a whole number of days") == expected
    assert ("is not a whole number of days" in caplog.text) == (raw in ("thirty", "1.5"))
