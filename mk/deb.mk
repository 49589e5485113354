# `make deb`: the Debian package (debhelper), checked with lintian: build/deb/arandu-authz_VERSION_ARCH.deb.
# `make e2e-systemd` installs it in a Debian 12 booted with systemd-nspawn (tests/e2e/systemd.sh).

# debhelper and lintian, and debian/control's Build-Depends.
DEB_TOOLS := debhelper dpkg-dev lintian gcc libc6-dev make pkg-config libmicrohttpd-dev libjansson-dev \
             libcurl4-openssl-dev libssl-dev

.PHONY: deb
deb:
	$(call install_missing,$(DEB_TOOLS))
	@deploy/deb.sh $(B)/deb

.PHONY: e2e-systemd
e2e-systemd: deb
	$(call install_missing,debootstrap systemd-container)
	@tests/e2e/systemd.sh $(B)/deb/arandu-authz_$(shell sed -n 's/^#define VERSION "\(.*\)"$$/\1/p' authz/version.h)_$(shell dpkg --print-architecture).deb $(B)

TEST_TARGETS += e2e-systemd
