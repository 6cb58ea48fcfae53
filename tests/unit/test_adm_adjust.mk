TESTS += test_adm_adjust
test_adm_adjust_SRCS = $(addprefix $(TOP)/utils/adm/,conf.c conf_lex.c conf_opts.c conf_file.c conf_check.c conf_dump.c util.c \
	plan.c running.c \
	json.c state.c)
test_adm_adjust: $(wildcard $(TOP)/utils/adm/*.h)
