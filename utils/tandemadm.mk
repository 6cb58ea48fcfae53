# tandemadm: the configuration file (adm/conf.c) and the verbs, as plans
# of tandemsetup/tandemmeta command lines (adm/plan.c).
PROGS += tandemadm
tandemadm_OBJS = tandemadm.o $(patsubst %.c,%.o,$(wildcard adm/*.c))
tandemadm: $(tandemadm_OBJS) $(COMMON_OBJS) $(KLIB_OBJS)
	$(CC) $(LDFLAGS) -o $@ $^
