"""Fit a chat into the context window by leaving out the oldest turns.

The system prompt and the newest user message are never dropped. Turns go oldest first; when a
dropped user message leaves an assistant message at the front, that assistant message goes too, so
the kept chat still starts with a user turn (some templates require strict alternation).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence


def reply_reserve(max_tokens: int, n_ctx: int) -> int:
    """Tokens kept free for the reply: ``max_tokens``, but at most half the context."""
    return max(1, min(max_tokens, n_ctx // 2))


@dataclass(frozen=True)
class TrimResult:
    kept_indices: tuple[int, ...]  # indices into the conversation (system prompt not included)
    dropped_indices: tuple[int, ...]
    prompt_tokens: int
    fits: bool  # False when even the system prompt plus the newest user message overflow


def trim_to_fit(conversation: Sequence[dict[str, str]], count_tokens: Callable[[list[int]], int],
                n_ctx: int, reserve: int) -> TrimResult:
    """Drop the oldest turns until ``count_tokens(kept) + reserve <= n_ctx``.

    ``conversation`` is the user/assistant list without the system prompt; ``count_tokens`` renders
    and tokenizes the prompt for the given conversation indices (system prompt included).
    """
    kept = list(range(len(conversation)))
    dropped: list[int] = []
    tokens = count_tokens(kept)
    while tokens + reserve > n_ctx and len(kept) > 1:
        dropped.append(kept.pop(0))
        while len(kept) > 1 and conversation[kept[0]]["role"] != "user":
            dropped.append(kept.pop(0))
        tokens = count_tokens(kept)
    return TrimResult(tuple(kept), tuple(dropped), tokens, tokens + reserve <= n_ctx)
