TESTS += test_setup_args
test_setup_args_SRCS = $(addprefix $(TOP)/utils/setup/,parse.c options.c \
	verbs.c msg.c objparse.c fields.c format.c nl.c) \
	$(TOP)/kernel/lib/names.c $(TOP)/kernel/lib/state_names.c \
	$(TOP)/kernel/lib/after_sb.c
test_setup_args_LIBS = $(shell pkg-config --libs libnl-genl-3.0) -pthread
test_setup_args: CFLAGS += $(shell pkg-config --cflags libnl-genl-3.0) -pthread
test_setup_args: $(wildcard $(TOP)/utils/setup/*.h)
