"""Personal data in logs: phone numbers are masked wherever our processes log.

``install_log_masking`` adds a filter to the root logger's handlers (Rasa's and the action
server's), so a phone number in any log line — ours, Rasa's debug output of a user message, an
exception — is written as 138****8000."""

import logging
from typing import Any

from bot.phone import mask_phones

def mask_phone(text: Any) -> str:
    """The text with each phone number's middle digits replaced by ``*`` (the patterns of bot.phone,
    so every number the widget form or the chat accepts is masked, +86 forms included)."""
    return mask_phones("" if text is None else str(text))


class PhoneMaskingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: leave it to logging to report
            return True
        masked = mask_phone(message)
        if masked != message:
            record.msg, record.args = masked, None
        if record.exc_info and not record.exc_text:
            record.exc_text = mask_phone(logging.Formatter().formatException(record.exc_info))
        elif record.exc_text:
            record.exc_text = mask_phone(record.exc_text)
        return True


_FILTER = PhoneMaskingFilter()


def install_log_masking() -> None:
    """Adds the filter to every handler of the root logger (idempotent)."""
    root = logging.getLogger()
    for handler in root.handlers:
        if _FILTER not in handler.filters:
            handler.addFilter(_FILTER)
