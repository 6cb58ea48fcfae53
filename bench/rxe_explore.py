#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Soft-RoCE (rdma_rxe) latency experiments on the bench guests.

Boots alpha and bravo like bench_quick.py, sets up rxe0 on eth0 in both
and runs a list of named experiments (perftest between the guests and
inside one guest, ICMP ping, tandem's transport self-test, settings that
might matter). Prints each command's output and a one-line summary per
experiment. Used to investigate why a 2-byte round trip over rxe takes
milliseconds (docs/BENCHMARKS.md, "Soft-RoCE latency").

  rxe_explore.py [--cpus N] [--only name,name] [--list]
"""
import argparse
import os
import re
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "tests", "vm"))
sys.path.insert(0, HERE)
import tandemctl as tc  # noqa: E402
import tandemvm  # noqa: E402
import perftest as pt  # noqa: E402

T0 = time.monotonic()


def log(msg):
    sys.stdout.write("[%6.1fs] %s\n" % (time.monotonic() - T0, msg))
    sys.stdout.flush()


def sh(g, cmd, timeout=60):
    res = g.run(cmd, timeout=timeout)
    log("%s$ %s  (rc=%s)\n%s" % (g.name, cmd, res.rc, res.out.rstrip()))
    return res


def lat(alpha, bravo, tool, extra, n=200, server=None, client=None,
        target="192.0.2.2"):
    server = server or bravo
    client = client or alpha
    try:
        r = pt.run_pair(server, client, tool, extra, n=n, target=target)
    except pt.PerftestError as e:
        log("  %s %s: FAILED: %s" % (tool, extra, e))
        return None
    log("  %s %s: %s" % (tool, extra, r))
    return r


def exp_ping(a, b):
    sh(a, "ping -c 50 -i 0.05 -q 192.0.2.2", timeout=60)
    sh(a, "ping -c 50 -i 0.05 -s 4000 -q 192.0.2.2", timeout=60)


def exp_lat_variants(a, b):
    for tool, extra in (("ib_send_lat", "-R"), ("ib_send_lat", "-R -e"),
                        ("ib_write_lat", "-R"), ("ib_write_lat", "-R -e")):
        lat(a, b, tool, extra)


def exp_lat_loopback(a, b):
    """Both ends in alpha: no QEMU network, same rxe code."""
    for tool, extra in (("ib_send_lat", "-R"), ("ib_write_lat", "-R")):
        lat(a, b, tool, extra, server=a, client=a, target="192.0.2.1")
    sh(a, "echo 'rdma 192.0.2.1:7790 192.0.2.1:7791 count=500 size=0' > "
          "/sys/kernel/debug/tandem/transport_selftest; "
          "cat /sys/kernel/debug/tandem/transport_selftest", timeout=150)


def exp_mtu(a, b):
    for m in (1024, 4096):
        lat(a, b, "ib_send_lat", "-R -m %d" % m)


def exp_bw(a, b):
    for tool, extra in (("ib_send_bw", "-R -e"), ("ib_send_bw", "-R"),
                        ("ib_send_bw", "-R -e -s 1048576")):
        try:
            r = pt.run_pair(b, a, tool, extra, n=200 if "1048576" not in
                            extra else 50, target="192.0.2.2")
            log("  %s %s: %s" % (tool, extra, r))
        except pt.PerftestError as e:
            log("  %s %s: FAILED: %s" % (tool, extra, e))


def exp_nic(a, b):
    sh(a, "ethtool -c eth0; ethtool -k eth0 | head -20; ethtool -i eth0; "
          "ethtool -l eth0", timeout=30)
    sh(a, "cat /sys/class/net/eth0/gro_flush_timeout "
          "/sys/class/net/eth0/napi_defer_hard_irqs; "
          "sysctl net.core.busy_poll net.core.busy_read; "
          "cat /sys/module/virtio_net/parameters/*", timeout=30)
    sh(a, "rdma link show; ibv_devinfo -d rxe0 | grep -E 'mtu|state'; "
          "ls /sys/module/rdma_rxe/parameters/ 2>/dev/null; "
          "grep -E 'HZ|PREEMPT' /boot/config-$(uname -r) 2>/dev/null | "
          "head; cat /proc/sys/kernel/sched_min_granularity_ns "
          "2>/dev/null; grep CONFIG_HZ= /lib/modules/$(uname -r)/build/"
          ".config 2>/dev/null; true", timeout=30)


def exp_ksoftirqd(a, b):
    """Busy-polling client: does softirq work land in ksoftirqd?"""
    sh(a, "grep -E 'NET_RX|TASKLET' /proc/softirqs; "
          "cat /proc/$(pgrep -x ksoftirqd/0)/stat | cut -d' ' -f14-15",
       timeout=30)
    sh(b, "grep -E 'NET_RX|TASKLET' /proc/softirqs; "
          "cat /proc/$(pgrep -x ksoftirqd/0)/stat | cut -d' ' -f14-15",
       timeout=30)
    lat(a, b, "ib_send_lat", "-R")
    sh(a, "grep -E 'NET_RX|TASKLET' /proc/softirqs; "
          "cat /proc/$(pgrep -x ksoftirqd/0)/stat | cut -d' ' -f14-15",
       timeout=30)
    sh(b, "grep -E 'NET_RX|TASKLET' /proc/softirqs; "
          "cat /proc/$(pgrep -x ksoftirqd/0)/stat | cut -d' ' -f14-15",
       timeout=30)
    lat(a, b, "ib_send_lat", "-R -e")
    sh(a, "grep -E 'NET_RX|TASKLET' /proc/softirqs; "
          "cat /proc/$(pgrep -x ksoftirqd/0)/stat | cut -d' ' -f14-15",
       timeout=30)


def exp_nice(a, b):
    """Busy polling at the lowest priority: ksoftirqd/tasklets win."""
    for g in (a, b):
        g.run("mkdir -p /run/pt; printf '#!/bin/sh\\nexec nice -n 19 "
              "\"$@\"\\n' > /run/pt/nice; chmod +x /run/pt/nice", timeout=20)
    try:
        r = pt.run_pair(b, a, "ib_send_lat", "-R", n=200, target="192.0.2.2",
                        prefix="/run/pt/nice ")
        log("  ib_send_lat -R under nice 19: %s" % r)
    except pt.PerftestError as e:
        log("  nice: FAILED: %s" % e)


def exp_sched(a, b):
    """Scheduler knobs: make a waking ksoftirqd preempt the poller."""
    for g in (a, b):
        sh(g, "ls /sys/kernel/debug/sched/ && cat "
              "/sys/kernel/debug/sched/wakeup_granularity_ns "
              "/sys/kernel/debug/sched/min_granularity_ns "
              "/sys/kernel/debug/sched/latency_ns", timeout=20)
    for g in (a, b):
        g.run("echo 100000 > /sys/kernel/debug/sched/min_granularity_ns; "
              "echo 0 > /sys/kernel/debug/sched/wakeup_granularity_ns",
              timeout=20)
    lat(a, b, "ib_send_lat", "-R")
    for g in (a, b):
        g.run("echo 750000 > /sys/kernel/debug/sched/min_granularity_ns; "
              "echo 1000000 > /sys/kernel/debug/sched/wakeup_granularity_ns",
              timeout=20)


def exp_rt(a, b):
    """ksoftirqd as a real-time thread."""
    for g in (a, b):
        sh(g, "chrt -f -p 50 $(pgrep -x ksoftirqd/0) && "
              "chrt -p $(pgrep -x ksoftirqd/0)", timeout=20)
    lat(a, b, "ib_send_lat", "-R")
    lat(a, b, "ib_write_lat", "-R")
    for g in (a, b):
        g.run("chrt -o -p 0 $(pgrep -x ksoftirqd/0)", timeout=20)


def host_udp():
    with open("/proc/net/snmp") as f:
        rows = [l.split() for l in f if l.startswith("Udp:")]
    d = dict(zip(rows[0][1:], rows[1][1:]))
    return {k: int(d[k]) for k in ("InDatagrams", "RcvbufErrors")}


def rxe_stats(g):
    out = g.run("rdma statistic show link rxe0/1", timeout=20).out
    return {k: int(v) for k, v in re.findall(r"(\w+) (\d+)", out)}


def bw_diag(a, b, tool, extra, n, size=None):
    ha, sa, sb = host_udp(), rxe_stats(a), rxe_stats(b)
    t = time.monotonic()
    try:
        r = pt.run_pair(b, a, tool, extra, n=n, size=size, target="192.0.2.2",
                        timeout=90)
        log("  %s %s -s %s: %.1f MB/s (%.0fs)" % (
            tool, extra, size, r["mb_per_s"], time.monotonic() - t))
    except pt.PerftestError as e:
        log("  %s %s: FAILED: %s" % (tool, extra, str(e)[:300]))
    ha2, sa2, sb2 = host_udp(), rxe_stats(a), rxe_stats(b)
    log("    host UDP: %s" % {k: ha2[k] - ha[k] for k in ha})
    for name, x, y in (("alpha", sa, sa2), ("bravo", sb, sb2)):
        log("    %s rxe: %s" % (name, {k: y[k] - x.get(k, 0) for k in y
                                      if y[k] != x.get(k, 0)}))


def exp_bwdiag(a, b):
    bw_diag(a, b, "ib_send_bw", "-R -e", 100)
    bw_diag(a, b, "ib_send_bw", "-R -e -t 4", 100)
    bw_diag(a, b, "ib_send_bw", "-R -e -t 1", 100)
    bw_diag(a, b, "ib_send_bw", "-R -e -t 4", 24, size=1 << 20)
    bw_diag(a, b, "ib_send_bw", "-R -e", 24, size=1 << 20)


def exp_bwquick(a, b):
    bw_diag(a, b, "ib_send_bw", "-R -e", 100)
    bw_diag(a, b, "ib_send_bw", "-R -e", 16, size=1 << 20)


def exp_lat2(a, b):
    lat(a, b, "ib_send_lat", "-R -e", n=200)
    lat(a, b, "ib_send_lat", "-R -e -s 4096", n=200)
    lat(a, b, "ib_send_lat", "-R -s 4096", n=200)
    lat(a, b, "ib_send_lat", "-R -e", server=a, client=a,
        target="192.0.2.1")
    sh(a, "ping -c 100 -i 0.02 -q 192.0.2.2", timeout=60)


def exp_hostload(a, b):
    """Host CPU contention: two busy loops on the 2-core host (bounded)."""
    import subprocess
    hogs = [subprocess.Popen(["timeout", "25", "sh", "-c", "while :; do :; "
                              "done"]) for _ in range(2)]
    try:
        lat(a, b, "ib_write_lat", "-R", n=200)
        lat(a, b, "ib_send_lat", "-R -e", n=200)
        sh(a, "ping -c 50 -i 0.02 -q 192.0.2.2", timeout=60)
    finally:
        for h in hogs:
            h.kill()
            h.wait()


EXPERIMENTS = [("ping", exp_ping), ("nic", exp_nic),
               ("lat", exp_lat_variants), ("loopback", exp_lat_loopback),
               ("mtu", exp_mtu), ("ksoftirqd", exp_ksoftirqd),
               ("nice", exp_nice), ("sched", exp_sched), ("rt", exp_rt),
               ("bw", exp_bw), ("bwdiag", exp_bwdiag),
               ("bwquick", exp_bwquick), ("lat2", exp_lat2),
               ("hostload", exp_hostload)]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cpus", type=int, default=1)
    ap.add_argument("--only", default="")
    ap.add_argument("--netdev", choices=("unix", "udp", "tcp"),
                    default="unix",
                    help="the guests' link: unix (the harness's default, "
                         "AF_UNIX datagrams), udp (TANDEM_VM_LINK=udp) or "
                         "tcp: QEMU's TCP socket "
                         "netdev (listen=/connect=) instead of the "
                         "datagram one, to compare")
    ap.add_argument("--tandem", action="store_true",
                    help="install tandem (needed for the self-test)")
    args = ap.parse_args()
    only = [s for s in args.only.split(",") if s]
    workdir = os.path.join(ROOT, "build", "bench", "rxe-%s" %
                           time.strftime("%Y%m%d-%H%M%S"))
    os.makedirs(workdir, exist_ok=True)
    guests = tandemvm.make_pair(
        workdir, mem_mib=1024,
        link="unix" if args.netdev == "unix" else "udp")
    for g in guests:
        g.cpus = args.cpus
    if args.netdev == "tcp":
        port = tandemvm.free_udp_port()
        for g, how in zip(guests, ("listen", "connect")):
            def cmdline(ctl, qmp, g=g, how=how,
                        orig=g.qemu_cmdline):
                cmd = orig(ctl, qmp)
                i = cmd.index("-netdev") + 1
                cmd[i] = "socket,id=n0,%s=127.0.0.1:%d" % (how, port)
                return cmd
            g.qemu_cmdline = cmdline
    try:
        for g in guests:
            g.launch()
            time.sleep(2)
        for g in guests:
            g.wait_ready()
        a, b = guests
        log("guests up, %d vCPU each" % args.cpus)
        for g in guests:
            if args.tandem:
                g.check("make -s -C %s install && modprobe tandem" % ROOT,
                        timeout=300)
            g.transport = "rdma"
            tc.setup_fabric(g)
        for name, fn in EXPERIMENTS:
            if only and name not in only:
                continue
            log("=== %s" % name)
            t = time.monotonic()
            try:
                fn(a, b)
            except tandemvm.VMError as e:
                log("  %s: VMError %s" % (name, str(e)[:600]))
            log("=== %s done in %.0fs" % (name, time.monotonic() - t))
    finally:
        for g in guests:
            g.shutdown()
        for g in guests:
            bad = g.kernel_errors(since_boot_start=True)
            if bad:
                log("KERNEL PROBLEM on %s: %s" % (g.name, bad[:10]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
