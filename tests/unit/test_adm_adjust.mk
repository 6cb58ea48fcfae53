TESTS += test_adm_adjust
test_adm_adjust_SRCS = $(addprefix $(TOP)/utils/adm/,conf.c plan.c running.c \
	json.c state.c)
test_adm_adjust: $(wildcard $(TOP)/utils/adm/*.h)
