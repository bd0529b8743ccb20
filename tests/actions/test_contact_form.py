"""The contact form's consent question: yes keeps the lead, no or an objection keeps nothing, an
unclear answer is asked about once more and, unclear again, keeps nothing.

The first tests call ValidateContactForm on SDK trackers built from events, as the action server
would get them. The conversation tests run Rasa's own FormAction for contact_form with the real
domain, sending the validation and action_save_lead calls to an in-process action executor instead
of over HTTP: what the form asks next, and whether it is rejected, is Rasa's decision, not ours.
No model and no server are needed; leads go to a temporary SQLite database."""

import datetime as dt
from pathlib import Path
from typing import Any, Dict, List, Optional

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import ActionExecutor, CollectingDispatcher

from actions.contact import ValidateContactForm
from bot.leads.store import LeadStore
from bot.rasa.names import SLOT_LEAD_CONSENT_AGAIN

ROOT = Path(__file__).resolve().parents[2]
PHONE = "13800138000"
SENDER = "consent-user"


@pytest.fixture(scope="module")
def domain():
    from rasa.shared.core.domain import Domain

    return Domain.load(str(ROOT / "domain.yml"))


@pytest.fixture
def store(tmp_path, monkeypatch):
    monkeypatch.setenv("BOT_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("DB_HOST", raising=False)
    return LeadStore()


# --- the validation action on SDK trackers ----------------------------------------------------------


def user(intent: str, text: str) -> Dict[str, Any]:
    return {
        "event": "user",
        "text": text,
        "parse_data": {"intent": {"name": intent, "confidence": 0.99}, "entities": [], "text": text},
    }


def consent_tracker(text: str, intent: str, asked_again: bool = False) -> Tracker:
    """The tracker the action server gets when the form validates an answer to the consent question
    (Rasa appends requested_slot and the form's ActionExecuted to the events)."""
    requested = SLOT_LEAD_CONSENT_AGAIN if asked_again else "lead_consent"
    slots = {
        "lead_phone": PHONE,
        "lead_consent": None,
        SLOT_LEAD_CONSENT_AGAIN: 1.0 if asked_again else None,
        "requested_slot": requested,
    }
    events = [
        user("affirm", PHONE),
        {"event": "action", "name": "contact_form"},
        {"event": "action", "name": "action_listen"},
        user(intent, text),
        {"event": "slot", "name": "requested_slot", "value": requested},
        {"event": "action", "name": "contact_form"},
    ]
    return Tracker(
        SENDER, slots, events[3]["parse_data"], events, False, None, {"name": "contact_form"}, "contact_form"
    )


async def validate(tracker: Tracker, domain) -> Dict[str, Any]:
    dispatcher = CollectingDispatcher()
    events = await ValidateContactForm().run(dispatcher, tracker, domain.as_dict())
    assert dispatcher.messages == []  # the form asks; the validation says nothing of its own
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


@pytest.mark.parametrize(
    "text, intent, slots",
    [
        ("可以", "affirm", {"lead_consent": True}),
        ("/affirm", "affirm", {"lead_consent": True}),
        ("不同意", "deny", {"lead_consent": False}),
        ("不同意", "affirm", {"lead_consent": False}),  # the words win over the intent
        ("不好意思，不太方便", "affirm", {"lead_consent": False}),
        ("/deny", "deny", {"lead_consent": False}),
        ("可以", "deny", {"lead_consent": None, SLOT_LEAD_CONSENT_AGAIN: 1, "requested_slot": SLOT_LEAD_CONSENT_AGAIN}),
        (
            "嗯…",
            "affirm",
            {"lead_consent": None, SLOT_LEAD_CONSENT_AGAIN: 1, "requested_slot": SLOT_LEAD_CONSENT_AGAIN},
        ),
        ("太贵了", "objection_price", {"lead_consent": False}),
        ("有现车吗", "ask_delivery", {"lead_consent": False}),
        ("再见", "goodbye", {"lead_consent": False}),
    ],
)
async def test_first_answer_to_the_consent_question(domain, text, intent, slots):
    assert await validate(consent_tracker(text, intent), domain) == slots


@pytest.mark.parametrize(
    "text, intent, consent",
    [("可以", "affirm", True), ("嗯…", "affirm", False), ("随便", "thank", False), ("不用", "deny", False)],
)
async def test_answer_after_the_question_was_asked_again(domain, text, intent, consent):
    assert await validate(consent_tracker(text, intent, asked_again=True), domain) == {"lead_consent": consent}


async def test_the_consent_set_by_the_widget_form_is_kept(domain):
    tracker = consent_tracker("", "greet")
    tracker.slots["requested_slot"] = None
    assert ValidateContactForm().validate_lead_consent(True, CollectingDispatcher(), tracker, {}) == {
        "lead_consent": True
    }


def test_the_question_asked_again_is_in_the_domain(domain):
    again = domain.responses["utter_ask_lead_consent_again"][0]
    first = domain.responses["utter_ask_contact_form_lead_consent"][0]
    assert again["buttons"] == first["buttons"]
    assert "{lead_phone}" in again["text"] and "可以" in again["text"] and "不用" in again["text"]
    slot = next(s for s in domain.slots if s.name == SLOT_LEAD_CONSENT_AGAIN)
    assert not slot.influence_conversation


# --- whole conversations through Rasa's form loop ----------------------------------------------------


class InProcessActionServer:
    """Stands in for the action endpoint: runs the request with rasa_sdk's executor and our actions."""

    kwargs: Dict[str, Any] = {}

    def __init__(self) -> None:
        self.executor = ActionExecutor()
        self.executor.register_package("actions")

    async def request(self, json: Dict[str, Any], method: str = "post", **_: Any) -> Dict[str, Any]:
        return await self.executor.run(json)


class Conversation:
    """A conversation that has just been graded (A, follow-up in 7 days): the contact form starts."""

    def __init__(self, domain) -> None:
        from rasa.core.actions.action import RemoteAction
        from rasa.core.actions.forms import FormAction
        from rasa.core.channels import CollectingOutputChannel
        from rasa.core.nlg import TemplatedNaturalLanguageGenerator
        from rasa.shared.core.events import ActionExecuted, SlotSet, UserUttered
        from rasa.shared.core.trackers import DialogueStateTracker

        self.domain = domain
        self.endpoint = InProcessActionServer()
        self.form = FormAction("contact_form", self.endpoint)
        self.save_lead = RemoteAction("action_save_lead", self.endpoint)
        self.nlg = TemplatedNaturalLanguageGenerator(domain.responses)
        self.channel = CollectingOutputChannel()
        self.messages: List[Dict[str, Any]] = []  # what the customer was sent: text, buttons, custom
        self.ActionExecuted, self.UserUttered = ActionExecuted, UserUttered
        follow_up = (dt.date.today() + dt.timedelta(days=7)).isoformat()
        self.tracker = DialogueStateTracker.from_events(
            SENDER,
            [
                ActionExecuted("action_listen"),
                UserUttered("一个月内吧", {"name": "affirm", "confidence": 0.99}, input_channel="rest"),
                ActionExecuted("action_grade_lead"),
                SlotSet("lead_grade", "A"),
                SlotSet("follow_up_date", follow_up),
                SlotSet("lead_pending", False),
            ],
            slots=domain.slots,
        )

    async def _run(self, action) -> List[str]:
        events = await action.run(self.channel, self.nlg, self.tracker, self.domain)
        self.tracker.update(self.ActionExecuted(action.name()))
        self.tracker.update_with_events(events, self.domain)
        bot = [e for e in events if e.type_name == "bot"]
        self.messages += [{"text": e.text, **{k: v for k, v in e.data.items() if v is not None}} for e in bot]
        return [e.metadata.get("utter_action") or e.text for e in bot]

    async def start(self) -> List[str]:
        said = await self._run(self.form)
        self.tracker.update(self.ActionExecuted("action_listen"))
        return said

    async def say(self, text: str, intent: str) -> List[str]:
        """The bot's responses (response names) to one message, as the rules run them: the active
        form, and action_save_lead once the form is done."""
        self.tracker.update(
            self.UserUttered(
                text,
                {"name": intent, "confidence": 0.99},
                parse_data={"intent": {"name": intent, "confidence": 0.99}, "entities": [], "text": text},
                input_channel="rest",
            )
        )
        said = await self._run(self.form)
        if self.tracker.active_loop_name is None:
            said += await self._run(self.save_lead)
        self.tracker.update(self.ActionExecuted("action_listen"))
        return said

    def slot(self, name: str) -> Optional[Any]:
        return self.tracker.get_slot(name)


async def asked_for_consent(domain) -> Conversation:
    c = Conversation(domain)
    assert await c.start() == ["utter_ask_contact_form_lead_phone"]
    assert await c.say(f"我姓李，电话 {PHONE}", "affirm") == ["utter_ask_contact_form_lead_consent"]
    assert c.slot("requested_slot") == "lead_consent"
    return c


def kept_nothing(c: Conversation, store: LeadStore) -> bool:
    return (
        store.get(SENDER) is None
        and c.slot("lead_phone") is None
        and c.slot("lead_consent") is None
        and c.slot(SLOT_LEAD_CONSENT_AGAIN) is None
        and c.tracker.active_loop_name is None
    )


@pytest.mark.parametrize("answer", ["可以", "/affirm", "可以是可以，但是别老打"])
async def test_yes_keeps_the_lead(domain, store, answer):
    c = await asked_for_consent(domain)
    said = await c.say(answer, "affirm")
    assert said[0] == "utter_lead_saved" and "138****8000" in c.messages[-2]["text"]
    lead = store.get(SENDER)
    assert (lead.phone, lead.name, lead.grade, lead.channel) == (PHONE, "李", "A", "rest")
    assert c.tracker.active_loop_name is None and c.slot(SLOT_LEAD_CONSENT_AGAIN) is None


@pytest.mark.parametrize(
    "answer, intent",
    [
        ("不同意", "deny"),
        ("不行", "affirm"),
        ("不可以", "affirm"),
        ("不好意思，不太方便", "affirm"),
        ("没同意", "affirm"),
        ("好的，不过先别打电话", "affirm"),
        ("/deny", "deny"),
    ],
)
async def test_no_keeps_nothing(domain, store, answer, intent):
    c = await asked_for_consent(domain)
    assert await c.say(answer, intent) == ["utter_lead_not_kept"]
    assert kept_nothing(c, store)


async def test_unclear_is_asked_again_once_then_yes_keeps_the_lead(domain, store):
    c = await asked_for_consent(domain)
    assert await c.say("嗯…", "affirm") == ["utter_ask_lead_consent_again"]  # only the new question
    assert [b["payload"] for b in c.messages[-1]["buttons"]] == ["/affirm", "/deny"]
    assert PHONE in c.messages[-1]["text"]
    assert c.tracker.active_loop_name == "contact_form" and c.slot("requested_slot") == SLOT_LEAD_CONSENT_AGAIN
    assert store.get(SENDER) is None
    assert (await c.say("可以", "affirm"))[0] == "utter_lead_saved"
    assert store.get(SENDER).phone == PHONE and c.slot(SLOT_LEAD_CONSENT_AGAIN) is None


async def test_unclear_twice_keeps_nothing(domain, store):
    c = await asked_for_consent(domain)
    assert await c.say("随便吧", "affirm") == ["utter_ask_lead_consent_again"]
    assert await c.say("看情况吧", "affirm") == ["utter_lead_not_kept"]
    assert kept_nothing(c, store)


async def test_unclear_then_no_keeps_nothing(domain, store):
    c = await asked_for_consent(domain)
    assert await c.say("你们会打几次？", "out_of_scope") == ["utter_lead_not_kept"]  # another question
    assert kept_nothing(c, store)
    c = await asked_for_consent(domain)
    assert await c.say("我想想", "affirm") == ["utter_ask_lead_consent_again"]
    assert await c.say("/deny", "deny") == ["utter_lead_not_kept"]
    assert kept_nothing(c, store)


@pytest.mark.parametrize("first", [None, "嗯…"])
async def test_an_objection_instead_is_answered_and_nothing_kept(domain, store, first):
    c = await asked_for_consent(domain)
    if first:
        assert await c.say(first, "affirm") == ["utter_ask_lead_consent_again"]
    said = await c.say("你们这车也太贵了吧", "objection_price")
    assert "utter_lead_not_kept" not in said and "utter_ask_lead_consent_again" not in said
    answer = [m["custom"] for m in c.messages if isinstance(m.get("custom"), dict)]
    assert answer and answer[-1]["objection"] == "objection_price"
    assert kept_nothing(c, store)
