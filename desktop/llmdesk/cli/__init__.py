"""Command line: ``llm-desk`` with no arguments opens the window; subcommands run headless."""

from __future__ import annotations

import argparse
import importlib
import sys

from llmdesk import __version__

# Subcommand modules under llmdesk.cli; each defines add_parser(subparsers) and run(args) -> int.
COMMANDS = ("hardware", "fit", "chat", "download", "models")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="llm-desk", description="Run open language models offline.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("-v", "--verbose", action="count", default=0,
                        help="log to stderr (-v info, -vv debug)")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        module = importlib.import_module(f"llmdesk.cli.{name}")
        module.add_parser(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    if not (sys.argv[1:] if argv is None else argv):
        # The window needs none of the subcommand modules; importing them all first slows its start.
        from llmdesk.app import run_gui
        from llmdesk.logsetup import setup_logging

        setup_logging()
        return run_gui(sys.argv[:1])
    parser = build_parser()
    args = parser.parse_args(argv)

    from llmdesk.logsetup import setup_logging

    setup_logging(verbosity=args.verbose, console=args.verbose > 0)
    if args.command is None:
        from llmdesk.app import run_gui

        return run_gui(sys.argv[:1])
    module = importlib.import_module(f"llmdesk.cli.{args.command}")
    return int(module.run(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
