# SPDX-License-Identifier: GPL-2.0
#
# tandem - top-level build. `make help` lists the targets.

# Debian's kernel headers (linux-headers-amd64), not the running kernel:
# the modules run in QEMU guests booting that Debian kernel.
# Expanded once (:=): every use of a recursive $(shell) would run
# dpkg-query again.
ifeq ($(origin KVER),undefined)
KVER := $(shell dpkg-query -W -f='$${Depends}' linux-headers-amd64 2>/dev/null | \
	  sed -n 's/^linux-headers-\([^ ,]*\) .*/\1/p')
endif
KDIR ?= /lib/modules/$(KVER)/build
TANDEM_CACHE ?= $(CURDIR)/.cache
PYTHON ?= /usr/bin/python3
DESTDIR ?=
PREFIX ?= /usr
MODDIR = $(DESTDIR)/lib/modules/$(KVER)/updates/tandem
PYTEST_ARGS ?=

KMODS = kernel/tandem.ko transport-tcp/tandem_transport_tcp.ko \
	transport-rdma/tandem_transport_rdma.ko

# Debian packages the project needs to build, test and benchmark.
DEB_PACKAGES = build-essential bc bison flex libelf-dev pkg-config kmod cpio \
	linux-headers-amd64 sparse qemu-system-x86 busybox-static \
	libnl-3-dev libnl-genl-3-dev libibverbs-dev librdmacm-dev rdma-core \
	ibverbs-utils perftest fio iproute2 iputils-ping e2fsprogs dmsetup \
	libcmocka-dev python3 python3-pytest drbd-utils xz-utils groff-base clang

export TANDEM_CACHE

.PHONY: all modules utils check unit fuzz clitest vmtest test demo deps install \
	install-modules install-utils uninstall clean help bench-quick

all: modules utils

help:
	@echo "make deps      install Debian packages, fetch the guest kernel"
	@echo "make           build the kernel modules and the utilities"
	@echo "make test      static checks, unit tests, VM tests"
	@echo "make check     W=1 + sparse build of the modules, fails on warnings"
	@echo "make unit      cmocka unit tests only"
	@echo "make fuzz      the config parser under libFuzzer (FUZZ_TIME=30 s)"
	@echo "make clitest   host-side tests of the utilities"
	@echo "make vmtest    VM tests only (PYTEST_ARGS='-k name' to pick)"
	@echo "make demo      two nodes with tandemadm: sync, ext4, crash, failover"
	@echo "make install   install modules (modprobe tandem), utilities, man pages"
	@echo "make bench-quick  tandem vs raw disk, raw TCP and DRBD 8.4 in two guests (~5 min)"

modules:
	@test -n "$(KVER)" || { echo "no linux-headers-amd64: run make deps" >&2; exit 1; }
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

utils:
	$(MAKE) -C utils

# Rebuild every module file with W=1 and sparse; any warning in our own
# sources fails the check.
check:
	@test -n "$(KVER)" || { echo "no linux-headers-amd64: run make deps" >&2; exit 1; }
	@mkdir -p build
	@echo "check: W=1 + sparse build of the modules (log: build/check.log)"
	@$(MAKE) -C $(KDIR) M=$(CURDIR) W=1 C=2 modules > build/check.log 2>&1 || \
		{ cat build/check.log; exit 1; }
	@if grep -E '(warning|error):' build/check.log | grep -F '$(CURDIR)/'; then \
		echo "check: warnings in our code (full log: build/check.log)" >&2; \
		exit 1; fi
	@echo "check: W=1 and sparse clean ($(words $(KMODS)) modules)"

unit:
	$(MAKE) -C tests/unit run

# Host-side tests of the utilities (no kernel needed).
clitest: utils
	$(PYTHON) -m pytest -v -p no:cacheprovider tests/cli $(PYTEST_ARGS)

vmtest: all
	@test -e $(TANDEM_CACHE)/kernel/current || \
		{ echo "no guest kernel: run make deps" >&2; exit 1; }
	$(PYTHON) -m pytest -v -p no:cacheprovider --durations=30 tests/vm $(PYTEST_ARGS)

# The configuration parser under libFuzzer, bounded in time (log in build/).
FUZZ_TIME ?= 30
fuzz:
	@mkdir -p build
	@echo "fuzz: the tandemadm configuration parser for $(FUZZ_TIME) s (log: build/fuzz.log)"
	@$(MAKE) -s -C tests/unit fuzz_conf_run FUZZ_TIME=$(FUZZ_TIME) \
		>build/fuzz.log 2>&1 || { tail -40 build/fuzz.log; exit 1; }
	@grep -E "^Done [0-9]+ runs" build/fuzz.log || { tail -20 build/fuzz.log; exit 1; }

test: all check unit fuzz clitest vmtest

demo: all
	$(PYTHON) tests/vm/demo.py

# Benchmark (not part of `make test`): docs/BENCHMARKS.md.
bench-quick: all
	@test -e $(TANDEM_CACHE)/kernel/current || \
		{ echo "no guest kernel: run make deps" >&2; exit 1; }
	$(PYTHON) bench/bench_quick.py

deps:
	@missing=$$(for p in $(DEB_PACKAGES); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | \
		grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "deps: installing $$missing"; \
		apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
			--no-install-recommends $$missing >/dev/null || exit 1; \
	fi
	@tests/vm/fetch-kernel.sh $(TANDEM_CACHE)

install: install-modules install-utils
	$(MAKE) -C man install DESTDIR=$(DESTDIR) PREFIX=$(PREFIX)

install-modules:
	@for m in $(KMODS); do test -e $$m || \
		{ echo "$$m not built: run make first" >&2; exit 1; }; done
	install -d $(MODDIR)
	install -m 644 $(KMODS) $(MODDIR)/
	depmod -a $(if $(DESTDIR),-b $(DESTDIR)) $(KVER)

install-utils:
	$(MAKE) -C utils install DESTDIR=$(DESTDIR) PREFIX=$(PREFIX)

uninstall:
	rm -rf $(MODDIR)
	depmod -a $(if $(DESTDIR),-b $(DESTDIR)) $(KVER)
	$(MAKE) -C utils uninstall DESTDIR=$(DESTDIR) PREFIX=$(PREFIX)
	$(MAKE) -C man uninstall DESTDIR=$(DESTDIR) PREFIX=$(PREFIX)

clean:
	-$(MAKE) -C $(KDIR) M=$(CURDIR) clean
	$(MAKE) -C utils clean
	$(MAKE) -C tests/unit clean
	rm -rf build
