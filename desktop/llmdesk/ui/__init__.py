"""PySide6 widgets: the main window and its pages. Everything here runs on the GUI thread unless a
docstring says otherwise; long work goes through ``qt_workers``."""
