TESTS += test_rs_ctrl
test_rs_ctrl_SRCS = $(TOP)/kernel/lib/rs_ctrl.c
