PROGS += tandemadm
tandemadm: tandemadm.o $(COMMON_OBJS) $(KLIB_OBJS)
	$(CC) $(LDFLAGS) -o $@ $^
