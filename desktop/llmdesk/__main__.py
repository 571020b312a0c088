import sys

from llmdesk.cli import main

sys.exit(main())
