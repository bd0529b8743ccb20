"""Errors raised by our own code. Messages name the file and the field at fault."""

from typing import Iterable, Optional


class BotError(Exception):
    """Base class of every error this package raises on purpose."""


class DataFileError(BotError):
    """One or more problems in a data file (catalog, lexicon, playbook, persona...).

    The message lists every problem as ``path: where: reason``, one per line, so a trainer
    editing YAML sees all mistakes at once.
    """

    def __init__(self, problems: Iterable[str]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))

    @staticmethod
    def problem(path: object, where: Optional[str], reason: str) -> str:
        """Formats one problem line."""
        return f"{path}: {where}: {reason}" if where else f"{path}: {reason}"
