"""Startup time: process start to the first painted main window, LLM Desk next to a bare PySide6 window.

    .venv/bin/python bench/startup.py [--runs 7]

Each run is a fresh process. The time is measured inside the child as wall-clock time since the OS
created the process (psutil's create_time, about 10 ms resolution on Linux) at the moment the window has
painted once, so interpreter start-up and imports are included. The two kinds of run alternate, so
background load affects both alike; the script prints both medians and their ratio. LLM Desk runs with
an empty LLMDESK_HOME; without a display it uses Qt's offscreen platform.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile

# The same measurement as llmdesk.app does for LLMDESK_EXIT_AFTER_PAINT, on an empty QMainWindow.
BARE_WINDOW = r"""
import sys, time
import psutil
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow

class Window(QMainWindow):
    painted = False

    def paintEvent(self, event):
        super().paintEvent(event)
        if not self.painted:
            self.painted = True
            QTimer.singleShot(0, self.report)

    def report(self):
        print(f"first-paint {time.time() - psutil.Process().create_time():.4f}", flush=True)
        app.quit()

app = QApplication(sys.argv)
window = Window()
window.setCentralWidget(QLabel("bare window"))
window.resize(1280, 800)
window.show()
app.exec()
"""


def run_once(command: list[str], env: dict[str, str]) -> float:
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    for line in result.stdout.splitlines():
        if line.startswith("first-paint "):
            return float(line.split()[1])
    raise RuntimeError(f"{command} printed no first-paint line (exit {result.returncode}):\n"
                       f"{result.stdout}\n{result.stderr[-2000:]}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="runs of each kind (default 7)")
    args = parser.parse_args()

    env = dict(os.environ)
    if not env.get("DISPLAY") and not env.get("WAYLAND_DISPLAY"):
        env.setdefault("QT_QPA_PLATFORM", "offscreen")
    env["LLMDESK_EXIT_AFTER_PAINT"] = "1"
    app_command = [sys.executable, "-m", "llmdesk"]
    bare_command = [sys.executable, "-c", BARE_WINDOW]

    app_times: list[float] = []
    bare_times: list[float] = []
    with tempfile.TemporaryDirectory() as home:
        env["LLMDESK_HOME"] = home
        run_once(app_command, env)  # warm the file cache and write .pyc files; not counted
        run_once(bare_command, env)
        for _ in range(args.runs):
            app_times.append(run_once(app_command, env))
            bare_times.append(run_once(bare_command, env))

    app_median = statistics.median(app_times)
    bare_median = statistics.median(bare_times)
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
          f"Python {platform.python_version()}, QT_QPA_PLATFORM={env.get('QT_QPA_PLATFORM', 'default')}")
    print(f"LLM Desk main window: median {app_median * 1000:.0f} ms over {args.runs} runs "
          f"({', '.join(f'{t * 1000:.0f}' for t in app_times)})")
    print(f"bare PySide6 window:  median {bare_median * 1000:.0f} ms over {args.runs} runs "
          f"({', '.join(f'{t * 1000:.0f}' for t in bare_times)})")
    print(f"ratio: {app_median / bare_median:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
