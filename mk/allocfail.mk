# Allocation-failure sweep: tests/unit/test_allocfail.c is one of the unit tests
# (`make unit` runs it), linked so that the library's own malloc/calloc/realloc/strdup/strndup calls
# go through the test's failing wrappers (GNU ld --wrap); jansson's go through json_set_alloc_funcs.
# A target-specific variable, so that every build of it (the normal one, check-asan's, valgrind's)
# gets the flags.
ALLOCFAIL_WRAP := -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=strdup,--wrap=strndup
$(B)/tests/test_allocfail: LDFLAGS += $(ALLOCFAIL_WRAP)
