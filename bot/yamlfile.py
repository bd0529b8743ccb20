"""Safe YAML 1.2 reading for our data files (duplicate keys are errors)."""

from pathlib import Path
from typing import Any, Union

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from bot.exceptions import DataFileError


def read_yaml(path: Union[str, Path]) -> Any:
    """Reads a UTF-8 YAML file with a YAML 1.2 safe loader.

    Raises:
        DataFileError: the file is missing, is not UTF-8, is not valid YAML, or repeats a key.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DataFileError([DataFileError.problem(path, None, "file not found")]) from None
    except UnicodeDecodeError as e:
        raise DataFileError([DataFileError.problem(path, None, f"not UTF-8 ({e.reason})")]) from None
    yaml = YAML(typ="safe", pure=True)
    yaml.version = (1, 2)  # type: ignore[assignment]
    try:
        return yaml.load(text)
    except YAMLError as e:
        reason = " ".join(str(e).split())
        raise DataFileError([DataFileError.problem(path, None, f"invalid YAML: {reason}")]) from None
