"""Personal data in logs: phone numbers are masked wherever our processes log.

Both servers get ``PhoneMaskingFilter`` from their logging configuration, ``deploy/logging.yml``,
passed as ``--logging-config-file`` to ``rasa run`` and ``python -m rasa_sdk`` (scripts/demo.sh, the
Dockerfiles, tests/conftest.py): on the root logger's console handler (Rasa's and the action server's
log lines) and on Sanic's three loggers themselves (``sanic.root``, ``sanic.error``, ``sanic.access``
write through handlers of their own, which ``Sanic()`` replaces when Rasa creates its app, keeping the
loggers' filters). So a phone number in any log line (ours, Rasa's debug output of a user message, an
exception, SQLAlchemy's ``[parameters: ...]``, a URL in an access line) is written as 138****8000.
Nothing is installed by importing a module.

``install_log_masking`` does the same for a process that starts without that configuration (a script
or test that configured logging itself): the filter on every handler there is and on Sanic's loggers.
"""

import logging
from typing import Any, Iterable, List

from bot.privacy.phone import mask_phones

SANIC_LOGGERS = ("sanic.root", "sanic.error", "sanic.access")
_MASKED = "_phones_masked"  # set on a record once masked: the next handlers' filters skip it
_FORMATTER = logging.Formatter()


def mask_phone(text: Any) -> str:
    """The text with each phone number's middle digits replaced by ``*`` (the patterns of bot.privacy.phone,
    so every number the widget form or the chat accepts is masked, +86 forms included)."""
    return mask_phones("" if text is None else str(text))


def _masked_args(args: Any) -> Any:
    """The arguments of a record whose message could not be formatted, as logging will print them in
    its error report: each one as masked text."""
    if isinstance(args, dict):
        return {k: mask_phone(v) for k, v in args.items()}
    if isinstance(args, tuple):
        return tuple(mask_phone(a) for a in args)
    return mask_phone(args)


class PhoneMaskingFilter(logging.Filter):
    """Masks phone numbers in a record: its message with its arguments of any type (an exception, a
    dict, SQLAlchemy's parameters), its traceback and stack, and Sanic's request line. Never drops
    a record. Usable on a handler or a logger, and from a logging configuration."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, _MASKED, False):
            return True
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: logging reports it, with the arguments
            record.msg = mask_phone(record.msg)
            if record.args:
                record.args = _masked_args(record.args)
        else:
            masked = mask_phone(message)
            if masked != message:
                record.msg, record.args = masked, None
        if record.exc_info and not record.exc_text:
            record.exc_text = _FORMATTER.formatException(record.exc_info)  # what handlers would write
        if record.exc_text:
            record.exc_text = mask_phone(record.exc_text)
        if record.stack_info:
            record.stack_info = mask_phone(record.stack_info)
        request = getattr(record, "request", None)  # Sanic's access lines: "GET http://host/path?query"
        if isinstance(request, str):
            record.request = mask_phone(request)
        setattr(record, _MASKED, True)
        return True


def _every_logger() -> Iterable[logging.Logger]:
    yield logging.getLogger()
    for logger in list(logging.Logger.manager.loggerDict.values()):
        if isinstance(logger, logging.Logger):  # not the placeholders of loggers not created yet
            yield logger


def _has_filter(filterer: logging.Filterer) -> bool:
    return any(isinstance(f, PhoneMaskingFilter) for f in filterer.filters)


_FILTER = PhoneMaskingFilter()


def mask_all_handlers() -> List[logging.Handler]:
    """Adds the filter to every handler of every existing logger that lacks it (root, Rasa's, Sanic's,
    ours) and returns those handlers. Idempotent."""
    added: List[logging.Handler] = []
    for logger in _every_logger():
        for handler in logger.handlers:
            if not _has_filter(handler):
                handler.addFilter(_FILTER)
                added.append(handler)
    return added


def install_log_masking() -> None:
    """Masks phone numbers in every log line of this process: the filter on every handler there is,
    and on Sanic's loggers, whose handlers Sanic replaces when the app is created. Idempotent."""
    for name in SANIC_LOGGERS:
        logger = logging.getLogger(name)
        if not _has_filter(logger):
            logger.addFilter(_FILTER)
    mask_all_handlers()
