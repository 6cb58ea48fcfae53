TESTS += test_after_sb
test_after_sb_SRCS = $(TOP)/kernel/lib/after_sb.c
