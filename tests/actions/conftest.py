"""Actions that keep a promise or a booking write leads and notifications: into a temporary database
per test, never the developer's var/rasa.db."""

import pytest


@pytest.fixture(autouse=True)
def temporary_database(tmp_path, monkeypatch):
    monkeypatch.setenv("BOT_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("DB_HOST", raising=False)
    monkeypatch.delenv("WECOM_ROBOT_WEBHOOK", raising=False)
