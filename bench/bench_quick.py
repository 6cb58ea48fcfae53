#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""make bench-quick: tandem against its limits, in one run, on two guests.

Boots alpha and bravo (tests/vm/tandemvm.py), gives each two RAM disks
(brd), and measures with fio, side by side:

  raw disk       /dev/ram0 on alpha, nothing on top
  raw network    TCP request/response round trip and TCP stream between
                 alpha and bravo (bench/tcpbench.py in the guests)
  raw fabric     soft-RoCE (rdma_rxe on eth0) between alpha and bravo:
                 perftest ib_send_bw -R -e and a latency tool
                 (bench/perftest.py)
  tandem C / A   /dev/tandem0, alpha Primary, bravo Secondary, UpToDate,
                 over the TCP transport, then over the RDMA transport
                 (--transport=rdma, on the same soft-RoCE device) once per
                 DATA mode of --rdma-modes (the module's data_mode
                 parameter: send or write; default: the module's default)
  tandem diskless client C (and /RDMA)
                 alpha with no backing device at all (`disk none`),
                 Primary, reading and writing bravo's RAM disk over the
                 TCP transport (then the RDMA one): every I/O is a
                 network round trip
  DRBD 8.4 C / A the in-tree drbd module driven by Debian's drbd-utils,
                 /dev/drbd0 on the guests' second RAM disk
  RDMA selftest  with --rdma-selftest N: the transport self-test
                 (debugfs transport_selftest, both ends in alpha over
                 rxe0) N times per data_mode of --rdma-modes, interleaved:
                 64 KiB throughput, 0 B round trips, 1 MiB from 8 senders

Each block row gets a QD1 4 KiB O_DIRECT|O_SYNC random-write run (clat
p50/p99) and a 1 MiB O_DIRECT sequential-write run (MB/s). A row that
cannot be measured is printed with the reason, never with numbers.
The table goes to stdout and, as JSON, to build/bench/quick-<time>.json;
the guests' consoles stay in build/bench/quick-<time>/.

Exit status: 0 when every row was measured and no guest kernel complained,
1 otherwise (the table is printed either way), 2 on bad arguments.

Software emulation (QEMU TCG): absolute numbers mean little, the ratios
measured side by side in the same run are the point.
"""
import argparse
import json
import os
import re
import signal
import sys
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "tests", "vm"))
import tandemctl as tc  # noqa: E402
import tandemvm  # noqa: E402
sys.path.insert(0, HERE)
import perftest  # noqa: E402

TCPBENCH = os.path.join(HERE, "tcpbench.py")
NET_PORT = 7800
DRBD_PORT = 7790
DRBD_CONF = "/run/drbd.conf"
DRBDADM = "drbdadm -c %s" % DRBD_CONF


class BenchTimeout(Exception):
    pass


class RowError(Exception):
    """A row could not be measured; the message is the reason shown."""


def log(msg):
    sys.stdout.write("[%6.1fs] %s\n" % (time.monotonic() - T0, msg))
    sys.stdout.flush()


T0 = time.monotonic()


# -- guest helpers ----------------------------------------------------

def must(g, cmd, timeout=60, what=None):
    """Run a command; a failure becomes a RowError with its output."""
    res = g.run(cmd, timeout=timeout)
    if res.rc != 0:
        raise RowError("%s: `%s` failed (rc=%s%s): %s" % (
            g.name, what or cmd, res.rc,
            ", timed out" if res.timed_out else "",
            res.out.strip()[-400:]))
    return res.out


def wait_for(g, cmd, pattern, timeout, what):
    """Poll a command's output until it matches a regex (bounded)."""
    deadline = time.monotonic() + timeout
    out = ""
    while time.monotonic() < deadline:
        out = g.run(cmd, timeout=30).out
        if re.search(pattern, out):
            return out
        time.sleep(0.5)
    raise RowError("%s: %s not reached within %ds; last output:\n%s" % (
        g.name, what, timeout, out.strip()[-600:]))


def fio_json(out):
    start = out.find("{")
    if start < 0:
        raise RowError("fio printed no JSON: %s" % out.strip()[-300:])
    try:
        return json.loads(out[start:])
    except ValueError as e:
        raise RowError("fio JSON unreadable (%s): %s" % (e, out[-300:]))


def fio(g, dev, runtime, kind):
    """One fio job on dev; returns a dict of the figures that matter."""
    common = ("fio --name=%s --filename=%s --direct=1 --ioengine=psync "
              "--iodepth=1 --numjobs=1 --time_based --runtime=%d "
              "--ramp_time=1 --output-format=json --output=/run/fio-%s.json"
              % (kind, dev, runtime, kind))
    if kind == "lat4k":
        cmd = common + (" --sync=1 --rw=randwrite --bs=4k --norandommap"
                        " --randrepeat=0")
    else:
        cmd = common + " --rw=write --bs=1M"
    must(g, cmd + " >/run/fio-%s.log 2>&1" % kind, timeout=runtime + 90,
         what="fio %s on %s" % (kind, dev))
    data = fio_json(g.run("cat /run/fio-%s.json" % kind, timeout=30).out)
    job = data["jobs"][0]
    if job.get("error"):
        raise RowError("fio %s on %s: error %s" % (kind, dev, job["error"]))
    w = job["write"]
    if kind == "lat4k":
        pct = w["clat_ns"].get("percentile", {})
        p50, p99 = pct.get("50.000000"), pct.get("99.000000")
        if not w["total_ios"] or p50 is None or p99 is None:
            raise RowError("fio %s on %s: no completed I/O" % (kind, dev))
        return {"p50_us": p50 / 1000.0, "p99_us": p99 / 1000.0,
                "mean_us": w["clat_ns"]["mean"] / 1000.0,
                "ios": w["total_ios"], "iops": w["iops"]}
    if not w["total_ios"]:
        raise RowError("fio %s on %s: no completed I/O" % (kind, dev))
    return {"mb_per_s": w["bw_bytes"] / 1e6, "ios": w["total_ios"]}


class Repl:
    """The replication state of minor 0 of a stack on its Primary, used
    to prove that a run really was replicated: the resource must be
    Connected and UpToDate/UpToDate under the expected protocol before
    and after fio, and the sent counter (ns, KiB) must have grown by at
    least what fio wrote. A run that fails this is discarded."""

    def __init__(self, g, peer, proc, proto, logpat, disks="UpToDate"):
        self.g, self.peer, self.proc, self.proto = g, peer, proc, proto
        self.logpat = logpat
        self.pattern = (r"cs:Connected ro:Primary/Secondary "
                        r"ds:%s/UpToDate %s " % (disks, proto))

    def kernel_log(self):
        out = []
        for g in (self.g, self.peer):
            tail = g.run("dmesg | grep -E '%s' | tail -4" % self.logpat,
                         timeout=30).out.strip()
            out.append("%s dmesg: %s" % (g.name, tail.replace(
                "\n", "\n  ")))
        return "\n".join(out)

    def check(self, when):
        block = tc.minor_block(self.g.run("cat %s" % self.proc,
                                          timeout=30).out)
        if not re.search(self.pattern, block):
            raise RowError("replication not Connected UpToDate/UpToDate "
                           "protocol %s %s:\n%s\n%s" % (
                               self.proto, when, block.strip(),
                               self.kernel_log()))
        return tc.counters(block)


def measure_block(g, dev, runtime, repl=None):
    """Both fio jobs on dev; a job that fails (or, with repl, was not
    really replicated) leaves <kind>_error in the row instead of figures.
    The 1 MiB job runs first: its result stands even if the 4 KiB job
    breaks the stack afterwards."""
    row = {"device": dev}
    for kind in ("seq1m", "lat4k"):
        res = None
        try:
            before = repl.check("before fio %s" % kind) if repl else None
            res = fio(g, dev, runtime, kind)
            if repl:
                after = repl.check("after fio %s" % kind)
                sent = after.get("ns", 0) - before.get("ns", 0)
                want = res["ios"] * (1024 if kind == "seq1m" else 4)
                if sent < want:
                    raise RowError("only %d of the %d KiB fio wrote were "
                                   "sent to the peer" % (sent, want))
                res["sent_kib"] = sent
            row.update(res)
        except RowError as e:
            row[kind + "_error"] = short(e)
            if res:
                row["discarded_" + kind] = res
    if "seq1m_error" in row and "lat4k_error" in row and \
            row["seq1m_error"] == row["lat4k_error"]:
        row["error"] = row["seq1m_error"]
    return row


# -- raw network ------------------------------------------------------

def tcp_baselines(alpha, bravo, seconds):
    total = 3 * (seconds + 15) + 30
    bravo.check("timeout %d /usr/bin/python3 %s server %d %d "
                ">/run/tcpbench-server.log 2>&1 </dev/null & "
                "echo $! >/run/tcpbench-server.pid"
                % (total + 10, TCPBENCH, NET_PORT, total))
    results = {}
    try:
        for key, args in (("rr_4k_64", "rr 192.0.2.2 %d 4096 64 %d"),
                          ("rr_4k_4k", "rr 192.0.2.2 %d 4096 4096 %d"),
                          ("stream", "stream 192.0.2.2 %d %d")):
            out = must(alpha, "/usr/bin/python3 %s %s" % (
                TCPBENCH, args % (NET_PORT, seconds)), timeout=seconds + 60,
                what="tcpbench " + key)
            line = [l for l in out.splitlines() if l.startswith("{")]
            if not line:
                raise RowError("tcpbench %s printed no result: %s" % (key, out))
            results[key] = json.loads(line[-1])
    finally:
        bravo.run("kill $(cat /run/tcpbench-server.pid) 2>/dev/null; true",
                  timeout=10)
    return results


# -- raw fabric (soft-RoCE) -------------------------------------------

# Latency tools in order of preference: event mode first (a kernel
# consumer sleeps on completion events), busy polling as the fallback.
LAT_TOOLS = (("ib_send_lat", "-R -e"), ("ib_write_lat", "-R -e"),
             ("ib_send_lat", "-R"), ("ib_write_lat", "-R"))
BW_SIZE = 1 << 20       # like fio's 1 MiB writes
BW_ITERS = 8
LAT_ITERS = 200


def rxe_up(g):
    """rxe0 on eth0, port ACTIVE (bounded); returns the active MTU."""
    must(g, tc.RDMA_SETUP, timeout=60, what="rxe setup")
    must(g, "for i in $(seq 100); do rdma link show rxe0/1 | "
         "grep -q 'state ACTIVE' && exit 0; sleep 0.2; done; "
         "rdma link show; exit 1", timeout=60, what="rxe0/1 ACTIVE")
    out = g.run("ibv_devinfo -d rxe0", timeout=30).out
    m = re.search(r"active_mtu:\s*(\d+)", out)
    return int(m.group(1)) if m else None


def host_udp_drops():
    """The host's UDP receive-buffer drops so far when the guests' link
    is a UDP socket per QEMU (the default); None with TANDEM_VM_LINK=unix,
    which cannot drop, or where unreadable."""
    if tandemvm.link_kind() != "udp":
        return None
    try:
        with open("/proc/net/snmp") as f:
            rows = [l.split() for l in f if l.startswith("Udp:")]
        return int(dict(zip(rows[0][1:], rows[1][1:]))["RcvbufErrors"])
    except (OSError, IndexError, KeyError, ValueError):
        return None


def drops_since(before):
    now = host_udp_drops()
    return None if before is None or now is None else now - before


def fabric_baselines(alpha, bravo):
    """perftest between the guests: ib_send_bw -R -e alpha -> bravo, and
    the first latency tool of LAT_TOOLS that runs, with 2-byte and
    4 KiB messages. perftest's latency is half the round trip; the
    round trip is stored too."""
    res = {"tried": []}
    try:
        d0 = host_udp_drops()
        r = perftest.run_pair(bravo, alpha, "ib_send_bw", "-R -e",
                              n=BW_ITERS, size=BW_SIZE, target="192.0.2.2")
        r["host_udp_drops"] = drops_since(d0)
        res["send_bw"] = r
    except perftest.PerftestError as e:
        res["send_bw_error"] = short(e)
    try:
        # The same with one 64 KiB message in flight: the cost of one
        # message at a time.
        d0 = host_udp_drops()
        r = perftest.run_pair(bravo, alpha, "ib_send_bw", "-R -e -t 1",
                              n=200, size=65536, target="192.0.2.2")
        r["host_udp_drops"] = drops_since(d0)
        res["send_bw_t1"] = r
    except perftest.PerftestError as e:
        res["send_bw_t1_error"] = short(e)
    for tool, extra in LAT_TOOLS:
        try:
            r = perftest.run_pair(bravo, alpha, tool, extra, n=LAT_ITERS,
                                  size=2, target="192.0.2.2")
        except perftest.PerftestError as e:
            res["tried"].append({"cmd": "%s %s" % (tool, extra),
                                 "error": short(e, 400)})
            continue
        res["tried"].append({"cmd": r["cmd"], "ok": True})
        res["lat_2"] = r
        try:
            res["lat_4k"] = perftest.run_pair(
                bravo, alpha, tool, extra, n=LAT_ITERS, size=4096,
                target="192.0.2.2")
        except perftest.PerftestError as e:
            res["lat_4k_error"] = short(e)
        break
    else:
        res["lat_error"] = "no latency tool ran: " + "; ".join(
            "%s: %s" % (t["cmd"], t["error"]) for t in res["tried"])
    for key in ("lat_2", "lat_4k"):
        if key in res:
            r = res[key]
            r["rtt_typical_us"] = 2 * r["typical_us"]
            r["rtt_p99_us"] = 2 * r["p99_us"]
            r["rtt_min_us"] = 2 * r["min_us"]
    return res


# -- the RDMA transport's self-test ----------------------------------------

SELFTEST = "/sys/kernel/debug/tandem/transport_selftest"
SELFTEST_CASES = (("64k", "count=2000 size=65536 senders=2"),
                  ("0b", "count=500 size=0 senders=1"),
                  ("1m_x8", "count=64 size=1048576 senders=8"))
SELFTEST_RE = re.compile(
    r"^ok class=rdma messages=(\d+) bytes=(\d+) data_MBps=([\d.]+) "
    r"rtt_us_p50=(\d+) rtt_us_p99=(\d+) ")


def rdma_selftests(g, modes, reps):
    """Each case of SELFTEST_CASES under each data_mode, reps times,
    modes interleaved (so drift hits both alike). Returns a list of
    {mode, case, rep, mb_per_s, rtt_p50_us, rtt_p99_us, line}; a run
    that fails is recorded with its error."""
    out = []
    for rep_ in range(1, reps + 1):
        for mode in modes:
            for case, args in SELFTEST_CASES:
                r = {"mode": mode, "case": case, "rep": rep_, "args": args}
                try:
                    must(g, "echo %s > %s" % (mode, RDMA_MODE_PARAM))
                    g.check("echo bench-selftest-%s-%s-%d > /dev/kmsg"
                            % (mode, case, rep_))
                    res = g.run("echo 'rdma 192.0.2.1:7790 192.0.2.1:7791 "
                                "%s' > %s" % (args, SELFTEST), timeout=300)
                    line = g.run("cat %s" % SELFTEST,
                                 timeout=30).out.strip()
                    m = SELFTEST_RE.match(line)
                    if res.rc != 0 or not m:
                        raise RowError("selftest %s failed (rc %s): %s" % (
                            args, res.rc, line[-300:]))
                    log_ = g.run("dmesg", timeout=30).out.rsplit(
                        "bench-selftest-%s-%s-%d" % (mode, case, rep_), 1)[-1]
                    want = "we receive by %s," % RDMA_MODE_NAMES[mode]
                    if want not in log_:
                        raise RowError("selftest %s: no connection logged "
                                       "`%s`" % (args, want))
                    r.update(mb_per_s=float(m.group(3)),
                             rtt_p50_us=int(m.group(4)),
                             rtt_p99_us=int(m.group(5)), line=line)
                    log("  selftest %s %s #%d: %s" % (mode, case, rep_,
                                                       line))
                except (RowError, tandemvm.VMError) as e:
                    r["error"] = short(e)
                    log("  selftest %s %s #%d NOT MEASURED: %s" % (
                        mode, case, rep_, r["error"][:300]))
                out.append(r)
    return out


def selftest_table(runs):
    """Per case and mode: median (min..max) of MB/s and round trip p50."""
    def med(v):
        v = sorted(v)
        n = len(v)
        return v[n // 2] if n % 2 else (v[n // 2 - 1] + v[n // 2]) / 2.0
    form = "%-7s %-6s %4s %24s %24s %24s"
    lines = [form % ("case", "mode", "runs", "MB/s med (min..max)",
                     "rtt p50 us med (range)", "rtt p99 us med (range)")]
    lines.append("-" * len(lines[0]))
    modes = []
    for r in runs:
        if r["mode"] not in modes:
            modes.append(r["mode"])
    for case, _ in SELFTEST_CASES:
        for mode in modes:
            ok = [r for r in runs if r["case"] == case and
                  r["mode"] == mode and "error" not in r]
            bad = len([r for r in runs if r["case"] == case and
                       r["mode"] == mode and "error" in r])
            if not ok:
                lines.append("%-7s %-6s not measured (%d failed)"
                             % (case, mode, bad))
                continue
            cells = []
            for key, spec in (("mb_per_s", "%.1f"), ("rtt_p50_us", "%d"),
                              ("rtt_p99_us", "%d")):
                v = [r[key] for r in ok]
                cells.append(("%s (%s..%s)" % (spec, spec, spec)) % (
                    med(v), min(v), max(v)))
            lines.append(form % ((case, mode, "%d%s" % (
                len(ok), "+%dx" % bad if bad else "")) + tuple(cells)))
    return lines


# -- replicated stacks -------------------------------------------------

class Stack:
    """A replicated block device on alpha (Primary) and bravo."""
    name = dev = proc = logpat = None
    protocols = ("C", "A")
    alpha_disk = "UpToDate"     # alpha's disk state when healthy

    def __init__(self, alpha, bravo):
        self.alpha, self.bravo = alpha, bravo

    def block(self, g):
        return tc.minor_block(g.run("cat %s" % self.proc, timeout=30).out)

    def healthy(self):
        return bool(
            re.search(r"cs:Connected ro:Primary/Secondary "
                      r"ds:%s/UpToDate" % self.alpha_disk,
                      self.block(self.alpha)) and
            re.search(r"cs:Connected ro:Secondary/Primary "
                      r"ds:UpToDate/%s" % self.alpha_disk,
                      self.block(self.bravo)))

    def protocol(self, proto):
        """Switch to proto (if needed) and wait until both nodes show it."""
        if re.search(r"ds:%s/UpToDate %s " % (self.alpha_disk, proto),
                     self.block(self.alpha)):
            return
        self.set_protocol(proto)
        for g, disks in ((self.alpha, "%s/UpToDate" % self.alpha_disk),
                         (self.bravo, "UpToDate/%s" % self.alpha_disk)):
            wait_for(g, "cat %s" % self.proc, r"cs:Connected ro:\w+/\w+ "
                     r"ds:%s %s " % (disks, proto), 90,
                     "%s protocol %s" % (self.name, proto))

    def repl(self, proto):
        return Repl(self.alpha, self.bravo, self.proc, proto, self.logpat,
                    self.alpha_disk)


class Tandem(Stack):
    name, dev, proc, logpat = "tandem", "/dev/tandem0", "/proc/tandem", \
        "tandem"
    disk = "/dev/ram0"
    transport = "tcp"
    network = "tcp"

    def up(self):
        alpha, bravo = self.alpha, self.bravo
        for g in (alpha, bravo):
            g.transport = self.transport    # tandemctl.up() connects over it
            tc.up(g, disk=self.disk)
        for g in (alpha, bravo):
            wait_for(g, "cat /proc/tandem", r"cs:Connected "
                     r"ro:Secondary/Secondary ds:Inconsistent/Inconsistent C",
                     90, "tandem Connected")
        for g in (alpha, bravo):
            must(g, "tandemsetup resync-rate 0 4G")
        must(alpha, "tandemsetup primary r0 --force")
        wait_for(alpha, "cat /proc/tandem", r"cs:Connected "
                 r"ro:Primary/Secondary ds:UpToDate/UpToDate C", 240,
                 "tandem initial sync")
        wait_for(bravo, "cat /proc/tandem", r"ds:UpToDate/UpToDate C", 30,
                 "tandem UpToDate on bravo")
        self.check_transport()

    def check_transport(self):
        """The connection really uses the transport this stack is about."""
        for g in (self.alpha, self.bravo):
            log_ = g.run("dmesg | grep -E 'connected \\(protocol' | tail -1",
                         timeout=30).out
            if "transport %s" % self.transport not in log_:
                raise RowError("%s: last connect did not use transport %s: "
                               "%s" % (g.name, self.transport,
                                       log_.strip() or "(no line)"))


    def set_protocol(self, proto):
        must(self.alpha, "tandemsetup net-options r0 1 --protocol=%s" % proto)

    def down(self):
        for g in (self.alpha, self.bravo):
            g.run("tandemsetup down r0", timeout=60)


class TandemDiskless(Tandem):
    """alpha is a diskless client (no backing device: `disk none`),
    Primary, reading and writing bravo's RAM disk over the transport."""
    protocols = ("C",)
    alpha_disk = "Diskless"

    def __init__(self, alpha, bravo, transport):
        Tandem.__init__(self, alpha, bravo)
        self.transport = self.network = transport
        self.name = "tandem diskless client%s" % (
            "" if transport == "tcp" else "/RDMA")

    def up(self):
        alpha, bravo = self.alpha, self.bravo
        for g in (alpha, bravo):
            g.transport = self.transport
        tc.up(bravo, disk=self.disk)
        must(alpha, "tandemsetup new-resource r0 0 && "
             "tandemsetup new-minor r0 0 0 && "
             "tandemsetup connect r0 1 192.0.2.1:%d 192.0.2.2:%d "
             "--connect-int=1 %s" % (tc.PORT, tc.PORT,
                                     tc.net_transport(alpha)))
        wait_for(bravo, "cat /proc/tandem", r"cs:Connected "
                 r"ro:Secondary/Secondary ds:Inconsistent/Diskless", 90,
                 "tandem client Connected")
        must(bravo, "tandemsetup primary r0 --force && "
             "tandemsetup secondary r0")
        wait_for(alpha, "cat /proc/tandem", r"cs:Connected "
                 r"ro:Secondary/Secondary ds:Diskless/UpToDate", 60,
                 "tandem client sees UpToDate data")
        must(alpha, "tandemsetup primary r0")
        self.check_transport()


RDMA_MODE_PARAM = "/sys/module/tandem_transport_rdma/parameters/data_mode"
RDMA_MODE_NAMES = {"send": "SEND", "write": "RDMA WRITE"}


def rdma_default_mode(g):
    """data_mode of a freshly loaded tandem_transport_rdma (the caller
    has not changed it yet)."""
    must(g, "modprobe tandem_transport_rdma")
    return must(g, "cat %s" % RDMA_MODE_PARAM).strip()


class TandemRdma(Tandem):
    """tandem with --transport=rdma over soft-RoCE (rxe0 on eth0), DATA
    in the given data_mode on both nodes."""
    transport = "rdma"
    network = "rdma"

    def __init__(self, alpha, bravo, mode):
        Tandem.__init__(self, alpha, bravo)
        self.mode = mode
        self.name = "tandem/RDMA %s" % mode

    def up(self):
        for g in (self.alpha, self.bravo):
            must(g, "modprobe tandem_transport_rdma && echo %s > %s"
                 % (self.mode, RDMA_MODE_PARAM))
        Tandem.up(self)

    def check_transport(self):
        Tandem.check_transport(self)
        want = "(DATA: we receive by %s, send by %s)" % (
            RDMA_MODE_NAMES[self.mode], RDMA_MODE_NAMES[self.mode])
        for g in (self.alpha, self.bravo):
            ref = g.run("cat /sys/module/tandem_transport_rdma/refcnt",
                        timeout=30).out.strip()
            if not ref.isdigit() or int(ref) < 1:
                raise RowError("%s: tandem_transport_rdma not in use "
                               "(refcnt %r)" % (g.name, ref))
            line = g.run("dmesg | grep 'tandem_transport_rdma: connected' "
                         "| tail -1", timeout=30).out.strip()
            if not line.endswith(want):
                raise RowError("%s: last RDMA connection did not run DATA "
                               "by %s both ways: %s" % (
                                   g.name, RDMA_MODE_NAMES[self.mode],
                                   line or "(no line)"))


def drbd_conf(proto, disk):
    hosts = "".join(
        "  on %s {\n    device /dev/drbd0;\n    disk %s;\n"
        "    address 192.0.2.%d:%d;\n    meta-disk internal;\n  }\n"
        % (name, disk, i + 1, DRBD_PORT)
        for i, name in enumerate(("alpha", "bravo")))
    return ("global { usage-count no; }\n"
            "resource r0 {\n  protocol %s;\n"
            "  disk { resync-rate 1000M; c-plan-ahead 0; }\n%s}\n"
            % (proto, hosts))


class Drbd(Stack):
    name, dev, proc, logpat = "DRBD", "/dev/drbd0", "/proc/drbd", \
        "drbd|block drbd"
    disk = "/dev/ram1"
    network = "tcp"

    def write_conf(self, g, proto):
        must(g, "cat > %s <<'EOF'\n%sEOF" % (DRBD_CONF,
                                             drbd_conf(proto, self.disk)))

    def up(self):
        alpha, bravo = self.alpha, self.bravo
        for g in (alpha, bravo):
            # drbdmeta locks in /var/lock, which is /run/lock on Debian.
            must(g, "mkdir -p /run/lock /var/lib/drbd")
            must(g, "modprobe drbd usermode_helper=/bin/true")
            ver = must(g, "head -1 /proc/drbd").strip()
            if not ver.startswith("version: 8.4"):
                raise RowError("%s: drbd module is not 8.4: %s"
                               % (g.name, ver))
            self.write_conf(g, "C")
            must(g, "yes yes | %s -- --force create-md r0" % DRBDADM,
                 what="drbdadm create-md")
            must(g, "%s up r0" % DRBDADM, what="drbdadm up")
        for g in (alpha, bravo):
            wait_for(g, "cat /proc/drbd", r"cs:Connected "
                     r"ro:Secondary/Secondary ds:Inconsistent/Inconsistent C",
                     90, "DRBD Connected")
        # Both sides hold the same (zeroed) data: skip the initial sync.
        must(alpha, "%s -- --clear-bitmap new-current-uuid r0" % DRBDADM,
             what="drbdadm new-current-uuid --clear-bitmap")
        for g in (alpha, bravo):
            wait_for(g, "cat /proc/drbd", r"ds:UpToDate/UpToDate C", 60,
                     "DRBD UpToDate/UpToDate")
        must(alpha, "%s primary r0" % DRBDADM, what="drbdadm primary")
        wait_for(alpha, "cat /proc/drbd", r"cs:Connected ro:Primary/Secondary "
                 r"ds:UpToDate/UpToDate C", 30, "DRBD Primary")

    def set_protocol(self, proto):
        alpha, bravo = self.alpha, self.bravo
        for g in (alpha, bravo):
            self.write_conf(g, proto)
        res = alpha.run("%s -- --protocol=%s net-options r0"
                        % (DRBDADM, proto), timeout=60)
        if res.rc == 0:
            return
        # Not changeable online here: reconnect with the new protocol.
        log("  drbd: online protocol change refused (%s); reconnecting"
            % res.out.strip()[-160:])
        for g in (alpha, bravo):
            must(g, "%s disconnect r0" % DRBDADM, what="drbdadm disconnect")
        for g in (alpha, bravo):
            must(g, "%s connect r0" % DRBDADM, what="drbdadm connect")

    def down(self):
        for g in (self.alpha, self.bravo):
            g.run("%s down r0" % DRBDADM, timeout=60)


# -- report -----------------------------------------------------------

def short(e, limit=1200):
    """An error's text without the console tail the harness appends
    (the console is kept in the work folder)."""
    text = str(e).split("--- console tail")[0].strip()
    return text if len(text) <= limit else text[:limit] + " [...]"


def fmt(v, spec):
    return "-" if v is None else spec % v


def ratio(a, b):
    if a is None or not b:
        return None
    return a / b


def table(rows, raw):
    """Table lines and the notes they refer to ([n] marks a figure that
    could not be measured, for the reason in note n)."""
    head = ("configuration", "4k p50 us", "4k p99 us", "1M MB/s",
            "p50 x raw", "p99 x raw", "MB/s x raw")
    form = "%-31s %10s %10s %9s %10s %10s %10s"
    lines = [form % head, "-" * len(form % head)]
    notes = []

    def note(text):
        if text not in notes:
            notes.append(text)
        return "n/a [%d]" % (notes.index(text) + 1)

    base = raw or {}
    for r in rows:
        if r.get("error"):
            lines.append("%-31s not measured %s" % (
                r["name"], note(r["error"])))
            continue
        if r.get("lat4k_error"):
            n = note(r["lat4k_error"])
            p50 = p99 = r50 = r99 = n
        else:
            p50, p99 = fmt(r["p50_us"], "%.0f"), fmt(r["p99_us"], "%.0f")
            r50 = fmt(ratio(r["p50_us"], base.get("p50_us")), "%.2f")
            r99 = fmt(ratio(r["p99_us"], base.get("p99_us")), "%.2f")
        if r.get("seq1m_error"):
            mb = rmb = note(r["seq1m_error"])
        else:
            mb = fmt(r["mb_per_s"], "%.1f")
            rmb = fmt(ratio(r["mb_per_s"], base.get("mb_per_s")), "%.3f")
        lines.append(form % (r["name"], p50, p99, mb, r50, r99, rmb))
    return lines, notes


def measured(r, key):
    return not r.get("error") and not r.get(
        ("lat4k" if key != "mb_per_s" else "seq1m") + "_error") and \
        r.get(key) is not None


def network_limits(raw, net, fab):
    """Per network (tcp, rdma), measured in this run: the round trip a
    replicated 4 KiB write needs, the protocol C floors built from it and
    the raw disk, and the stream bandwidth that bounds 1 MiB writes."""
    limits = {}
    disk = raw["p50_us"] if raw and measured(raw, "p50_us") else None
    rr = net.get("rr_4k_64", {})
    stream = net.get("stream", {}).get("mb_per_s")
    if rr.get("p50_us") is not None or stream:
        t = {"stream_mb_per_s": stream,
             "stream_what": "raw TCP stream"}
        if rr.get("p50_us") is not None:
            t.update(rt_us=rr["p50_us"],
                     rt_what="TCP 4 KiB+64 B round trip p50 %.0f us"
                     % rr["p50_us"])
        limits["tcp"] = t
    lat = fab.get("lat_4k") or fab.get("lat_2")
    bw = fab.get("send_bw", {}).get("mb_per_s")
    if lat or bw:
        f = {"stream_mb_per_s": bw,
             "stream_what": "ib_send_bw -R -e"}
        if lat:
            f.update(rt_us=lat["rtt_typical_us"],
                     rt_what="%s %d B round trip (2 x typical) %.0f us" % (
                         lat["cmd"].split()[0], lat["bytes"],
                         lat["rtt_typical_us"]))
        limits["rdma"] = f
    for v in limits.values():
        if disk is not None and v.get("rt_us") is not None:
            v["disk_p50_us"] = disk
            v["limit_1rt_us"] = max(disk, disk + v["rt_us"])
            v["limit_2rt_us"] = disk + 2 * v["rt_us"]
    return limits


def vs_network(r, limits):
    """A replicated row against the limits of the network it runs on."""
    lim = limits.get(r.get("network"))
    if not lim:
        return None
    v = {}
    if measured(r, "p50_us") and lim.get("limit_1rt_us"):
        v["p50_x_1rt_limit"] = r["p50_us"] / lim["limit_1rt_us"]
        v["p50_x_2rt_limit"] = r["p50_us"] / lim["limit_2rt_us"]
        v["limit_1rt_us"] = lim["limit_1rt_us"]
        v["limit_2rt_us"] = lim["limit_2rt_us"]
    if measured(r, "mb_per_s") and lim.get("stream_mb_per_s"):
        v["mb_x_stream"] = r["mb_per_s"] / lim["stream_mb_per_s"]
        v["stream_mb_per_s"] = lim["stream_mb_per_s"]
    return v or None


def vs_table(rows, limits):
    """Each replicated row against its own network, measured in the same
    run: 4k p50 over (disk + 1 or 2 round trips), 1M over the stream."""
    form = "%-31s %-5s %11s %11s %14s %11s"
    head = form % ("against the network", "net", "p50/1-RT", "p50/2-RT",
                   "1M/net stream", "host drops")
    out = [head, "-" * len(head)]
    for r in rows:
        if not r.get("network"):
            continue
        v = r.get("vs_network") or {}
        lim = limits.get(r["network"], {})

        def cell(key, spec, why):
            if key in v:
                return spec % v[key]
            return why
        lat_why = "-" if not measured(r, "p50_us") else "no limit"
        bw_why = "-" if not measured(r, "mb_per_s") else "no stream"
        out.append(form % (
            r["name"], r["network"].upper(),
            cell("p50_x_1rt_limit", "%.2f", lat_why),
            cell("p50_x_2rt_limit", "%.2f", lat_why),
            cell("mb_x_stream", "%.2f", bw_why),
            "-" if r.get("host_udp_drops") is None
            else "%d" % r["host_udp_drops"]))
        del lim
    return out if len(out) > 2 else []


def fabric_failed(fab, skipped):
    if skipped:
        return bool(fab.get("error"))
    return bool(fab.get("error") or fab.get("send_bw_error") or
                fab.get("lat_error") or fab.get("lat_4k_error"))


def print_fabric(fab):
    if not fab:
        return
    mtu = fab.get("rxe_active_mtu")
    where = "raw soft-RoCE alpha->bravo (rxe0 on eth0%s)" % (
        ", RDMA MTU %s" % mtu if mtu else "")
    if fab.get("error"):
        print("%s: not measured: %s" % (where, fab["error"]))
        return
    if "send_bw" in fab:
        b = fab["send_bw"]
        print("%s: `%s`: %.1f MB/s (%.1f MiB/s)%s" % (
            where, b["cmd"], b["mb_per_s"], b["mib_per_s"],
            "; the host dropped %d UDP datagrams meanwhile"
            % b["host_udp_drops"] if b.get("host_udp_drops") is not None
            else ""))
    elif fab.get("send_bw_error"):
        print("%s: ib_send_bw not measured: %s" % (where,
                                                    fab["send_bw_error"]))
    b = fab.get("send_bw_t1")
    if b:
        print("  `%s` (one message in flight): %.1f MB/s%s" % (
            b["cmd"], b["mb_per_s"],
            "; host drops %d" % b["host_udp_drops"]
            if b.get("host_udp_drops") is not None else ""))
    elif fab.get("send_bw_t1_error"):
        print("  ib_send_bw -t 1 not measured: %s" % fab["send_bw_t1_error"])
    for t in fab.get("tried", []):
        if not t.get("ok"):
            print("  %s did not run: %s" % (t["cmd"], t["error"][:300]))
    for key in ("lat_2", "lat_4k"):
        r = fab.get(key)
        if r:
            print("  `%s`: round trip typical %.0f us, p99 %.0f us, min %.0f"
                  " us (perftest prints half: %.0f / %.0f / %.0f)" % (
                      r["cmd"], r["rtt_typical_us"], r["rtt_p99_us"],
                      r["rtt_min_us"], r["typical_us"], r["p99_us"],
                      r["min_us"]))
    for key in ("lat_error", "lat_4k_error"):
        if fab.get(key):
            print("  latency not measured: %s" % fab[key])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runtime", type=int, default=10,
                    help="seconds per fio job (default 10)")
    ap.add_argument("--net-seconds", type=int, default=5,
                    help="seconds per TCP baseline (default 5)")
    ap.add_argument("--ram-mib", type=int, default=256,
                    help="size of each RAM disk (default 256)")
    ap.add_argument("--deadline", type=int, default=1500,
                    help="abort the whole run after this many seconds")
    ap.add_argument("--skip", default="",
                    help="comma list of row groups to skip: "
                         "raw,net,fabric,tandem,rdma,diskless,drbd")
    ap.add_argument("--rdma-modes", default="default",
                    help="comma list of the RDMA transport's data_mode to "
                         "run the tandem/RDMA rows under, in this order "
                         "(send, write, or default: the module's); a mode "
                         "may repeat, to see the noise (default: default)")
    ap.add_argument("--rdma-selftest", type=int, default=0, metavar="N",
                    help="run the RDMA transport self-test N times per "
                         "data_mode of --rdma-modes on alpha (default 0)")
    args = ap.parse_args()
    rdma_modes = [m for m in args.rdma_modes.split(",") if m]
    if not rdma_modes or any(m not in ("send", "write", "default")
                             for m in rdma_modes):
        print("bench_quick: --rdma-modes takes send, write, default",
              file=sys.stderr)
        return 2
    if not (1 <= args.runtime <= 120 and 1 <= args.net_seconds <= 60 and
            64 <= args.ram_mib <= 1024):
        print("bench_quick: runtime 1-120, net-seconds 1-60, ram-mib "
              "64-1024", file=sys.stderr)
        return 2
    skip = set(s for s in args.skip.split(",") if s)

    def on_alarm(signum, frame):
        raise BenchTimeout("run exceeded its %ds deadline" % args.deadline)

    def on_term(signum, frame):
        raise SystemExit("terminated by signal %d" % signum)

    signal.signal(signal.SIGALRM, on_alarm)
    signal.signal(signal.SIGTERM, on_term)
    signal.alarm(args.deadline)

    stamp = time.strftime("%Y%m%d-%H%M%S")
    outdir = os.path.join(ROOT, "build", "bench")
    workdir = os.path.join(outdir, "quick-%s" % stamp)
    os.makedirs(workdir, exist_ok=True)
    json_path = os.path.join(outdir, "quick-%s.json" % stamp)
    log("bench-quick: work folder %s" % workdir)

    result = {"started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
              "params": {"fio_runtime_s": args.runtime,
                         "net_seconds": args.net_seconds,
                         "ram_disk_mib": args.ram_mib},
              "rows": [], "network": {}, "fabric": {}, "kernel_problems": [],
              "errors": []}
    rows = result["rows"]
    raw = None
    guests = []
    try:
        guests = tandemvm.make_pair(workdir, mem_mib=2048)
        alpha, bravo = guests
        for g in guests:
            g.launch()
        for g in guests:
            g.wait_ready()
        log("guests up (alpha %.0fs, bravo %.0fs)" % (
            alpha.boot_seconds, bravo.boot_seconds))
        for g in guests:
            tc.install(g, ROOT)
            g.check("modprobe brd rd_nr=2 rd_size=%d" % (args.ram_mib << 10))
            # Touch every page now, so no run pays brd's first allocation.
            for dev in ("/dev/ram0", "/dev/ram1"):
                g.check("dd if=/dev/zero of=%s bs=1M count=%d oflag=direct "
                        "status=none" % (dev, args.ram_mib), timeout=300)
        log("tandem installed, RAM disks ready on both guests")
        fabric_err = None
        if not {"fabric", "rdma"} <= skip:
            try:
                mtus = [rxe_up(g) for g in guests]
                result["fabric"]["rxe_active_mtu"] = mtus[0]
                log("rxe0 ACTIVE on both guests (RDMA MTU %s)" % mtus[0])
            except (RowError, tandemvm.VMError) as e:
                fabric_err = "soft-RoCE setup failed: %s" % short(e)
                result["fabric"]["error"] = fabric_err
                log("  " + fabric_err)
        result["env"] = {
            "guest_kernel": alpha.check("uname -r").strip(),
            "fio": alpha.check("fio --version").strip(),
            "tandem": alpha.check("head -1 /proc/tandem").strip(),
            "cpus_per_guest": alpha.cpus, "mem_mib": alpha.mem_mib,
        }

        def block_row(name, fn):
            log("measuring: %s" % name)
            try:
                row = fn()
            except (RowError, tandemvm.VMError, AssertionError) as e:
                row = {"error": short(e)}
            row["name"] = name
            if row.get("error"):
                log("  NOT MEASURED: %s" % row["error"][:400])
            else:
                for kind, text in (
                        ("lat4k", lambda: "4k p50 %.0f us, p99 %.0f us" % (
                            row["p50_us"], row["p99_us"])),
                        ("seq1m", lambda: "1M %.1f MB/s" % row["mb_per_s"])):
                    if row.get(kind + "_error"):
                        log("  %s NOT MEASURED: %s" % (
                            kind, row[kind + "_error"][:400]))
                    else:
                        log("  " + text())
            rows.append(row)
            return row

        rt = args.runtime
        if "raw" not in skip:
            raw = block_row("raw disk (ram0)",
                            lambda: measure_block(alpha, "/dev/ram0", rt))

        if "net" not in skip:
            log("measuring: raw TCP alpha -> bravo")
            try:
                result["network"] = tcp_baselines(alpha, bravo,
                                                  args.net_seconds)
                for k, v in sorted(result["network"].items()):
                    log("  %s: %s" % (k, json.dumps(v)))
            except (RowError, tandemvm.VMError, ValueError) as e:
                result["network"] = {"error": short(e)}
                log("  network: NOT MEASURED: %s" % short(e))

        if "fabric" not in skip and not fabric_err:
            log("measuring: raw soft-RoCE alpha -> bravo (perftest)")
            try:
                result["fabric"].update(fabric_baselines(alpha, bravo))
            except (RowError, tandemvm.VMError) as e:
                result["fabric"]["error"] = short(e)
            for k in ("send_bw", "send_bw_t1", "lat_2", "lat_4k"):
                if k in result["fabric"]:
                    log("  %s: %s" % (k, json.dumps(result["fabric"][k])))
            for k in ("error", "send_bw_error", "lat_error", "lat_4k_error"):
                if k in result["fabric"]:
                    log("  fabric %s: %s" % (k, result["fabric"][k][:400]))

        if args.rdma_selftest and not fabric_err and "rdma" not in skip:
            default_mode = rdma_default_mode(alpha)
            modes = []
            for m in rdma_modes:
                m = default_mode if m == "default" else m
                if m not in modes:
                    modes.append(m)
            log("measuring: RDMA transport self-test on alpha, data_mode "
                "%s, %d times each" % ("/".join(modes), args.rdma_selftest))
            try:
                result["rdma_selftest"] = rdma_selftests(
                    alpha, modes, args.rdma_selftest)
            finally:
                alpha.run("echo %s > %s" % (default_mode, RDMA_MODE_PARAM),
                          timeout=30)

        stacks = []
        if "tandem" not in skip:
            stacks.append((Tandem(alpha, bravo), "tandem"))
        if "rdma" not in skip:
            default_mode = rdma_default_mode(alpha)
            result["env"]["rdma_default_data_mode"] = default_mode
            seen = {}
            for m in rdma_modes:
                m = default_mode if m == "default" else m
                seen[m] = seen.get(m, 0) + 1
                label = "tandem/RDMA %s%s" % (
                    m, "" if seen[m] == 1 else " #%d" % seen[m])
                stacks.append((TandemRdma(alpha, bravo, m), label))
        if "diskless" not in skip:
            stacks.append((TandemDiskless(alpha, bravo, "tcp"),
                           "tandem diskless client"))
            if "rdma" not in skip:
                stacks.append((TandemDiskless(alpha, bravo, "rdma"),
                               "tandem diskless client/RDMA"))
        if "drbd" not in skip:
            stacks.append((Drbd(alpha, bravo), "DRBD 8.4"))
        for stack, label in stacks:
            up_err = None
            try:
                if stack.network == "rdma" and fabric_err:
                    raise RowError(fabric_err)
                log("%s: up on %s" % (stack.name, stack.disk))
                t = time.monotonic()
                stack.up()
                log("%s: Connected, UpToDate/UpToDate after %.0fs"
                    % (stack.name, time.monotonic() - t))
            except (RowError, tandemvm.VMError, AssertionError) as e:
                up_err = "bring-up failed: %s" % short(e)
            for proto in stack.protocols:

                def run_stack(proto=proto, stack=stack):
                    if up_err:
                        raise RowError(up_err)
                    if not stack.healthy():
                        # A previous row broke it: start over, once.
                        log("  %s is not Connected/UpToDate any more: "
                            "down and up again" % stack.name)
                        stack.down()
                        stack.up()
                    stack.protocol(proto)
                    time.sleep(2)       # let a bad switch show itself
                    d0 = host_udp_drops()
                    row = measure_block(alpha, stack.dev, rt,
                                        stack.repl(proto))
                    row["host_udp_drops"] = drops_since(d0)
                    return row
                row = block_row("%s protocol %s" % (label, proto), run_stack)
                row["network"] = stack.network
                if isinstance(stack, TandemRdma):
                    row["rdma_data_mode"] = stack.mode
            log("%s: down" % stack.name)
            stack.down()
    except BaseException as e:
        result["errors"].append("%s: %s" % (type(e).__name__, short(e)))
        log("bench aborted: %s: %s" % (type(e).__name__, short(e)))
        if not isinstance(e, (tandemvm.VMError, BenchTimeout)):
            traceback.print_exc()
    finally:
        signal.alarm(0)
        for g in guests:
            try:
                g.shutdown()
            except Exception as e:  # noqa: BLE001 - keep shutting down
                result["errors"].append("shutdown %s: %s" % (g.name, e))
        for g in guests:
            bad = g.kernel_errors(since_boot_start=True)
            if bad:
                result["kernel_problems"].append(
                    {"guest": g.name, "console": g.console,
                     "lines": bad[:40]})

    # -- report ---------------------------------------------------------
    net = result["network"]
    fab = result["fabric"]
    rr = net.get("rr_4k_64", {})
    limits = network_limits(raw, net, fab)
    result["network_limits"] = limits
    if "tcp" in limits:
        result["protocol_c_limit_p50_us"] = limits["tcp"]["limit_1rt_us"]
        result["protocol_c_limit_with_flush_p50_us"] = \
            limits["tcp"]["limit_2rt_us"]
    for r in rows:
        v = vs_network(r, limits)
        if v:
            r["vs_network"] = v
    result["finished"] = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    result["elapsed_s"] = round(time.monotonic() - T0, 1)
    with open(json_path, "w") as f:
        json.dump(result, f, indent=2, sort_keys=True)
        f.write("\n")

    print()
    print("tandem bench-quick  (QEMU TCG emulation: compare ratios, not "
          "absolute values)")
    env = result.get("env", {})
    if env:
        print("guests: kernel %s, %d vCPU, %d MiB each; %s; RAM disks %d MiB"
              % (env["guest_kernel"], env["cpus_per_guest"], env["mem_mib"],
                 env["fio"], args.ram_mib))
    print("4k: fio QD1 4 KiB randwrite O_DIRECT+O_SYNC psync, clat; "
          "1M: QD1 1 MiB sequential write O_DIRECT; %ds each" % args.runtime)
    print()
    lines, notes = table(rows, raw)
    print("\n".join(lines))
    print()
    if net.get("error"):
        print("raw TCP alpha->bravo: not measured: %s" % net["error"])
    elif net:
        for key, label in (("rr_4k_64", "4 KiB request + 64 B reply"),
                           ("rr_4k_4k", "4 KiB request + 4 KiB reply")):
            v = net.get(key)
            if v:
                print("raw TCP round trip, %s: p50 %.0f us, p99 %.0f us "
                      "(%d round trips)" % (label, v["p50_us"], v["p99_us"],
                                            v["count"]))
        v = net.get("stream")
        if v:
            print("raw TCP stream alpha->bravo: %.1f MB/s" % v["mb_per_s"])
    print_fabric(fab)
    for key, label in (("tcp", "TCP"), ("rdma", "RDMA")):
        lim = limits.get(key)
        if lim:
            print("protocol C 4k limit over %s ~ local write + %s = %.0f us;"
                  " with the flush O_SYNC adds (2 round trips): %.0f us" % (
                      label, lim["rt_what"], lim["limit_1rt_us"],
                      lim["limit_2rt_us"]))
    if result.get("rdma_selftest"):
        print()
        print("RDMA transport self-test on alpha (rxe0 to its own address), "
              "per data_mode:")
        print("\n".join(selftest_table(result["rdma_selftest"])))
        for r in result["rdma_selftest"]:
            if "error" in r:
                result["errors"].append("selftest %s %s #%d: %s" % (
                    r["mode"], r["case"], r["rep"], r["error"]))
    vlines = vs_table(rows, limits)
    if vlines:
        print()
        print("\n".join(vlines))
    print()
    for i, n in enumerate(notes, 1):
        print("note %d: %s" % (i, n.replace("\n", "\n        ")))
    for e in result["errors"]:
        print("error: %s" % e)
    if result["kernel_problems"]:
        for kp in result["kernel_problems"]:
            print("KERNEL PROBLEM on %s (console %s):\n  %s" % (
                kp["guest"], kp["console"], "\n  ".join(kp["lines"])))
    else:
        print("guest consoles: no kernel warnings")
    print("results: %s (consoles in %s); %.0fs" % (
        os.path.relpath(json_path, ROOT), os.path.relpath(workdir, ROOT),
        result["elapsed_s"]))

    ok = (not result["errors"] and not result["kernel_problems"] and
          not notes and not net.get("error") and not fabric_failed(
              fab, "fabric" in skip) and bool(rows))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
