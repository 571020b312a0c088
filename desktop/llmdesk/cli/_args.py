"""argparse value types shared by the subcommands."""

from __future__ import annotations

import argparse
from typing import Callable


def int_at_least(minimum: int, unit: str) -> Callable[[str], int]:
    """Return an argparse type that accepts a whole number of ``unit`` no smaller than ``minimum``."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number of {unit}, got {text!r}") from None
        if value < minimum:
            named = unit[:-1] if minimum == 1 and unit.endswith("s") else unit  # "1 token", "2 tokens"
            raise argparse.ArgumentTypeError(f"must be at least {minimum} {named}, got {value}")
        return value

    return parse
