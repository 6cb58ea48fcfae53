TESTS += test_state_names
test_state_names_SRCS = $(TOP)/kernel/lib/state_names.c
