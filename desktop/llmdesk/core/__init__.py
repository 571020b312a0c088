"""Plain-Python core of LLM Desk. Nothing under this package imports Qt."""
