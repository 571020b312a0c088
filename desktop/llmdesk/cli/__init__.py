"""Command line: ``llm-desk`` with no arguments opens the window; subcommands run headless."""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from llmdesk import __version__

# Subcommand modules under llmdesk.cli; each defines add_parser(subparsers) and run(args) -> int.
COMMANDS = ("hardware", "fit", "chat", "download", "models")

# Exit status after the reader of stdout went away (``llm-desk fit | head -1``). Python ignores
# SIGPIPE and raises BrokenPipeError instead, so this imitates git and the coreutils, which are
# killed by SIGPIPE and so report 128 + 13 in the shell. The output up to that point is complete,
# but a script running with ``set -o pipefail`` can still tell that it was cut short.
EXIT_BROKEN_PIPE = 128 + 13

EXIT_NO_DISPLAY = 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="llm-desk", description="Run open language models offline. Without a command, open the "
                                     "window; with one, run headless.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("-v", "--verbose", action="count", default=0,
                        help="log to stderr (-v info, -vv debug)")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        module = importlib.import_module(f"llmdesk.cli.{name}")
        module.add_parser(subparsers)
    return parser


def missing_display_message(environ: dict[str, str] | os._Environ = os.environ,
                            platform: str = sys.platform) -> str | None:
    """Return why the window cannot open on a Linux machine without a display, or None when it can try.

    Without this check Qt's xcb plugin aborts the process with a message about xcb libraries.
    """
    if not platform.startswith("linux"):
        return None
    if environ.get("DISPLAY") or environ.get("WAYLAND_DISPLAY") or environ.get("QT_QPA_PLATFORM"):
        return None
    return ("llm-desk: cannot open the window: no display found (DISPLAY and WAYLAND_DISPLAY are not "
            "set).\nRun it in a desktop session, or use a command such as `llm-desk fit` or "
            "`llm-desk chat MODEL`; see `llm-desk --help`.")


def _run_gui() -> int:
    message = missing_display_message()
    if message is not None:
        print(message, file=sys.stderr)
        return EXIT_NO_DISPLAY
    # The window needs none of the subcommand modules; importing them all first slows its start.
    from llmdesk.app import run_gui

    return run_gui(sys.argv[:1])


def _main(argv: list[str] | None) -> int:
    if not (sys.argv[1:] if argv is None else argv):
        from llmdesk.logsetup import setup_logging

        setup_logging()
        return _run_gui()
    parser = build_parser()
    args = parser.parse_args(argv)

    from llmdesk.logsetup import setup_logging

    setup_logging(verbosity=args.verbose, console=args.verbose > 0)
    if args.command is None:
        return _run_gui()
    module = importlib.import_module(f"llmdesk.cli.{args.command}")
    return int(module.run(args) or 0)


def main(argv: list[str] | None = None) -> int:
    try:
        status = _main(argv)
        # Flush here so that a closed pipe shows up inside this try, not at interpreter exit.
        sys.stdout.flush()
        return status
    except BrokenPipeError:
        # Point stdout at devnull so that Python's own flush at exit cannot fail again and print
        # "Exception ignored ... BrokenPipeError" (the recipe in the signal module's documentation).
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_BROKEN_PIPE


if __name__ == "__main__":
    sys.exit(main())
