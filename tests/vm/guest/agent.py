#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Guest side of the tandem VM harness: runs commands the host sends.

One JSON object per line in each direction over a virtio-serial port:
  host  -> guest: {"id": N, "cmd": "shell command", "timeout": seconds}
  guest -> host : {"id": N, "rc": exit status, "out": "stdout+stderr",
                   "timed_out": bool}
The agent greets with {"id": 0, "hello": "<hostname>"} when it starts.
A command that times out has its whole process group killed. Commands run
one at a time; start background work with its output redirected
(`cmd >/tmp/log 2>&1 </dev/null &`).
"""
import json
import os
import signal
import socket
import subprocess
import sys
import time

MAX_OUT = 4 << 20


def run(req):
    try:
        proc = subprocess.Popen(["/bin/bash", "-c", req["cmd"]],
                                stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT,
                                start_new_session=True, cwd="/root")
    except OSError as e:
        return {"id": req["id"], "rc": 127, "out": str(e), "timed_out": False}
    timed_out = False
    try:
        out, _ = proc.communicate(timeout=req.get("timeout", 60))
    except subprocess.TimeoutExpired:
        timed_out = True
        os.killpg(proc.pid, signal.SIGKILL)
        out, _ = proc.communicate()
    text = out[-MAX_OUT:].decode("utf-8", "replace")
    return {"id": req["id"], "rc": proc.returncode, "out": text,
            "timed_out": timed_out}


def main():
    fd = os.open(sys.argv[1], os.O_RDWR)

    def send(obj):
        data = (json.dumps(obj) + "\n").encode()
        while data:
            n = os.write(fd, data)
            data = data[n:]

    send({"id": 0, "hello": socket.gethostname()})
    buf = b""
    while True:
        chunk = os.read(fd, 65536)
        if not chunk:
            # The host end is not connected (yet, or any more).
            time.sleep(0.05)
            continue
        buf += chunk
        while b"\n" in buf:
            line, buf = buf.split(b"\n", 1)
            if not line.strip():
                continue
            try:
                req = json.loads(line)
            except ValueError:
                send({"id": -1, "rc": 2, "out": "bad request",
                      "timed_out": False})
                continue
            send(run(req))


if __name__ == "__main__":
    main()
