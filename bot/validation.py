"""Field-by-field validation of data files that reports every problem with its file and field."""

from pathlib import Path
from typing import Any, List, Tuple

from bot.exceptions import DataFileError


class Checker:
    """Collects problems while reading nested YAML so all of them are reported at once."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.problems: List[str] = []

    def fail(self, where: str, reason: str) -> None:
        self.problems.append(DataFileError.problem(self.path, where, reason))

    def mapping(self, value: Any, where: str, required: Tuple[str, ...], optional: Tuple[str, ...] = ()) -> bool:
        if not isinstance(value, dict):
            self.fail(where, f"expected a mapping, got {type(value).__name__}")
            return False
        for key in required:
            if key not in value:
                self.fail(where, f"missing field '{key}'")
        for key in value:
            if key not in required and key not in optional:
                self.fail(f"{where}.{key}" if where else str(key), "unknown field")
        return all(k in value for k in required)

    def text(self, value: Any, where: str) -> str:
        if not isinstance(value, str) or not value.strip():
            self.fail(where, "expected a non-empty text")
            return ""
        return value.strip()

    def integer(self, value: Any, where: str, minimum: int = 0) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            self.fail(where, f"expected a whole number >= {minimum}, got {value!r}")
            return minimum
        return value

    def texts(self, value: Any, where: str) -> Tuple[str, ...]:
        if not isinstance(value, list):
            self.fail(where, "expected a list")
            return ()
        return tuple(self.text(v, f"{where}[{i}]") for i, v in enumerate(value))

    def raise_if_any(self) -> None:
        if self.problems:
            raise DataFileError(self.problems)
