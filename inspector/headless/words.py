"""The words of a command line, read as the official inspector CLI reads them.

Options may come before or after the server; the words that are not options of ours make
up the server command, including options this reader does not know (npx's `-y`);
everything after `--` belongs to the server; the key=value options take several values in
a row. A value is given as the next word or after `=` (`--timeout=5`).

Each subcommand reads with its own table of options; the value readers below are shared,
so that `-e`, `--header` or `--timeout` mean the same everywhere. Only the standard library
is imported: a usage error is reported before the protocol core is even loaded.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any


class UsageError(Exception):
    """The command line cannot be run as given."""


class HelpRequested(Exception):
    """`--help` was given."""


def is_pair(word: str) -> bool:
    key, sep, _ = word.partition("=")
    return bool(sep and key)


HEADER_START = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+:(?!//)")


def is_header(word: str) -> bool:
    # "Name: value", but not a URL ("http://...") that follows a --header.
    return HEADER_START.match(word) is not None


@dataclass(frozen=True, slots=True)
class Option:
    name: str
    # Further words the option takes after its value, as the official CLI's variadic
    # options do (`--tool-arg a=1 b=2`): those that look like its values.
    more: Callable[[str], bool] | None = None


def option_table(*groups: Iterable[Option]) -> dict[str, Option]:
    return {option.name: option for group in groups for option in group}


# Words that are neither an option nor the server's, whatever the subcommand.
HELP_WORDS = frozenset({"-h", "--help"})


def split_word(word: str) -> tuple[str, str | None]:
    """An option word and its attached value: `--timeout=5`, `-eKEY=VALUE`."""
    if word.startswith("--"):
        name, sep, value = word.partition("=")
        return name, value if sep else None
    if word.startswith("-e") and len(word) > 2:
        return "-e", word[2:].removeprefix("=")
    return word, None


def tokenize(
    argv: Sequence[str],
    options: Mapping[str, Option],
    switches: Collection[str] = (),
    ignored: Collection[str] = (),
) -> tuple[dict[str, list[str]], list[str]]:
    """The values of each option given, and the words left for the server.

    `switches` are options that take no value (present or not); `ignored` are words that
    only chose this reading (`--cli`).
    """
    values: dict[str, list[str]] = {}
    target: list[str] = []
    index = 0
    while index < len(argv):
        word = argv[index]
        index += 1
        if word == "--":
            target.extend(argv[index:])
            break
        if word in HELP_WORDS:
            raise HelpRequested
        if word in ignored:
            continue
        if word in switches:
            values.setdefault(word, [])
            continue
        name, value = split_word(word)
        option = options.get(name)
        if option is None:
            if word.startswith("-") and len(word) > 1 and not target:
                # A command cannot start with a dash: this is a mistyped option of ours.
                raise UsageError(f"unknown option {word} (see --help)")
            target.append(word)
            continue
        if value is None:
            if index >= len(argv) or argv[index] == "--":
                raise UsageError(f"{name} needs a value")
            value = argv[index]
            index += 1
        taken = values.setdefault(name, [])
        taken.append(value)
        if option.more is not None:
            while (
                index < len(argv) and not argv[index].startswith("-") and option.more(argv[index])
            ):
                taken.append(argv[index])
                index += 1
    return values, target


def last_value(values: Mapping[str, list[str]], name: str) -> str | None:
    """The value of an option given several times: the last one wins."""
    given = values.get(name)
    return given[-1] if given else None


# -- values ----------------------------------------------------------------------------------


def seconds_value(name: str, value: str | None) -> float | None:
    if value is None:
        return None
    try:
        seconds = float(value)
    except ValueError:
        raise UsageError(f"{name} takes a number of seconds, not {value!r}") from None
    if not math.isfinite(seconds) or seconds <= 0:
        raise UsageError(f"{name} must be a positive number of seconds")
    return seconds


def pairs(words: list[str], option: str) -> dict[str, str]:
    """`key=value` words; the value may be empty (`-e DEBUG=` sets DEBUG to "")."""
    found: dict[str, str] = {}
    for word in words:
        key, sep, value = word.partition("=")
        if not sep or not key:
            raise UsageError(f"{option} takes key=value, not {word!r}")
        found[key] = value
    return found


def headers(words: list[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for word in words:
        name, sep, value = word.partition(":")
        name, value = name.strip(), value.strip()
        if not sep or not name or not value or not HEADER_START.match(f"{name}:"):
            raise UsageError(f'--header takes "Name: Value", not {word!r}')
        found[name] = value
    return found


def parse_value(text: str) -> Any:
    """A value given on the command line: JSON when it parses as JSON, else the string.

    Only strict JSON counts: Python's extensions (NaN, Infinity) stay strings, as they
    would in the official CLI.
    """
    try:
        return json.loads(text, parse_constant=reject_constant)
    except ValueError:
        return text


def reject_constant(name: str) -> Any:
    raise ValueError(name)


def json_pairs(words: list[str], option: str) -> dict[str, Any]:
    return {key: parse_value(value) for key, value in pairs(words, option).items()}
