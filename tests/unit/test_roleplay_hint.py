"""The in-session hint (提示) reads as one sentence: for every persona, level, objection and attempt,
and once the customer is ready for the next step, no two punctuation marks in a row (the issue's
推进销售。；价值解答 came from a move's reason ending in 。 joined by ；), one 。 at the end, and it
names every move the rubric expects."""

import re

import pytest

from bot.roleplay.session import CustomerSession
from tests.unit.shared import roleplay_parts

# Sentence punctuation (full- and half-width) and the ellipsis; brackets are not counted: 价值解答(FAB)：
# is a name in brackets followed by its colon. The hint is shown after "提示：这一轮建议先做到——".
MARKS = "。，、；：！？…,.;:!?"
DOUBLED = re.compile(f"[{re.escape(MARKS)}]\\s*[{re.escape(MARKS)}]")
ATTEMPTS = (1, 2, 3, 4)


@pytest.fixture(scope="module")
def parts():
    return roleplay_parts()


def every_hint(parts):
    """(where, session, hint) for every persona x level x objection x attempt, and the ready state."""
    scorer, playbook, catalog, personas, reader = parts
    for persona in personas.values():
        for level in persona.levels:
            for index, lines in enumerate(persona.objections):
                for attempt in ATTEMPTS:
                    s = CustomerSession(persona, level, scorer, playbook, catalog, reader, index=index, attempt=attempt)
                    yield f"{persona.id}/{level}/{lines.objection}#{attempt}", s, s.hint()
            s = CustomerSession(
                persona, level, scorer, playbook, catalog, reader, index=len(persona.objections) - 1, ready=True
            )
            yield f"{persona.id}/{level}/ready", s, s.hint()


def test_no_hint_has_two_punctuation_marks_in_a_row(parts):
    hints = list(every_hint(parts))
    assert len(hints) >= 10 * 3 * 2  # ten personas, three levels, at least an objection each
    bad = [(where, hint) for where, _, hint in hints if DOUBLED.search(hint)]
    assert not bad, bad[:5]


def test_a_hint_is_one_sentence_naming_each_expected_move(parts):
    playbook = parts[1]
    for where, s, hint in every_hint(parts):
        moves = ("next_step",) if s.ready else s.expectation().moves
        assert hint.endswith("。") and hint.count("。") == 1, (where, hint)
        assert hint.count("；") == len(moves) - 1, (where, hint)
        for move in moves:
            assert f"{playbook.moves[move].zh}：" in hint, (where, move, hint)
        assert hint[0] not in MARKS, (where, hint)


def test_the_issues_doubled_mark_is_gone(parts):
    """The case the issue quoted: a reason ending in 。 followed by the next move."""
    joined = [(where, hint) for where, _, hint in every_hint(parts) if "；" in hint]
    assert joined, "some turn expects more than one move"
    assert all("。；" not in hint for _, hint in joined)


def test_doubled_pattern_catches_what_the_issue_saw():
    assert DOUBLED.search("推进销售。；价值解答(FAB)：")
    assert not DOUBLED.search("价值解答(FAB)：从顾客关心的方面讲；请求下一步：推进销售。")
