"""Drives tess-repl in a pseudo-terminal, as a user at a keyboard would.

Usage: pty_session.py TESS_REPL HOME_DIR

Types keystrokes (editing, completion, history, Ctrl-C, Ctrl-D), waits for
what each should show, and prints the screen's text (escape sequences
removed) for FileCheck. Exits 1 if an expected text never shows up.
"""
import os
import pty
import re
import select
import sys
import time

TIMEOUT = float(os.environ.get("PTY_TIMEOUT", "60"))


class Terminal:
    def __init__(self, argv, home):
        env = dict(os.environ, HOME=home, TERM="xterm")
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            os.execve(argv[0], argv, env)
        self.seen = b""
        self.pos = 0

    def read_until(self, text):
        """Reads until `text` appears after what earlier calls matched."""
        deadline = time.time() + TIMEOUT
        while self.seen.find(text.encode(), self.pos) < 0:
            left = deadline - time.time()
            if left <= 0:
                sys.stdout.write(clean(self.seen))
                sys.exit("timed out waiting for %r" % text)
            ready, _, _ = select.select([self.fd], [], [], left)
            if ready:
                try:
                    chunk = os.read(self.fd, 4096)
                except OSError:
                    chunk = b""
                if not chunk:
                    sys.stdout.write(clean(self.seen))
                    sys.exit("tess-repl ended before %r" % text)
                self.seen += chunk
        self.pos = self.seen.find(text.encode(), self.pos) + len(text)

    def type(self, keys):
        # The line editor puts the terminal in raw mode only after it has
        # printed its prompt: keys sent before that go through the
        # terminal's line discipline (where Ctrl-D is lost).
        time.sleep(0.2)
        os.write(self.fd, keys.encode())

    def quit(self):
        """Ctrl-D until the process ends (in case one arrives too early)."""
        deadline = time.time() + TIMEOUT
        while time.time() < deadline:
            self.type("\x04")
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            for _ in range(10):
                if pid:
                    break
                time.sleep(0.1)
                pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.drain()
                return os.waitstatus_to_exitcode(status)
        sys.stdout.write(clean(self.seen))
        sys.exit("tess-repl did not end on Ctrl-D")

    def drain(self):
        try:
            while True:
                chunk = os.read(self.fd, 4096)
                if not chunk:
                    break
                self.seen += chunk
        except OSError:
            pass


def clean(data):
    text = data.decode("utf-8", "replace")
    text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", text)
    return text.replace("\r", "")


def main():
    tess_repl, home = sys.argv[1], sys.argv[2]
    t = Terminal([tess_repl], home)
    t.read_until("tess> ")
    # Editing: a typo erased with backspace.
    t.type("x = ones(f32[3]))\x7f\r")
    t.read_until("tess> ")
    # A cell continued on a second line.
    t.type("y = x +\r")
    t.read_until("...> ")
    t.type("1\r")
    t.read_until("tess> ")
    # Completion of a value's name (the only one starting with 'yv').
    t.type("yvalue = y\r")
    t.read_until("tess> ")
    t.type("yv\t * 2\r")
    t.read_until("[4., 4., 4.]")
    t.read_until("tess> ")
    # Completion of a command.
    t.type(":lis\t\r")
    t.read_until("y: f32[3]")
    t.read_until("tess> ")
    # History: the up arrow brings back the line before.
    t.type("\x1b[A\r")
    t.read_until("y: f32[3]")
    t.read_until("tess> ")
    # Ctrl-C drops the line being typed; the session goes on.
    t.type("garbage that is never run\x03")
    t.read_until("tess> ")
    t.type("sum[i](y[i])\r")
    t.read_until("6.")
    t.read_until("tess> ")
    # Ctrl-C stops a long computation (8e9 sines); the values stay.
    t.type("v = ones(f32[2000])\r")
    t.read_until("tess> ")
    t.type("sum[i, j, k](sin(v[i] * v[j] + v[k] * k))\r")
    time.sleep(2.0)
    t.type("\x03")
    t.read_until("error: interrupted")
    t.read_until("tess> ")
    t.type("y\r")
    t.read_until("[2., 2., 2.]")
    t.read_until("tess> ")
    # Ctrl-D leaves.
    status = t.quit()
    sys.stdout.write(clean(t.seen))
    print("\nexit status %d" % status)
    # libedit's history file: a header line, then octal-escaped entries.
    with open(os.path.join(home, ".tessera_history")) as f:
        lines = f.read().splitlines()[1:]
    entries = [re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)),
                      l).strip() for l in lines]
    print("history:", " | ".join(entries))


main()
