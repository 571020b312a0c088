"""LLM Desk: run open large language models offline on this computer."""

__version__ = "0.1.0"
APP_NAME = "LLM Desk"
APP_ID = "llm-desk"
