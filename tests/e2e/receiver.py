#!/usr/bin/env python3
"""A tiny audit collector for tests/e2e/ops.sh: accepts POSTed JSON-lines bodies on 127.0.0.1.

usage: receiver.py PORTFILE OUTFILE [PORT] [STATUS]
Binds 127.0.0.1:PORT (0: any free port), writes the port to PORTFILE, appends every POST body to
OUTFILE and answers STATUS (default 204).  Records the Content-Type of the last request in
OUTFILE.ctype.  Runs until killed."""
import http.server
import sys


class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(n)
        status = int(sys.argv[4]) if len(sys.argv) > 4 else 204
        if status < 300:
            with open(sys.argv[2], "ab") as f:
                f.write(body)
        with open(sys.argv[2] + ".ctype", "w") as f:
            f.write(self.headers.get("Content-Type", ""))
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


port = int(sys.argv[3]) if len(sys.argv) > 3 else 0
srv = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
with open(sys.argv[1] + ".tmp", "w") as f:
    f.write(str(srv.server_address[1]))
import os
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
srv.serve_forever()
