"""The practice choice in the message metadata: RoleplayMetadataReader turns it into entities (valid
choices only), Rasa's own slot extraction fills the roleplay slots from them with the project's
domain.yml and config.yml, and action_roleplay_turn starts a new visit on a new choice."""

from pathlib import Path

import pytest
from rasa.core.actions.action import ActionExtractSlots
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.graph_components.converters.nlu_message_converter import NLUMessageConverter
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.utils.io import read_yaml_file

from actions.roleplay import new_choice
from bot.nlu.roleplay_metadata import LEVELS, RoleplayMetadataReader, roleplay_choice
from bot.roleplay.labels import get_labels

ROOT = Path(__file__).resolve().parents[2]
CUSTOMER = {"roleplay": {"mode": "customer", "persona": "hesitant_staller", "level": "hard"}}


@pytest.fixture(scope="module")
def domain():
    return Domain.load(str(ROOT / "domain.yml"))


@pytest.fixture
def reader(tmp_path):
    (tmp_path / "model").mkdir()
    return RoleplayMetadataReader.create(
        {}, LocalModelStorage(tmp_path / "model"), Resource("roleplay"), ExecutionContext(GraphSchema({}), "test")
    )


def parsed(reader, text, metadata):
    """The message as the predict graph hands it on: converted from Rasa's UserMessage, then read."""
    messages = NLUMessageConverter().convert_user_message([UserMessage(text, metadata=metadata)])
    return reader.process(messages)[0]


def found(message):
    return {(e["entity"], e["value"], e["extractor"]) for e in message.get(ENTITIES, [])}


# -- the component -----------------------------------------------------------------------------------


def test_a_full_choice_becomes_three_entities(reader):
    message = parsed(reader, "开始练习", {"dealer": "d1", **CUSTOMER})
    assert found(message) == {
        ("roleplay_mode", "customer", "RoleplayMetadataReader"),
        ("roleplay_persona", "hesitant_staller", "RoleplayMetadataReader"),
        ("roleplay_level", "hard", "RoleplayMetadataReader"),
    }
    assert all("start" not in e for e in message.get(ENTITIES))  # nothing in the text is the choice
    assert ENTITIES in message.as_dict(only_output_properties=True)  # reaches the parse data


@pytest.mark.parametrize("mode", ["coach", "customer", "off"])
def test_each_mode_alone(reader, mode):
    assert found(parsed(reader, "太贵了", {"roleplay": {"mode": mode}})) == {
        ("roleplay_mode", mode, "RoleplayMetadataReader")
    }


@pytest.mark.parametrize(
    "metadata",
    [
        None,
        {},
        {"dealer": "d1", "page": "https://example.com/"},
        {"roleplay": None},
        {"roleplay": "customer"},
        {"roleplay": {}},
        {"roleplay": {"persona": "hesitant_staller", "level": "hard"}},  # no mode: persona and level ignored
        {"roleplay": {"mode": "teacher", "persona": "hesitant_staller"}},
        {"roleplay": {"mode": ["customer"]}},
        {"roleplay": {"mode": None}},
        {"roleplay": {"mode": "Customer"}},
    ],
)
def test_no_valid_choice_adds_nothing(reader, metadata):
    assert parsed(reader, "太贵了", metadata).get(ENTITIES) is None


def test_an_unknown_level_or_a_persona_that_is_not_text_is_left_out(reader):
    meta = {"roleplay": {"mode": "customer", "persona": 3, "level": "extreme"}}
    assert found(parsed(reader, "开始", meta)) == {("roleplay_mode", "customer", "RoleplayMetadataReader")}
    assert roleplay_choice({"roleplay": {"mode": "coach", "persona": "", "level": "easy"}}) == {
        "roleplay_mode": "coach",
        "roleplay_persona": "",
        "roleplay_level": "easy",
    }


def test_other_entities_are_kept(reader):
    message = Message({TEXT: "远山太贵了", "metadata": {"roleplay": {"mode": "coach"}}})
    message.set(ENTITIES, [{"entity": "car_model", "value": "远山", "start": 0, "end": 2}])
    reader.process([message])
    assert [e["entity"] for e in message.get(ENTITIES)] == ["car_model", "roleplay_mode"]


def test_training_data_is_left_alone(reader):
    from rasa.shared.nlu.training_data.training_data import TrainingData

    data = TrainingData([Message({TEXT: "太贵了", "intent": "objection_price"})])
    assert reader.process_training_data(data) is data and data.training_examples[0].get(ENTITIES) is None


def test_the_levels_are_the_ones_the_action_names():
    assert set(LEVELS) == set(get_labels().levels)


def test_the_pipeline_runs_the_component():
    names = [c["name"] for c in read_yaml_file(str(ROOT / "config.yml"))["pipeline"]]
    assert "bot.nlu.roleplay_metadata.RoleplayMetadataReader" in names


# -- the slots, filled by Rasa's own slot extraction from the entities -------------------------------


async def extracted(domain, reader, metadata, slots=()):
    """The slot events action_extract_slots gives for a message with `metadata`, after `slots`."""
    message = parsed(reader, "开始练习", metadata)
    tracker = DialogueStateTracker.from_events("t", [], slots=domain.slots)
    for name, value in slots:
        tracker.update(SlotSet(name, value))
    tracker.update(ActionExecuted("action_listen"))
    tracker.update(
        UserUttered(message.get(TEXT), {"name": "objection_price"}, message.get(ENTITIES, []), metadata=metadata)
    )
    events = await ActionExtractSlots(None).run(
        CollectingOutputChannel(), TemplatedNaturalLanguageGenerator(domain.responses), tracker, domain
    )
    return {e.key: e.value for e in events if isinstance(e, SlotSet) and e.key.startswith("roleplay_")}


async def test_the_slots_fill_from_the_entities_without_any_action(domain, reader):
    assert await extracted(domain, reader, CUSTOMER) == {
        "roleplay_mode": "customer",
        "roleplay_persona": "hesitant_staller",
        "roleplay_level": "hard",
    }
    assert "action_read_roleplay_metadata" not in domain.user_actions


async def test_a_message_without_the_choice_leaves_the_slots_alone(domain, reader):
    before = [("roleplay_mode", "customer"), ("roleplay_persona", "hesitant_staller")]
    assert await extracted(domain, reader, {"dealer": "d1"}, before) == {}
    assert await extracted(domain, reader, {"roleplay": {"mode": "nope"}}, before) == {}


async def test_off_is_a_mode_the_customer_rules_do_not_match(domain, reader):
    assert await extracted(domain, reader, {"roleplay": {"mode": "off"}}, [("roleplay_mode", "customer")]) == {
        "roleplay_mode": "off"
    }
    slot = next(s for s in domain.slots if s.name == "roleplay_mode")
    assert "off" in slot.values  # featurised as itself, not as an unknown value


def test_the_choice_entities_do_not_influence_the_conversation_the_mode_slot_does(domain, reader):
    message = parsed(reader, "远山太贵了", CUSTOMER)
    entities = [{"entity": "car_model", "value": "远山", "start": 0, "end": 2}, *message.get(ENTITIES)]
    tracker = DialogueStateTracker.from_events("t", [], slots=domain.slots)
    tracker.update(ActionExecuted("action_listen"))
    tracker.update(UserUttered("远山太贵了", {"name": "objection_price"}, entities))
    tracker.update(SlotSet("roleplay_mode", "customer"))
    state = domain.get_active_state(tracker)
    assert state["user"]["entities"] == ("car_model",)
    assert "roleplay_mode" in state["slots"] and "roleplay_persona" not in state["slots"]


# -- a new choice starts a new visit (action_roleplay_turn) ---------------------------------------------


def slot(name, value):
    return {"event": "slot", "name": name, "value": value}


def turn(mode="customer", persona="a"):
    """The slot events of one trainee message that carries the choice, as action_extract_slots sets them."""
    return [{"event": "user", "text": "x"}, slot("roleplay_mode", mode), slot("roleplay_persona", persona)]


START = [{"event": "action", "name": "action_roleplay_turn"}, slot("roleplay_replies", [])]
REPLY = [{"event": "action", "name": "action_roleplay_turn"}, slot("roleplay_replies", ["好的"])]
SESSION = [{"event": "action", "name": "action_session_start"}, {"event": "session_started"}]


@pytest.mark.parametrize(
    "events, expected",
    [
        (turn(), False),  # no visit yet (its replies are None: it starts anyway)
        (turn() + START + turn(), False),
        (turn() + START + turn() + REPLY + turn(), False),
        (turn() + START + turn(persona="b"), True),
        (turn() + START + turn(mode="coach") + turn(), True),
        (turn() + START + turn(mode="off") + turn(), True),
        (turn() + START + turn(persona="b") + turn(persona="a"), True),  # as the old action: b reset the visit
        (turn(persona=None) + START + turn(), True),  # the visit played the default persona
        ([{"event": "user", "text": "x"}, slot("roleplay_mode", "customer")] + START + turn(), True),
        (turn() + START + [{"event": "user", "text": "x"}], False),  # a message without the choice
        # a visit begun in an earlier session: the carried-over persona is the visit's
        (SESSION + turn() + [slot("roleplay_replies", ["好的"])] + turn(), False),
        (SESSION + [slot("roleplay_mode", "customer"), slot("roleplay_persona", "a")] + turn(persona="b"), True),
        (turn() + START + [{"event": "restart"}] + turn(), False),
    ],
)
def test_new_choice(events, expected):
    assert new_choice(events) is expected
