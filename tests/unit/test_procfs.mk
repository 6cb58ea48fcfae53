TESTS += test_procfs
test_procfs_SRCS = $(TOP)/utils/common/procfs.c
