TESTS += test_adm_overview
test_adm_overview_SRCS = $(addprefix $(TOP)/utils/adm/,overview.c json.c util.c) \
	$(TOP)/utils/common/procfs.c
test_adm_overview: $(wildcard $(TOP)/utils/adm/*.h)
