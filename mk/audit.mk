# `arandu-authz audit` reads gzip-compressed (rotated) audit logs through zlib.
DEPS   += zlib1g-dev
CFLAGS += $(shell pkg-config --cflags zlib 2>/dev/null)
LDLIBS += $(shell pkg-config --libs zlib 2>/dev/null)
