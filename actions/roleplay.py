"""Trainee practice: customer mode turns (the bot plays a persona and scores the trainee). The logic
lives in bot.roleplay; the mode, persona and level slots fill from the message metadata
(bot.nlu.roleplay_metadata)."""

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.catalog.location import catalog_path
from bot.rasa.names import (
    ACTION_ROLEPLAY_TURN,
    SLOT_ROLEPLAY_HISTORY,
    SLOT_ROLEPLAY_LEVEL,
    SLOT_ROLEPLAY_MODE,
    SLOT_ROLEPLAY_PERSONA,
    SLOT_ROLEPLAY_REPLIES,
    UTTER_ROLEPLAY_CUSTOMER,
    UTTER_ROLEPLAY_EMPTY,
    UTTER_ROLEPLAY_FEEDBACK,
    UTTER_ROLEPLAY_HINT,
    UTTER_ROLEPLAY_INTRO,
    UTTER_ROLEPLAY_SCORECARD,
)
from bot.roleplay.location import roleplay_dir
from bot.roleplay.practice import Practice, get_practice, history_entry

CUSTOMER_MODE = "customer"  # the value of roleplay_mode for customer mode (bot.nlu.roleplay_metadata.MODES)


def practice() -> Practice:
    """The practice data of $BOT_ROLEPLAY_DIR with the catalog of $BOT_CATALOG_PATH, loaded once."""
    return get_practice(str(roleplay_dir()), str(catalog_path()))


def new_choice(events: List[Dict[Text, Any]]) -> bool:
    """Whether the trainee chose again since the current visit began (``roleplay_replies`` set to
    ``[]``): the mode was set to anything but customer, or the persona to another than the visit's.
    The roleplay slots fill from the message metadata (bot.nlu.roleplay_metadata) with every message
    that carries the choice, changed or not, so the slot events since the visit's start tell. A visit
    begun in an earlier session has the persona the new session carried over."""
    personas: List[Any] = []  # the personas set since the visit began, latest first
    started = False
    for event in reversed(events):
        kind, name, value = event.get("event"), event.get("name"), event.get("value")
        if kind == "session_started" and not started and personas:
            return any(p != personas[-1] for p in personas)
        if kind in ("restart", "session_started"):
            break
        if kind != "slot":
            continue
        if started:
            if name == SLOT_ROLEPLAY_PERSONA:  # the persona the visit began with
                return any(p != value for p in personas)
        elif name == SLOT_ROLEPLAY_REPLIES and value == []:
            started = True
        elif name == SLOT_ROLEPLAY_MODE and value != CUSTOMER_MODE:
            return True
        elif name == SLOT_ROLEPLAY_PERSONA:
            personas.append(value)
    return started and any(p is not None for p in personas)


class ActionRoleplayTurn(Action):
    """One turn of customer mode: start the visit, or score the trainee's reply and answer as
    the customer; at the end, the scorecard (also kept in the conversation store). A new choice of
    mode or persona since the visit began starts a new visit (``new_choice``)."""

    def name(self) -> Text:
        return ACTION_ROLEPLAY_TURN

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        p = practice()
        persona_id = tracker.get_slot(SLOT_ROLEPLAY_PERSONA) or next(iter(p.personas))
        level = tracker.get_slot(SLOT_ROLEPLAY_LEVEL) or "normal"
        replies = tracker.get_slot(SLOT_ROLEPLAY_REPLIES)
        text = (tracker.latest_message.get("text") or "").strip()
        command = p.command(text)
        if replies is None or command == "restart" or new_choice(tracker.events):
            return self._start(dispatcher, p.visit(persona_id, level, []))
        session = p.visit(persona_id, level, replies)
        if command == "hint":
            dispatcher.utter_message(response=UTTER_ROLEPLAY_HINT, hint=session.hint())
            return []
        if command == "stop":
            return self._finish(dispatcher, tracker, session, replies)
        if not text:
            dispatcher.utter_message(response=UTTER_ROLEPLAY_EMPTY)
            return []
        turn = session.respond(text)
        replies = list(replies) + [text]
        dispatcher.utter_message(response=UTTER_ROLEPLAY_FEEDBACK, score=turn.score.total, notes=turn.score.notes())
        dispatcher.utter_message(response=UTTER_ROLEPLAY_CUSTOMER, line=turn.customer_line)
        dispatcher.utter_message(
            json_message={
                "roleplay_turn": {
                    "objection": turn.objection,
                    "attempt": turn.attempt,
                    "score": turn.score.total,
                    "good": turn.good,
                    "checks": {n: c.passed for n, c in turn.score.checks.items()},
                    "principles": list(turn.score.principles),
                    "penalties": [x.name for x in turn.score.penalties],
                    "missing": list(turn.score.missing),
                    "reactions": [
                        {"kind": r.kind, "line": r.line, "evidence": list(r.evidence)} for r in turn.reactions
                    ],
                    "next": {
                        "objection": session.current.objection,
                        "attempt": session.attempt,
                        "ready": session.ready,
                    },
                    "evidence": {
                        c.name: list(c.evidence)
                        for c in (*turn.score.checks.values(), *turn.score.penalties)
                        if c.evidence
                    },
                }
            }
        )
        if session.outcome:
            return self._finish(dispatcher, tracker, session, replies)
        return [SlotSet(SLOT_ROLEPLAY_REPLIES, replies)]

    @staticmethod
    def _start(dispatcher: CollectingDispatcher, session) -> List[EventType]:
        persona = session.persona
        dispatcher.utter_message(
            response=UTTER_ROLEPLAY_INTRO,
            persona=persona.name,
            background=persona.background,
            level=session.labels.levels[session.level_name],
        )
        dispatcher.utter_message(response=UTTER_ROLEPLAY_CUSTOMER, line=session.opening())
        return [SlotSet(SLOT_ROLEPLAY_REPLIES, [])]

    @staticmethod
    def _finish(dispatcher: CollectingDispatcher, tracker: Tracker, session, replies) -> List[EventType]:
        history = list(tracker.get_slot(SLOT_ROLEPLAY_HISTORY) or [])
        previous = [h["total"] for h in history if h.get("persona") == session.persona.id]
        card = session.scorecard(previous)
        labels = session.labels
        tips = "\n".join(
            labels.suggestion(i + 1, s.move_zh, s.why, s.model_answer) for i, s in enumerate(card.suggestions)
        )
        dispatcher.utter_message(
            response=UTTER_ROLEPLAY_SCORECARD,
            total=card.total,
            outcome=labels.outcome(card.outcome),
            dimensions=labels.dimension_scores(card.dimensions),
            notes="\n".join(card.turn_notes),
            suggestions=tips,
            comparison=card.comparison,
        )
        entry = history_entry(session, card)
        suggestions = [
            {"move": s.move, "move_zh": s.move_zh, "why": s.why, "model_answer": s.model_answer}
            for s in card.suggestions
        ]
        dispatcher.utter_message(
            json_message={
                "roleplay_scorecard": {
                    **entry,
                    "turn_notes": list(card.turn_notes),
                    "comparison": card.comparison,
                    "suggestions": suggestions,
                }
            }
        )
        return [SlotSet(SLOT_ROLEPLAY_HISTORY, history + [entry]), SlotSet(SLOT_ROLEPLAY_REPLIES, None)]
