"""Entry point of the frozen (PyInstaller) LLM Desk executable.

A frozen app has no Python interpreter to start children with, so this script does two jobs that
``python`` does for a source install:

* ``multiprocessing.freeze_support()`` turns the executable into the engine child when
  multiprocessing's spawn context starts it with ``--multiprocessing-fork``. In a bundle,
  PyInstaller's multiprocessing runtime hook replaces the function with one that works on every
  OS. In the parent process, and outside a bundle, it returns at once.
* ``llm-desk -m MODULE [ARGS]`` runs an ``llmdesk`` module as ``__main__``, like ``python -m``. The
  hardware detection starts its llama.cpp probe as ``sys.executable -m
  llmdesk.core.hardware.llama_probe``, and in a bundle ``sys.executable`` is this executable.

Everything else goes to ``llmdesk.cli.main``. The script also runs unfrozen
(``python packaging/entry.py hardware --json``), which is how the tests exercise it.
"""

from __future__ import annotations

import multiprocessing
import runpy
import sys

# Only our own modules may be run with -m, so the executable cannot be used as a general interpreter.
RUNNABLE_PREFIX = "llmdesk."
USAGE_EXIT_CODE = 2  # argparse's status for a command line error


def run_module(argv: list[str]) -> int:
    """Run ``argv[1]`` (after ``-m``) as ``__main__`` with ``argv[2:]`` as its arguments.

    A ``sys.exit()`` in the module passes through, so its exit status becomes the process's.
    """
    if len(argv) < 2:
        print("llm-desk: -m needs a module name, for example: -m llmdesk.core.hardware.llama_probe",
              file=sys.stderr)
        return USAGE_EXIT_CODE
    module = argv[1]
    if not module.startswith(RUNNABLE_PREFIX):
        print(f"llm-desk: -m runs only modules under {RUNNABLE_PREFIX}*, not {module!r}", file=sys.stderr)
        return USAGE_EXIT_CODE
    sys.argv = [sys.argv[0], *argv[2:]]
    try:
        runpy.run_module(module, run_name="__main__", alter_sys=True)
    except ImportError as exc:
        print(f"llm-desk: cannot run module {module!r}: {exc}", file=sys.stderr)
        return USAGE_EXIT_CODE
    return 0


def main(argv: list[str] | None = None) -> int:
    arguments = sys.argv[1:] if argv is None else argv
    if arguments and arguments[0] == "-m":
        return run_module(arguments)

    from llmdesk.cli import main as cli_main

    return cli_main(arguments)


if __name__ == "__main__":
    # First statement of the program: in the engine child this call runs the child and exits.
    multiprocessing.freeze_support()
    sys.exit(main())
