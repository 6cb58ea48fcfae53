TESTS += test_lib
test_lib_SRCS = $(TOP)/kernel/lib/names.c $(TOP)/kernel/lib/proto.c
