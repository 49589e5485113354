# `make install` / `make uninstall`: the binary, the systemd units, the man page, the logrotate
# config (when deploy/logrotate exists), the README and the example configuration files.
#
#   make install                              binary in /usr/local/bin, units in /lib/systemd/system
#   make install PREFIX=/usr DESTDIR=/tmp/pkg  staged for a package
#   make install UNITDIR=/etc/systemd/system   units elsewhere
# The units' ExecStart= and Documentation= follow BINDIR and DOCDIR.  Nothing outside these files
# is touched: no systemctl call, no policy file is written (see docs/admin.md, "Deployment").
# `make e2e-deploy` checks install/uninstall into a temporary DESTDIR and socket activation through
# systemd-socket-activate (tests/e2e/deploy.sh).

BINDIR       ?= $(PREFIX)/bin
UNITDIR      ?= /lib/systemd/system
DOCDIR       ?= $(PREFIX)/share/doc/arandu-authz
MANDIR       ?= $(PREFIX)/share/man
LOGROTATEDIR ?= /etc/logrotate.d
UNITS        := arandu-authz.service arandu-authz.socket
DOCS         := README.md deploy/daemon.json deploy/arandu-authz.spec
DOC_PAGES    := $(wildcard docs/*.md)

DEPS += systemd python3 jq man-db

.PHONY: install uninstall e2e-deploy e2e-ops

install: $(B)/arandu-authz
	install -D -m 0755 $(B)/arandu-authz $(DESTDIR)$(BINDIR)/arandu-authz
	@set -e; for u in $(UNITS); do \
	  echo "install deploy/$$u -> $(DESTDIR)$(UNITDIR)/$$u"; \
	  mkdir -p $(DESTDIR)$(UNITDIR); \
	  sed -e 's|/usr/local/bin/arandu-authz|$(BINDIR)/arandu-authz|g' \
	      -e 's|/usr/local/share/doc/arandu-authz|$(DOCDIR)|g' deploy/$$u >$(DESTDIR)$(UNITDIR)/$$u.tmp; \
	  chmod 0644 $(DESTDIR)$(UNITDIR)/$$u.tmp; mv $(DESTDIR)$(UNITDIR)/$$u.tmp $(DESTDIR)$(UNITDIR)/$$u; \
	done
	@if [ -f deploy/logrotate ]; then \
	  echo "install deploy/logrotate -> $(DESTDIR)$(LOGROTATEDIR)/arandu-authz"; \
	  install -D -m 0644 deploy/logrotate $(DESTDIR)$(LOGROTATEDIR)/arandu-authz; \
	fi
	@set -e; for d in $(DOCS); do install -D -m 0644 $$d $(DESTDIR)$(DOCDIR)/$${d##*/}; done
	@set -e; for d in $(DOC_PAGES); do install -D -m 0644 $$d $(DESTDIR)$(DOCDIR)/$$d; done
	install -D -m 0644 docs/arandu-authz.8 $(DESTDIR)$(MANDIR)/man8/arandu-authz.8
	@echo "installed; next: put the policy in /etc/arandu-authz/policy.json, then" \
	      "systemctl daemon-reload && systemctl enable --now arandu-authz.socket arandu-authz.service"

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/arandu-authz
	rm -f $(addprefix $(DESTDIR)$(UNITDIR)/,$(UNITS))
	rm -f $(DESTDIR)$(LOGROTATEDIR)/arandu-authz
	rm -f $(DESTDIR)$(MANDIR)/man8/arandu-authz.8
	rm -f $(addprefix $(DESTDIR)$(DOCDIR)/,$(notdir $(DOCS)) $(DOC_PAGES))
	-rmdir $(DESTDIR)$(DOCDIR)/docs 2>/dev/null
	-rmdir $(DESTDIR)$(DOCDIR) 2>/dev/null

e2e-deploy: $(B)/arandu-authz
	@tests/e2e/deploy.sh $(B)/arandu-authz

e2e-ops: $(B)/arandu-authz
	@tests/e2e/ops.sh $(B)/arandu-authz

TEST_TARGETS += e2e-deploy e2e-ops
