# `make plugin`: package arandu-authz as a Docker managed plugin (plugin-config/) and create it on
# the dockerd that DOCKER_HOST names (default: the local one).  No image and no registry: the
# rootfs is our binary plus the shared libraries ldd lists (plugin-config/build.sh).
#
#   make plugin                                   creates plugin arandu-authz:latest
#   make plugin PLUGIN_NAME=me/authz:1 DOCKER_HOST=unix:///run/other.sock
#   make plugin PLUGIN_POLICY_DIR=/srv/authz      other host paths, fixed at build time
# Then: docker plugin enable NAME, and "authorization-plugins": ["NAME"] in daemon.json.
# `make e2e-plugin` (tests/e2e/managed-plugin.sh) does all of it against a private dockerd.

PLUGIN_NAME ?= arandu-authz:latest
PLUGIN_DIR  ?= $(B)/plugin

.PHONY: plugin plugin-dir e2e-plugin

plugin-dir: $(B)/arandu-authz
	plugin-config/build.sh $(B)/arandu-authz $(PLUGIN_DIR)

plugin: plugin-dir
	docker plugin create $(PLUGIN_NAME) $(PLUGIN_DIR)

e2e-plugin: $(B)/arandu-authz
	@tests/e2e/managed-plugin.sh $(B)/arandu-authz

TEST_TARGETS += e2e-plugin
