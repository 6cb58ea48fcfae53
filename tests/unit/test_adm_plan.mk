TESTS += test_adm_plan
test_adm_plan_SRCS = $(addprefix $(TOP)/utils/adm/,cli.c conf.c plan.c \
	running.c json.c state.c)
test_adm_plan: $(wildcard $(TOP)/utils/adm/*.h) $(wildcard conf/*.conf)
