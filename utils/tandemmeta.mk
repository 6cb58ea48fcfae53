PROGS += tandemmeta
TANDEMMETA_OBJS = tandemmeta.o $(patsubst %.c,%.o,$(wildcard meta/*.c))
tandemmeta: $(TANDEMMETA_OBJS) $(COMMON_OBJS) $(KLIB_OBJS)
	$(CC) $(LDFLAGS) -o $@ $^

# The fragments are included before the Makefile's `all' rule, so without
# this the first program's rule would be what a bare `make' builds.
