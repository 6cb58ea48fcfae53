TESTS += test_md_layout
test_md_layout_SRCS = $(TOP)/kernel/lib/md_layout.c
