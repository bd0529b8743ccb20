"""The consent reading against the independent evaluation set tests/data/consent_replies.yml
(written by someone else, never edited here): every reply must get its expected outcome.
'unrelated' replies (another topic) must not read as a yes; the form keeps nothing for them
through their intent (actions/contact.py)."""

from pathlib import Path

import pytest

from bot.leads.contact import Consent, read_consent_text
from bot.yamlfile import read_yaml

EVAL_FILE = Path(__file__).resolve().parents[1] / "data/consent_replies.yml"
REPLIES = read_yaml(EVAL_FILE)["replies"]


def test_the_evaluation_set_is_well_formed():
    assert REPLIES
    for r in REPLIES:
        assert isinstance(r["text"], str) and r["expected"] in ("yes", "no", "unclear", "unrelated"), r


@pytest.mark.parametrize("reply", REPLIES, ids=[f"{r['expected']}:{r['text']}" for r in REPLIES])
def test_reply_gets_its_expected_reading(reply):
    reading = read_consent_text(reply["text"])
    if reply["expected"] == "unrelated":
        assert reading is not Consent.YES
    else:
        assert reading is Consent(reply["expected"])
