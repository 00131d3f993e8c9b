"""Run a command with its standard error on a pseudo-terminal (what a user sees)."""

from __future__ import annotations

import fcntl
import os
import pty
import struct
import subprocess
import termios
import threading


def run_on_terminal(argv: list[str], timeout: float = 300) -> tuple[int, bytes, bytes]:
    """Run ``argv``, standard error a 100-column terminal, standard output a pipe.

    Returns:
        (exit status, standard output, everything drawn on the terminal).
    """
    main_fd, child_fd = pty.openpty()
    # A fresh pty is 0 columns wide, where tqdm draws nothing: give it a size.
    fcntl.ioctl(child_fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))
    chunks: list[bytes] = []

    def drain() -> None:
        while True:
            try:
                data = os.read(main_fd, 65536)
            except OSError:  # EIO once the child side is closed
                return
            if not data:
                return
            chunks.append(data)

    reader = threading.Thread(target=drain)
    reader.start()
    try:
        with subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=child_fd) as proc:
            os.close(child_fd)
            out, _ = proc.communicate(timeout=timeout)
    finally:
        reader.join(timeout=10)
        os.close(main_fd)
    return proc.returncode, out, b"".join(chunks)
