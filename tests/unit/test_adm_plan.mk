TESTS += test_adm_plan
test_adm_plan_SRCS = $(addprefix $(TOP)/utils/adm/,cli.c conf.c conf_lex.c conf_opts.c conf_file.c conf_check.c conf_dump.c util.c \
	plan.c \
	running.c json.c state.c)
test_adm_plan: $(wildcard $(TOP)/utils/adm/*.h) $(wildcard conf/*.conf)
