"""bot.rasa.patches: the version guard, the upstream signature each patch relies on (so a Rasa upgrade
fails here), the cached action-response validator (accepts and refuses exactly what Rasa's own check
does), and that importing our channel modules changes nothing in Rasa."""

import inspect
import subprocess
import sys

import jsonschema
import pytest
from rasa.core.actions.action import RemoteAction

from bot.rasa import patches

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


# -- the version guard -----------------------------------------------------------------------------


def test_the_pinned_version_is_the_installed_and_the_required_one():
    assert patches.installed_rasa_version() == patches.PINNED_RASA
    with open("requirements.in", encoding="utf-8") as f:
        assert f"rasa[spacy]=={patches.PINNED_RASA}" in f.read()


def test_another_rasa_version_is_refused_with_both_versions_named():
    with pytest.raises(patches.RasaVersionError, match=r"Rasa 3\.6\.21 but Rasa 3\.7\.0 is installed"):
        patches.check_rasa_version("3.7.0")
    patches.check_rasa_version(patches.PINNED_RASA)


def test_install_refuses_another_version(monkeypatch):
    monkeypatch.setattr(patches, "_installed", False)
    monkeypatch.setattr(patches, "installed_rasa_version", lambda: "3.6.20")
    before = RemoteAction.run
    with pytest.raises(patches.RasaVersionError, match="3.6.20"):
        patches.install()
    assert RemoteAction.run is before


# -- one test per patched signature (the upstream functions as Rasa ships them) ----------------------


def upstream(name):
    """Rasa's own function, also when the patches are installed (unwrapped, or from the source)."""
    import rasa.core.actions.action as module

    source = inspect.getsource(module.RemoteAction)
    return source, inspect.unwrap(patches._upstream(name))


def test_validate_action_result_signature():
    source, _ = upstream("RemoteAction._validate_action_result")
    assert "def _validate_action_result(self, result: Dict[Text, Any]) -> bool:" in source
    assert "jsonschema.validate" in source or "validate(result, self.action_response_format_spec())" in source


def test_run_signature():
    source, func = upstream("RemoteAction.run")
    assert patches.parameters(func) == patches.SIGNATURES["RemoteAction.run"]
    assert "async def run(" in source and "DEFAULT_REQUEST_TIMEOUT" in source  # the timeout the guard replaces


def test_action_response_format_spec_signature():
    assert patches.parameters(RemoteAction.action_response_format_spec) == []
    assert isinstance(RemoteAction.action_response_format_spec(), dict)


def test_install_checks_every_signature(monkeypatch):
    monkeypatch.setattr(patches, "_installed", False)
    monkeypatch.setitem(patches.SIGNATURES, "RemoteAction.run", ["self", "tracker"])
    with pytest.raises(patches.RasaVersionError, match="RemoteAction.run takes"):
        patches.install()


# -- patch 1: the cached validator ----------------------------------------------------------------


@pytest.mark.parametrize("result", GOOD)
def test_valid_responses_pass_both(result):
    rasa_original(result)
    assert patches.validate_action_result(RemoteAction, result) is True


@pytest.mark.parametrize("result", BAD)
def test_invalid_responses_are_refused_by_both(result):
    with pytest.raises(jsonschema.ValidationError):
        rasa_original(result)
    with pytest.raises(jsonschema.ValidationError, match="Failed to validate Action server response"):
        patches.validate_action_result(RemoteAction, result)


def test_install_patches_once():
    patches.install()
    run = RemoteAction.run
    patches.install()
    assert RemoteAction._validate_action_result is patches.validate_action_result
    assert RemoteAction.run is run  # not wrapped twice
    assert patches.installed()


# -- nothing is installed by importing --------------------------------------------------------------


def test_importing_the_channels_installs_nothing():
    code = (
        "import bot.channels.wechat_crypto, bot.channels.rest, bot.channels.widget, bot.channels.wechat, "
        "actions\n"
        "from rasa.core.actions.action import RemoteAction\n"
        "from bot.rasa import patches\n"
        "assert not patches.installed()\n"
        "assert RemoteAction.run.__module__ == 'rasa.core.actions.action', RemoteAction.run\n"
        "assert RemoteAction._validate_action_result.__module__ == 'rasa.core.actions.action'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, env={"BOT_WARM_UP": "0", "PATH": ""}, timeout=120)
