TESTS += test_al
test_al_SRCS = $(TOP)/kernel/lib/al.c $(TOP)/kernel/lib/md_layout.c
