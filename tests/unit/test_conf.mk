TESTS += test_conf
CONF_SRCS = $(addprefix $(TOP)/utils/adm/,conf.c conf_lex.c conf_opts.c conf_file.c conf_check.c conf_dump.c util.c)
test_conf_SRCS = $(CONF_SRCS)
test_conf: $(wildcard $(TOP)/utils/adm/conf*.h) $(wildcard conf/*.conf)

# libFuzzer harness for the parser (clang only, not part of `all`/`run`):
#   make fuzz_conf        build it (skipped with a note without clang)
#   make fuzz_conf_run    run it for FUZZ_TIME seconds from the fixtures
FUZZ_CC ?= clang
FUZZ_TIME ?= 60
FUZZ_CFLAGS = -std=c11 -D_GNU_SOURCE -g -O1 -Wall -Wextra -Werror \
	-I../.. -I../../utils -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=undefined

fuzz_conf: fuzz_conf.c $(CONF_SRCS) $(wildcard $(TOP)/utils/adm/conf*.h)
	@if command -v $(FUZZ_CC) >/dev/null 2>&1; then \
		echo "$(FUZZ_CC) ... -o $@ fuzz_conf.c conf*.c util.c"; \
		$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ fuzz_conf.c $(CONF_SRCS); \
	else \
		echo "fuzz_conf: $(FUZZ_CC) not found (apt-get install clang); skipped"; \
	fi

fuzz_conf_run: fuzz_conf
	@test -x fuzz_conf || { echo "fuzz_conf not built"; exit 1; }
	mkdir -p fuzz_conf.corpus fuzz_conf.crashes
	./fuzz_conf -max_total_time=$(FUZZ_TIME) -max_len=4096 \
		-artifact_prefix=fuzz_conf.crashes/ fuzz_conf.corpus conf

fuzz_conf_clean:
	rm -rf fuzz_conf fuzz_conf.corpus fuzz_conf.crashes

clean: fuzz_conf_clean

.PHONY: fuzz_conf_run fuzz_conf_clean
