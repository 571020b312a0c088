"""Translation markers usable below the Qt layer.

``core`` never imports Qt, yet some of its strings (setting titles, verdict names) are shown in the UI.
They are marked with ``QT_TRANSLATE_NOOP(context, text)``: Qt's lupdate finds the call by name and
extracts the string, and the UI translates it later with ``QCoreApplication.translate(context, text)``.
"""


def QT_TRANSLATE_NOOP(context: str, text: str) -> str:  # noqa: N802 - the name lupdate looks for
    return text
