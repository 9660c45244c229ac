"""A one-line progress bar on stderr; plain lines when stderr is not a terminal (CI, logs)."""

import sys
import time
from typing import TextIO


class ProgressBar:
    WIDTH = 30

    def __init__(self, label: str, stream: TextIO = sys.stderr) -> None:
        self.stream = stream
        self.tty = stream.isatty()
        self.started = time.monotonic()
        self.last_logged = -1
        print(label, file=stream, flush=True)

    def update(self, fraction: float) -> None:
        percent = int(max(0.0, min(1.0, fraction)) * 100)
        if self.tty:
            filled = int(self.WIDTH * percent / 100)
            bar = "█" * filled + "░" * (self.WIDTH - filled)
            elapsed = time.monotonic() - self.started
            self.stream.write(f"\r  {bar} {percent:3d}%  {elapsed:5.1f} s")
            self.stream.flush()
        elif percent // 10 > self.last_logged // 10:
            self.last_logged = percent
            print(f"  {percent}%", file=self.stream, flush=True)

    def finish(self) -> None:
        if self.tty:
            self.stream.write("\n")
            self.stream.flush()
