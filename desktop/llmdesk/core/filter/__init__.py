"""Built-in output filter: rule sets as data, a linear-time matcher, and a streaming filter.

Typical use in the engine worker::

    compiled = compile_filter(FilterConfig.from_dict(config_dict))
    stream = StreamFilter(compiled)
    for piece in generated_text:
        out = stream.feed(piece)      # out.text is safe to show, out.events lists what was filtered
        if out.stop: break
    out = stream.flush()
"""

from llmdesk.core.filter.matcher import CompiledFilter, Match, check_prompt, compile_filter
from llmdesk.core.filter.rules import (FilterConfig, Rule, RuleError, RuleSet, RuleSetInfo, list_rule_sets,
                                       load_rule_sets, validate_rule)
from llmdesk.core.filter.stream import FilterEvent, FilterOutput, StreamFilter

__all__ = [
    "CompiledFilter", "FilterConfig", "FilterEvent", "FilterOutput", "Match", "Rule", "RuleError", "RuleSet",
    "RuleSetInfo", "StreamFilter", "check_prompt", "compile_filter", "list_rule_sets", "load_rule_sets",
    "validate_rule",
]
