"""Custom actions: thin wrappers that call into the ``bot`` package."""

import os
import sys

# Phone numbers in the action server's log lines are masked by its logging configuration:
# `python -m rasa_sdk --logging-config-file deploy/logging.yml` (bot.privacy.logs.PhoneMaskingFilter).


def warm_up() -> None:
    """Loads what the first turns need (the catalog, the entity finder with spaCy, the product
    engine's vocabulary, the cue words, the date parser), so the first visitor's booking or fact
    question does not wait for them past the action timeout."""
    from actions.booking import finder
    from actions.objections import catalog, cues
    from bot.booking.parse import warm_up as warm_up_dates
    from bot.product import get_product_knowledge

    catalog()
    finder()
    cues()
    get_product_knowledge()
    warm_up_dates()


# In the action server (not in test processes that import single actions), before the first request.
if os.environ.get("BOT_WARM_UP", "1") == "1" and "pytest" not in sys.modules:
    warm_up()
