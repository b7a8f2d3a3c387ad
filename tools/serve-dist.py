#!/usr/bin/env python3
"""Serve a built dist/ on loopback: `tools/serve-dist.py PORT DIR`.

Trunk's hashed file names (and the rest of the wasm, fetched with `?v=` and
its hash) never change, so a browser may keep them for good: a return visit
then takes them, and the wasm the browser compiled from them, from its
caches. Anything else (index.html, the split's snippet) is checked every
time. e2e/lib/harness.mjs serves the tests the same way, and
e2e/tests/split.test.mjs checks the two agree.
"""
import functools
import http.server
import re
import sys

# Trunk writes its 64-bit hash without leading zeros: 16 hex digits, sometimes fewer.
HASHED = re.compile(r"-[0-9a-f]{8,16}(_bg)?\.\w+$|\?v=[0-9a-f]+$")


class Handler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map, ".wasm": "application/wasm"}

    def end_headers(self):
        forever = HASHED.search(self.path)
        self.send_header("Cache-Control", "public, max-age=31536000, immutable" if forever else "no-cache")
        super().end_headers()


def main():
    port, root = int(sys.argv[1]), sys.argv[2]
    handler = functools.partial(Handler, directory=root)
    http.server.ThreadingHTTPServer(("127.0.0.1", port), handler).serve_forever()


if __name__ == "__main__":
    main()
