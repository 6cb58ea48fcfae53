# SPDX-License-Identifier: GPL-2.0
"""perftest (ib_send_bw, ib_send_lat, ib_write_lat, ...) between two
guests of the VM harness, for the raw-fabric baselines of the benchmarks.

run_pair() starts the tool as a server in one guest (in the background,
under `timeout`), waits until it listens, runs the client in the other
guest (under `timeout`, with a bounded iteration count) and parses the
client's result table. perftest reports bandwidth in MiB/s (2^20 bytes);
the dicts returned here carry it as MB/s (10^6 bytes) like fio's figures.
"""
import re
import time

PORT0 = 18515


class PerftestError(Exception):
    """The tool could not run, or printed no result; the text says why."""


_port = [PORT0]


def _next_port():
    _port[0] += 1
    if _port[0] > PORT0 + 400:
        _port[0] = PORT0 + 1
    return _port[0]


def parse(out, tool):
    """The figures of perftest's result table (the line after the header
    that starts with #bytes)."""
    lines = out.splitlines()
    for i, line in enumerate(lines):
        if not line.strip().startswith("#bytes"):
            continue
        for data in lines[i + 1:]:
            vals = data.split()
            if not vals or not re.match(r"^\d+$", vals[0]):
                continue
            try:
                nums = [float(v) for v in vals]
            except ValueError:
                continue
            if tool.endswith("_lat") and len(nums) >= 9:
                return {"bytes": int(nums[0]), "iters": int(nums[1]),
                        "min_us": nums[2], "max_us": nums[3],
                        "typical_us": nums[4], "avg_us": nums[5],
                        "stdev_us": nums[6], "p99_us": nums[7],
                        "p999_us": nums[8]}
            if tool.endswith("_bw") and len(nums) >= 5:
                return {"bytes": int(nums[0]), "iters": int(nums[1]),
                        "peak_mb_per_s": nums[2] * 1.048576,
                        "mb_per_s": nums[3] * 1.048576,
                        "mib_per_s": nums[3], "msg_rate_mpps": nums[4]}
    raise PerftestError("%s printed no result table: %s" % (
        tool, out.strip()[-500:]))


def run_pair(server, client, tool, extra, n, target, size=None,
             timeout=120, prefix=""):
    """Run `tool extra -n n [-s size]` as server in @server and client in
    @client (connecting to @target); return the parsed client result with
    the exact command line in "cmd"."""
    port = _next_port()
    args = "%s -F -p %d -n %d%s" % (extra, port, n,
                                    " -s %d" % size if size else "")
    log = "/run/perftest-%s-%d.log" % (tool, port)
    # stdbuf: perftest's stdio would hold "Waiting for client" back.
    server.run("timeout %d stdbuf -oL -eL %s%s %s >%s 2>&1 </dev/null & "
               "echo $! "
               ">/run/perftest-server.pid" % (timeout + 30, prefix, tool,
                                              args, log), timeout=30)
    try:
        # Wait (bounded) until the server says it waits for a client.
        listening = False
        for _ in range(40):
            out = server.run("cat %s; kill -0 $(cat /run/perftest-server.pid)"
                             " 2>/dev/null && echo SERVER-ALIVE" % log,
                             timeout=20).out
            if "SERVER-ALIVE" not in out:
                raise PerftestError("%s server exited: %s" % (
                    tool, out.strip()[-500:]))
            if re.search(r"[Ww]aiting for client", out):
                listening = True
                break
            time.sleep(0.5)
        if not listening:
            raise PerftestError("%s server did not start listening: %s" % (
                tool, out.strip()[-400:]))
        time.sleep(1)
        cmd = "%s%s %s %s" % (prefix, tool, args, target)
        res = client.run("timeout %d %s 2>&1" % (timeout, cmd),
                         timeout=timeout + 30)
        if res.rc != 0:
            srv = server.run("cat %s" % log, timeout=20).out
            raise PerftestError("`%s` failed (rc=%s%s): %s\nserver: %s" % (
                cmd, res.rc, ", timed out" if res.rc == 124 else "",
                res.out.strip()[-500:], srv.strip()[-300:]))
        r = parse(res.out, tool)
        r["cmd"] = "%s %s" % (tool, args)
        return r
    finally:
        server.run("kill $(cat /run/perftest-server.pid) 2>/dev/null; true",
                   timeout=20)
