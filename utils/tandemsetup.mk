# tandemsetup: low-level control over generic netlink (libnl-genl-3).
PROGS += tandemsetup
LIBNL_CFLAGS := $(shell pkg-config --cflags libnl-genl-3.0)
LIBNL_LIBS := $(shell pkg-config --libs libnl-genl-3.0)
CFLAGS += $(LIBNL_CFLAGS)
tandemsetup_OBJS = tandemsetup.o $(patsubst %.c,%.o,$(wildcard setup/*.c))
tandemsetup: $(tandemsetup_OBJS) $(COMMON_OBJS) $(KLIB_OBJS)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBNL_LIBS)

# Fragments come before the Makefile's `all' rule: keep `all' the goal
# of a bare `make' whatever the other fragments do.
