import multiprocessing
import sys

from llmdesk.cli import main

if __name__ == "__main__":
    # The engine runs in a spawned child; a frozen build must let that child start here.
    multiprocessing.freeze_support()
    sys.exit(main())
