"""The cached action-response validator accepts and refuses exactly what Rasa's own check does."""

import jsonschema
import pytest
from rasa.core.actions.action import RemoteAction

from bot import rasa_speedups

GOOD = [
    {"events": [{"event": "slot", "name": "x", "value": 1, "timestamp": None}], "responses": [{"text": "hi"}]},
    {"events": [{"event": "bot", "text": "hi", "data": {}}, {"event": "active_loop", "name": None}]},
    {"responses": []},
    {},
]
BAD = [
    {"events": [{"event": "slot", "name": 5}]},
    {"events": "nope"},
    {"responses": "nope"},
    {"events": [{"event": "no_such_event"}]},
    [],
]


def rasa_original(result):
    jsonschema.validate(result, RemoteAction.action_response_format_spec())


@pytest.mark.parametrize("result", GOOD)
def test_valid_responses_pass_both(result):
    rasa_original(result)
    assert rasa_speedups._validate_action_result(RemoteAction, result) is True


@pytest.mark.parametrize("result", BAD)
def test_invalid_responses_are_refused_by_both(result):
    with pytest.raises(jsonschema.ValidationError):
        rasa_original(result)
    with pytest.raises(jsonschema.ValidationError, match="Failed to validate Action server response"):
        rasa_speedups._validate_action_result(RemoteAction, result)


def test_install_replaces_rasas_method_once():
    rasa_speedups.install()
    rasa_speedups.install()
    assert RemoteAction._validate_action_result is rasa_speedups._validate_action_result


def test_roleplay_slot_mapping_is_only_called_for_messages_with_roleplay_metadata():
    from rasa.shared.core.events import UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    def tracker(metadata):
        t = DialogueStateTracker("s", [])
        t.update(UserUttered("太贵了", {"name": "objection_price"}, metadata=metadata))
        return t

    assert not rasa_speedups.needs_call("action_read_roleplay_metadata", tracker({}))
    assert not rasa_speedups.needs_call("action_read_roleplay_metadata", tracker({"roleplay": "customer"}))
    assert rasa_speedups.needs_call("action_read_roleplay_metadata", tracker({"roleplay": {"mode": "customer"}}))
    assert rasa_speedups.needs_call("action_answer_objection", tracker({}))
