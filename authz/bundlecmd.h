/* `arandu-authz bundle keygen|sign|verify`: make and check signed policy bundles. */
#pragma once

int bundle_main(int argc, char **argv);
