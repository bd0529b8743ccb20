"""Reading the held-out NLU split and parsing it with a trained model, in process or over HTTP."""

import asyncio
import json
import logging
import urllib.request
from pathlib import Path
from typing import Any, Callable, Dict, Iterable, List

from bot.evaluation.metrics import Example, Prediction

HOLDOUT_GLOB = "tests/nlu/holdout_*.yml"


def load_examples(paths: Iterable[Path]) -> List[Example]:
    """Examples with their annotated entities (values as annotated, or the text itself)."""
    from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLReader

    out: List[Example] = []
    for path in sorted(paths):
        for m in RasaYAMLReader().read(str(path)).intent_examples:
            ents = tuple(
                (e["start"], e["end"], e["entity"], str(e.get("value", m.get("text")[e["start"] : e["end"]])))
                for e in m.get("entities", [])
            )
            out.append(Example(m.get("text"), m.get("intent"), ents))
    return out


def prediction_from_parse(data: Dict[str, Any]) -> Prediction:
    """Converts Rasa's parse result; for ``nlu_fallback`` keeps the intent the classifier ranked first."""
    intent = data.get("intent") or {}
    name, confidence, fallback = intent.get("name"), float(intent.get("confidence") or 0.0), False
    if name == "nlu_fallback":
        fallback = True
        ranked = [r for r in data.get("intent_ranking", []) if r.get("name") != "nlu_fallback"]
        name, confidence = (ranked[0]["name"], float(ranked[0]["confidence"])) if ranked else ("", 0.0)
    ents = tuple((e["start"], e["end"], e["entity"], str(e.get("value"))) for e in data.get("entities", []))
    return Prediction(name or "", confidence, ents, fallback)


def http_parser(base_url: str, token: str) -> Callable[[str], Prediction]:
    """Parses through a running Rasa server's ``/model/parse`` (HTTP API with a token)."""

    def parse(text: str) -> Prediction:
        req = urllib.request.Request(
            f"{base_url}/model/parse?token={token}",
            data=json.dumps({"text": text}).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(req, timeout=30) as resp:
            return prediction_from_parse(json.load(resp))

    return parse


def local_parser(model_path: str) -> Callable[[str], Prediction]:
    """Parses with the model loaded in this process (no servers needed)."""
    from rasa.core.agent import Agent
    from rasa.utils.common import configure_logging_and_warnings
    from rasa.utils.log_utils import configure_structlog

    configure_logging_and_warnings(logging.WARNING)
    configure_structlog(logging.WARNING)
    loop = asyncio.new_event_loop()
    agent = Agent.load(model_path)

    def parse(text: str) -> Prediction:
        return prediction_from_parse(loop.run_until_complete(agent.parse_message(text)))

    return parse
