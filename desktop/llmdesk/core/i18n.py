"""Translation markers usable below the Qt layer.

``core`` never imports Qt, yet some of its strings (setting titles, verdict names) are shown in the UI.
They are marked with ``QT_TRANSLATE_NOOP(context, text)``: Qt's lupdate finds the call by name and
extracts the string, and the UI translates it later with ``QCoreApplication.translate(context, text)``.
"""


def QT_TRANSLATE_NOOP(context: str, text: str) -> str:  # noqa: N802 - the name lupdate looks for
    return text


class UserMessage:
    """A user-facing sentence built in ``core`` and translated in the UI.

    ``template`` uses ``str.format`` fields and is marked for extraction at its definition:
    ``UserMessage("Fit", QT_TRANSLATE_NOOP("Fit", "Needs {need} but {free} is free."), need=..., free=...)``.
    ``str(message)`` gives the English text (CLI, logs); the UI calls
    ``QCoreApplication.translate(message.context, message.template).format(**message.params)``.
    """

    __slots__ = ("context", "template", "params")

    def __init__(self, context: str, template: str, **params: object) -> None:
        self.context = context
        self.template = template
        self.params = params

    def __str__(self) -> str:
        return self.template.format(**self.params)

    def __repr__(self) -> str:
        return f"UserMessage({self.context!r}, {str(self)!r})"

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, UserMessage) and (self.context, self.template, self.params)
                == (other.context, other.template, other.params))

    def __hash__(self) -> int:
        return hash((self.context, self.template))
