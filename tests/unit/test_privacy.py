"""Phone numbers are masked in every log line: Sanic's own loggers, SQLAlchemy's error messages, records
whose arguments are not strings, and handlers configured from a logging configuration."""

import io
import logging
import logging.config
import uuid

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError, StatementError

from bot.privacy.logs import SANIC_LOGGERS, PhoneMaskingFilter, install_log_masking, mask_all_handlers

PHONE, MASKED = "13800138000", "138****8000"


@pytest.fixture(autouse=True)
def logging_as_it_was():
    """Every logger's handlers, filters, level and propagation put back after the test."""
    manager = logging.Logger.manager
    loggers = [logging.getLogger()] + [x for x in manager.loggerDict.values() if isinstance(x, logging.Logger)]
    saved = {x: (list(x.handlers), list(x.filters), x.level, x.propagate, x.disabled) for x in loggers}
    handler_filters = {h: list(h.filters) for x in loggers for h in x.handlers}
    yield
    for x in [logging.getLogger()] + [x for x in manager.loggerDict.values() if isinstance(x, logging.Logger)]:
        if x in saved:
            x.handlers[:], x.filters[:], x.level, x.propagate, x.disabled = saved[x]
        else:
            x.handlers[:], x.filters[:] = [], []
    for h, filters in handler_filters.items():
        h.filters[:] = filters


def sanic_app(buffer: io.StringIO):
    """A Sanic app as Rasa creates one after loading our channels: Sanic() reconfigures its loggers
    (logging.config.dictConfig), here with every handler writing into the buffer."""
    from sanic import Sanic
    from sanic.log import LOGGING_CONFIG_DEFAULTS

    config = {
        **LOGGING_CONFIG_DEFAULTS,
        "handlers": {name: {**h, "stream": buffer} for name, h in LOGGING_CONFIG_DEFAULTS["handlers"].items()},
    }
    return Sanic(f"privacy_test_{uuid.uuid4().hex}", log_config=config)


def integrity_error() -> IntegrityError:
    engine = sa.create_engine("sqlite://")
    table = sa.Table(
        "leads", sa.MetaData(), sa.Column("sender_id", sa.String, unique=True), sa.Column("phone", sa.String)
    )
    table.metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(table.insert().values(sender_id="u1", phone=PHONE))
    try:
        with engine.begin() as conn:
            conn.execute(table.insert().values(sender_id="u1", phone=PHONE))
    except IntegrityError as e:
        return e
    raise AssertionError("no IntegrityError")


def test_sanic_error_and_access_lines_are_masked_though_sanic_replaces_its_handlers():
    from sanic.log import access_logger, error_logger

    install_log_masking()  # when Rasa loads our channels
    out = io.StringIO()
    sanic_app(out)  # then Rasa creates its app: new handlers on sanic.root / sanic.error / sanic.access
    try:
        raise ValueError(f"no tracker for {PHONE}")
    except ValueError:
        error_logger.exception("Exception occurred while handling uri: %s", f"http://x/conversations/{PHONE}/tracker")
    access_logger.info(
        "",
        extra={
            "status": 200,
            "byte": 12,
            "host": "127.0.0.1:5005",
            "request": f"GET http://127.0.0.1:5005/conversations/{PHONE}/tracker",
        },
    )
    logging.getLogger("sanic.root").info("Starting worker for %s", PHONE)
    written = out.getvalue()
    assert PHONE not in written
    assert written.count(MASKED) == 4, written  # the uri, the exception's message, the request, the worker


def test_an_sqlalchemy_error_is_masked_through_sanic_and_through_the_root_logger():
    from sanic.log import error_logger

    install_log_masking()
    out = io.StringIO()
    sanic_app(out)
    root_out = io.StringIO()
    handler = logging.StreamHandler(root_out)
    logging.getLogger().addHandler(handler)
    install_log_masking()  # again, as the action server does: idempotent, covers the new handler
    error = integrity_error()
    assert PHONE in str(error) and "[parameters: (" in str(error)
    try:
        raise error
    except IntegrityError:
        error_logger.exception("Exception occurred while handling uri: %s", "http://x/webhooks/rest/webhook")
        logging.getLogger("bot.leads.store").exception("saving the lead failed")
    logging.getLogger("bot.leads.store").error("saving the lead failed: %s", error)  # the exception as an argument
    statement_error = StatementError(
        "bad value", "INSERT INTO leads (phone) VALUES (?)", {"phone": PHONE}, ValueError()
    )
    logging.getLogger("bot.leads.store").error(statement_error)  # the exception as the message
    for written in (out.getvalue(), root_out.getvalue()):
        assert PHONE not in written and f"'{MASKED}'" in written and "IntegrityError" in written
    assert "[parameters: {'phone': '138****8000'}]" in root_out.getvalue()


def test_a_logger_with_its_own_handlers_that_does_not_propagate_is_masked():
    out = io.StringIO()
    own = logging.getLogger("some.library")
    own.addHandler(logging.StreamHandler(out))
    own.propagate = False
    install_log_masking()
    own.warning("callback %s", PHONE)
    assert out.getvalue() == f"callback {MASKED}\n"


@pytest.mark.parametrize("args", [({"phone": PHONE},), ([PHONE, "x"],), (ValueError(PHONE),), (b"13800138000",)])
def test_arguments_of_any_type_are_masked(args):
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "got %s", args, None)
    assert PhoneMaskingFilter().filter(record)
    assert PHONE not in record.getMessage() and MASKED in record.getMessage()


def test_a_broken_format_string_reports_masked_arguments(capsys):
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.addFilter(PhoneMaskingFilter())
    logger = logging.getLogger("bot.broken")
    logger.addHandler(handler)
    logger.propagate = False
    logger.warning("lead saved", PHONE, {"phone": PHONE})  # no %s: logging prints its error report on stderr
    report = capsys.readouterr().err
    assert "Logging error" in report and PHONE not in report and MASKED in report


def test_the_filter_from_a_logging_configuration_and_install_adds_no_second_one():
    out = io.StringIO()
    logging.config.dictConfig(
        {
            "version": 1,
            "disable_existing_loggers": False,
            "filters": {"phones": {"()": "bot.privacy.logs.PhoneMaskingFilter"}},
            "handlers": {"file": {"class": "logging.StreamHandler", "stream": out, "filters": ["phones"]}},
            "loggers": {"bot.configured": {"handlers": ["file"], "propagate": False, "level": "INFO"}},
        }
    )
    logging.getLogger("bot.configured").info("lead %s", PHONE)
    assert out.getvalue() == f"lead {MASKED}\n"
    handler = logging.getLogger("bot.configured").handlers[0]
    install_log_masking()
    install_log_masking()
    assert handler not in mask_all_handlers()
    assert sum(isinstance(f, PhoneMaskingFilter) for f in handler.filters) == 1
    for name in SANIC_LOGGERS:
        assert sum(isinstance(f, PhoneMaskingFilter) for f in logging.getLogger(name).filters) == 1
    for x in [logging.getLogger()] + [
        x for x in logging.Logger.manager.loggerDict.values() if isinstance(x, logging.Logger)
    ]:
        for h in x.handlers:
            assert sum(isinstance(f, PhoneMaskingFilter) for f in h.filters) == 1


# The servers' logging configuration (deploy/logging.yml), as `rasa run` and `python -m rasa_sdk` apply
# it for --logging-config-file; in a subprocess, so this test process's logging stays as it is.
LOGGING_CONFIG_CHECK = """
import logging, sys
from {module} import {function} as configure
configure("deploy/logging.yml")
logging.getLogger().setLevel(logging.INFO)
from sanic import Sanic
from sanic.log import access_logger, error_logger
Sanic("masking_check")  # Rasa's server app replaces Sanic's handlers (rasa_sdk's keeps none)
logging.getLogger("rasa.core.processor").info("Received user message '%s'", "我的电话 13800138000")
error_logger.error("Exception occurred while handling uri: http://x/conversations/13800138000/tracker")
access_logger.info("", extra={{"request": "GET http://x/?phone=13800138000", "status": 200, "byte": 1,
                               "host": "127.0.0.1"}})
try:
    raise ValueError("no tracker for 13800138000")
except ValueError:
    logging.getLogger("bot").exception("failed")
"""


@pytest.mark.parametrize(
    "module, function",
    [("rasa.utils.common", "configure_logging_from_file"), ("rasa_sdk.utils", "configure_logging_from_input_file")],
)
def test_the_servers_logging_configuration_masks_every_line(module, function):
    import subprocess
    import sys

    out = subprocess.run(
        [sys.executable, "-c", LOGGING_CONFIG_CHECK.format(module=module, function=function)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    logged = out.stdout + out.stderr
    assert PHONE not in logged, logged
    assert logged.count("138****8000") >= 4, logged


def test_both_servers_take_the_logging_configuration_option():
    import argparse

    from rasa.cli.arguments.default_arguments import add_logging_options
    from rasa_sdk.endpoint import create_argument_parser

    sdk = create_argument_parser().parse_args(["--logging-config_file", "deploy/logging.yml"])  # as Dockerfile
    assert sdk.logging_config_file == "deploy/logging.yml"
    rasa = argparse.ArgumentParser()
    add_logging_options(rasa)
    assert rasa.parse_args(["--logging-config-file", "deploy/logging.yml"]).logging_config_file == "deploy/logging.yml"
