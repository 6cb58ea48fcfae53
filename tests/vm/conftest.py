# SPDX-License-Identifier: GPL-2.0
"""pytest fixtures for tandem VM tests.

  guest  one guest, "alpha", with a 64 MiB disk "data" (/dev/vda)
  guest_module  the same, shared by the tests of one module
  pair   alpha (192.0.2.1) and bravo (192.0.2.2) joined by a virtual
         Ethernet with MTU 9000, each with a 64 MiB disk "data" and
         tandem's modules staged in /lib/modules (Guest(staged=True))
  root   the source tree as the guests see it (the host's own path)

After every test the consoles of the guests it used are scanned: a kernel
BUG/WARNING/Oops/Call Trace/hung task/lockdep/GPF line fails the test and
shows the console tail. Guests are powered off at teardown, and the
console is scanned once more.

Two guards keep a bad run short, so that it ends and reports: in a module
whose tests build on each other's state (it sets STOP_AFTER_FAILURE =
True), once a test fails the later ones of the same pair (module and
transport) fail at once instead of waiting out their timeouts on guests
in an unknown state; and no test starts once the run has used
TANDEM_VM_BUDGET seconds (default 4800), each failing with that reason.

At the end the run prints the wall time each module took (setup,
call and teardown of its tests, boots included), so a slow CI run shows
where its time went.
"""
import os
import sys
import time

import pytest

sys.path.insert(0, os.path.dirname(__file__))
import tandemvm  # noqa: E402


def _guests_of(item):
    found = []
    for value in getattr(item, "funcargs", {}).values():
        if isinstance(value, tandemvm.Guest):
            found.append(value)
        elif isinstance(value, (list, tuple)):
            found.extend(v for v in value if isinstance(v, tandemvm.Guest))
    return found


_START = time.monotonic()
BUDGET = float(os.environ.get("TANDEM_VM_BUDGET", "4800"))
_failed_modules = {}
_module_time = {}


def _chain_of(item):
    """The key of the tests that share @item's guests and state, or None
    if its module's tests do not build on each other."""
    if not getattr(item.module, "STOP_AFTER_FAILURE", False):
        return None
    spec = getattr(item, "callspec", None)
    return (item.module.__name__,
            spec.params.get("transport") if spec else None)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    key = item.nodeid.split("::")[0]
    spent = _module_time.setdefault(key, [0.0, 0])
    spent[0] += rep.duration
    if rep.when == "call":
        spent[1] += 1
    chain = _chain_of(item)
    if rep.failed and rep.when in ("setup", "call") and chain:
        _failed_modules.setdefault(chain, item.nodeid)


def pytest_terminal_summary(terminalreporter):
    if not _module_time:
        return
    tr = terminalreporter
    tr.section("VM time by module")
    total = 0.0
    for mod, (secs, n) in sorted(_module_time.items(),
                                 key=lambda kv: -kv[1][0]):
        tr.write_line("%7.0f s  %3d tests  %s" % (secs, n, mod))
        total += secs
    tr.write_line("%7.0f s  total" % total)


def pytest_runtest_setup(item):
    used = time.monotonic() - _START
    if used > BUDGET:
        pytest.fail("not run: the VM tests used %.0f s of their %.0f s "
                    "budget (TANDEM_VM_BUDGET)" % (used, BUDGET),
                    pytrace=False)
    first = _failed_modules.get(_chain_of(item))
    if first:
        pytest.fail("not run: %s failed and left the guests this module "
                    "shares in an unknown state" % first, pytrace=False)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item):
    yield
    problems = []
    for g in _guests_of(item):
        try:
            g.check_console()
        except tandemvm.GuestKernelError as e:
            problems.append(str(e))
    if problems:
        raise tandemvm.GuestKernelError("\n\n".join(problems))


# The transports every replication suite that asks for `transport` runs
# over, once each (TANDEM_VM_TRANSPORTS=tcp narrows it while debugging).
TRANSPORTS = os.environ.get("TANDEM_VM_TRANSPORTS", "tcp,rdma").split(",")


@pytest.fixture(scope="module", params=TRANSPORTS)
def transport(request):
    return request.param


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "one_transport: the behaviour does not depend on the "
        "transport (role rules, input checks, generations): in a module "
        "run once per transport, only the first transport runs it")


def pytest_collection_modifyitems(config, items):
    """Deselect one_transport tests for every transport but the first."""
    keep, drop = [], []
    for item in items:
        spec = getattr(item, "callspec", None)
        t = spec.params.get("transport") if spec else None
        if (t is not None and t != TRANSPORTS[0] and
                item.get_closest_marker("one_transport")):
            drop.append(item)
        else:
            keep.append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


@pytest.fixture(scope="session")
def kernel():
    return tandemvm.Kernel()


@pytest.fixture(scope="session")
def root():
    return tandemvm.ROOT


def _finish(guests):
    errors = []
    for g in guests:
        g.shutdown()
        try:
            g.check_console()
        except tandemvm.GuestKernelError as e:
            errors.append(str(e))
    if errors:
        pytest.fail("\n\n".join(errors), pytrace=False)


@pytest.fixture
def guest(kernel, tmp_path):
    g = tandemvm.Guest("alpha", str(tmp_path / "alpha"), kernel=kernel,
                       disks=[("data", 64)])
    g.start()
    yield g
    _finish([g])


@pytest.fixture(scope="module")
def guest_module(kernel, tmp_path_factory):
    """One guest shared by the tests of one module (boots once); each test
    must leave it as it found it."""
    g = tandemvm.Guest("alpha", str(tmp_path_factory.mktemp("alpha")),
                       kernel=kernel, disks=[("data", 64)])
    g.start()
    yield g
    _finish([g])


def _boot_pair(kernel, workdir):
    guests = tandemvm.make_pair(workdir, kernel=kernel, disks=[("data", 64)],
                                staged=True)
    try:
        for g in guests:
            g.launch()
        for g in guests:
            g.wait_ready()
    except BaseException:
        for g in guests:
            g.kill()
        raise
    return guests


@pytest.fixture
def pair(kernel, tmp_path):
    guests = _boot_pair(kernel, str(tmp_path))
    yield guests
    _finish(guests)


@pytest.fixture(scope="module")
def pair_module(kernel, tmp_path_factory):
    """A pair shared by the tests of one module (boots once)."""
    guests = _boot_pair(kernel, str(tmp_path_factory.mktemp("pair")))
    yield guests
    _finish(guests)
