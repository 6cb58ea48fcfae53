TESTS += test_sync_decide
test_sync_decide_SRCS = $(TOP)/kernel/lib/sync_decide.c
