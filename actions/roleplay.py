"""Trainee practice: customer mode turns (the bot plays a persona and scores the trainee). The logic
lives in bot.roleplay; the mode, persona and level slots fill from the message metadata
(bot.nlu.roleplay_metadata)."""

import os
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.constants import DEFAULT_CATALOG_PATH, ENV_CATALOG_PATH
from bot.roleplay.practice import get_practice, history_entry

ENV_ROLEPLAY_DIR = "BOT_ROLEPLAY_DIR"
LEVEL_ZH = {"easy": "简单", "normal": "普通", "hard": "困难"}
OUTCOME_ZH = {"test_drive": "顾客同意试驾", "walk_out": "顾客离开了", None: "练习提前结束"}
DIMENSION_ZH = {
    "acknowledge": "认同",
    "clarify": "澄清",
    "value": "解答(FAB)",
    "next_step": "请求行动",
    "principle": "说服原则",
    "no_penalty": "无违规",
}


def practice():
    return get_practice(
        os.environ.get(ENV_ROLEPLAY_DIR, "data/roleplay"), os.environ.get(ENV_CATALOG_PATH, DEFAULT_CATALOG_PATH)
    )


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
            if name == "roleplay_persona":  # the persona the visit began with
                return any(p != value for p in personas)
        elif name == "roleplay_replies" and value == []:
            started = True
        elif name == "roleplay_mode" and value != "customer":
            return True
        elif name == "roleplay_persona":
            personas.append(value)
    return started and any(p is not None for p in personas)


class ActionRoleplayTurn(Action):
    """One turn of customer mode: start the visit, or score the trainee's reply and answer as
    the customer; at the end, the scorecard (also kept in the conversation store). A new choice of
    mode or persona since the visit began starts a new visit (``new_choice``)."""

    def name(self) -> Text:
        return "action_roleplay_turn"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        p = practice()
        persona_id = tracker.get_slot("roleplay_persona") or next(iter(p.personas))
        level = tracker.get_slot("roleplay_level") or "normal"
        replies = tracker.get_slot("roleplay_replies")
        text = (tracker.latest_message.get("text") or "").strip()
        command = p.command(text)
        if replies is None or command == "restart" or new_choice(tracker.events):
            return self._start(dispatcher, p.visit(persona_id, level, []))
        session = p.visit(persona_id, level, replies)
        if command == "hint":
            dispatcher.utter_message(response="utter_roleplay_hint", hint=session.hint())
            return []
        if command == "stop":
            return self._finish(dispatcher, tracker, session, replies)
        if not text:
            dispatcher.utter_message(response="utter_roleplay_empty")
            return []
        turn = session.respond(text)
        replies = list(replies) + [text]
        dispatcher.utter_message(response="utter_roleplay_feedback", score=turn.score.total, notes=turn.score.notes())
        dispatcher.utter_message(response="utter_roleplay_customer", line=turn.customer_line)
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
        return [SlotSet("roleplay_replies", replies)]

    @staticmethod
    def _start(dispatcher: CollectingDispatcher, session) -> List[EventType]:
        persona = session.persona
        dispatcher.utter_message(
            response="utter_roleplay_intro",
            persona=persona.name,
            background=persona.background,
            level=LEVEL_ZH[session.level_name],
        )
        dispatcher.utter_message(response="utter_roleplay_customer", line=session.opening())
        return [SlotSet("roleplay_replies", [])]

    @staticmethod
    def _finish(dispatcher: CollectingDispatcher, tracker: Tracker, session, replies) -> List[EventType]:
        history = list(tracker.get_slot("roleplay_history") or [])
        previous = [h["total"] for h in history if h.get("persona") == session.persona.id]
        card = session.scorecard(previous)
        dims = "，".join(f"{DIMENSION_ZH[k]}{v}" for k, v in card.dimensions.items())
        tips = "\n".join(
            f"{i + 1}. {s.move_zh}：{s.why}\n   参考说法：{s.model_answer}" for i, s in enumerate(card.suggestions)
        )
        dispatcher.utter_message(
            response="utter_roleplay_scorecard",
            total=card.total,
            outcome=OUTCOME_ZH.get(card.outcome, OUTCOME_ZH[None]),
            dimensions=dims,
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
        return [SlotSet("roleplay_history", history + [entry]), SlotSet("roleplay_replies", None)]
