"""Field-by-field validation of data files that reports every problem with its file and field."""

import string
from pathlib import Path
from typing import Any, Callable, Collection, Dict, Iterator, List, Mapping, Optional, Tuple, TypeVar, Union

from bot.exceptions import DataFileError
from bot.yamlfile import read_yaml

T = TypeVar("T", int, float)

# name -> its words (cue words, reaction lines...), as the data files list them
WordLists = Dict[str, Tuple[str, ...]]
ReadWords = Callable[["Checker", Any, str], Tuple[str, ...]]  # (checker, value, where) -> words


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

    def entries(
        self, value: Any, where: str, names: Tuple[str, ...], fields: Tuple[str, ...]
    ) -> Iterator[Tuple[str, Dict[str, Any], str]]:
        """A mapping of exactly ``names``, each to a mapping of exactly ``fields``: (name, entry,
        where the entry is) for every entry that is such a mapping (the others are reported)."""
        if self.mapping(value, where, names):
            for name in names:
                w = f"{where}.{name}"
                if self.mapping(value[name], w, fields):
                    yield name, value[name], w

    def items(self, value: Any, where: str, of: str = "") -> List[Tuple[str, Any]]:
        """(where the item is, item) for each item of a non-empty list; anything else is reported as
        ``expected a non-empty list`` (``of`` what, when given) and has none."""
        if not isinstance(value, list) or not value:
            self.fail(where, f"expected a non-empty list of {of}" if of else "expected a non-empty list")
            return []
        return [(f"{where}[{i}]", item) for i, item in enumerate(value)]

    def text(self, value: Any, where: str) -> str:
        if not isinstance(value, str) or not value.strip():
            self.fail(where, "expected a non-empty text")
            return ""
        return value.strip()

    def template(
        self,
        value: Any,
        where: str,
        allowed: Collection[str],
        required: Optional[Collection[str]] = None,
        samples: Optional[Mapping[str, Any]] = None,
    ) -> str:
        """A non-empty text with ``{placeholders}`` (str.format): well formed, using none but ``allowed``
        and each of ``required`` (default: every allowed one). ``samples`` are values to try it with
        (default "x"), for a template whose placeholders take a format spec."""
        text = self.text(value, where)
        if not text:
            return text
        try:
            used = {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
            text.format(**{name: (samples or {}).get(name, "x") for name in used})
        except (ValueError, KeyError, IndexError, AttributeError) as e:
            self.fail(where, f"not a valid template ({e}); write placeholders as {{name}} and a brace as {{{{ or }}}}")
            return text
        for name in sorted(used - set(allowed)):
            may = ", ".join("{%s}" % a for a in sorted(allowed)) or "none"
            self.fail(where, f"unknown placeholder {{{name}}} (this text may use: {may})")
        for name in sorted(set(allowed if required is None else required) - used):
            self.fail(where, f"missing placeholder {{{name}}}")
        return text

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

    def nonempty_texts(self, value: Any, where: str, item: str) -> Tuple[str, ...]:
        """:meth:`texts`, of which there must be at least one ``item`` (an empty list is reported)."""
        out = self.texts(value, where)
        if isinstance(value, list) and not value:
            self.fail(where, f"expected at least one {item}")
        return out

    def lines(self, value: Any, where: str) -> Tuple[str, ...]:
        """Lines to say: :meth:`texts`, at least one."""
        return self.nonempty_texts(value, where, "line")

    def known_texts(
        self, value: Any, where: str, known: Collection[str], unknown: Callable[[str], str]
    ) -> Tuple[str, ...]:
        """:meth:`texts`, each of which must be one of ``known``; ``unknown(text)`` says what is wrong
        with one that is not."""
        out = self.texts(value, where)
        for text in out:
            if text not in known:
                self.fail(where, unknown(text))
        return out

    def word_lists(self, value: Any, where: str, names: Tuple[str, ...], read: ReadWords = texts) -> WordLists:
        """A mapping of every one of ``names`` to its words, each list read by ``read`` (default
        :meth:`texts`) as ``where.name``; empty when ``value`` is no such mapping (it is reported)."""
        if not self.mapping(value, where, names):
            return {}
        return {name: read(self, value[name], f"{where}.{name}") for name in names}

    def some_word_lists(self, value: Any, where: str, names: Tuple[str, ...], read: ReadWords = texts) -> WordLists:
        """Like :meth:`word_lists` for a mapping of some of ``names`` (a name not among them is
        reported as an unknown field, and its list is read too)."""
        if not self.mapping(value, where, (), names):
            return {}
        return {str(k): read(self, v, f"{where}.{k}") for k, v in value.items()}

    def raise_if_any(self) -> None:
        if self.problems:
            raise DataFileError(self.problems)


def read_mapping(
    path: Union[str, Path], required: Tuple[str, ...], optional: Tuple[str, ...] = ()
) -> Tuple[Dict[str, Any], Checker]:
    """The YAML file at ``path``, a mapping with the ``required`` fields (and any of ``optional``),
    and the Checker that collects the file's problems.

    Raises:
        DataFileError: the file cannot be read, or is not a mapping with the ``required`` fields (an
            unknown field is only recorded in the Checker, raised later with the other problems).
    """
    path = Path(path)
    raw = read_yaml(path)
    c = Checker(path)
    if not c.mapping(raw, "", required, optional):
        c.raise_if_any()
    return raw, c


def env_positive(name: str, default: T, kind: Callable[[str], T], what: str = "a number") -> T:
    """The positive number in the environment variable ``name`` read as ``kind`` (int, float), or
    ``default`` when it is unset, not ``what`` it should be (a warning is logged) or not above zero."""
    import logging
    import os

    raw = os.environ.get(name, "")
    if not raw:
        return default
    try:
        value = kind(raw)
    except ValueError:
        logging.getLogger(__name__).warning("%s is not %s; using %s", name, what, default)
        return default
    return value if value > 0 else default
