"""Rewrites the Subresource Integrity hashes Trunk put on index.html's links after
tools/env.sh changed the files (the split wasm, the minified JS).
Usage: integrity.py INDEX.html FILE..."""
import base64
import hashlib
import os
import re
import sys

html_path, *files = sys.argv[1:]
html = open(html_path, encoding="utf-8").read()
for path in files:
    digest = hashlib.sha384(open(path, "rb").read()).digest()
    sri = "sha384-" + base64.b64encode(digest).decode()
    name = re.escape(os.path.basename(path))
    found = re.search(r"<link\b[^>]*" + name + r"[^>]*>", html)
    if not found or "integrity=" not in found.group(0):
        sys.exit(f"integrity.py: no <link … integrity=…> for {path} in {html_path}")
    tag = re.sub(
        r'integrity=("?)sha384-[A-Za-z0-9+/=]+\1',
        lambda m: f"integrity={m.group(1)}{sri}{m.group(1)}",
        found.group(0),
    )
    html = html[: found.start()] + tag + html[found.end() :]
open(html_path, "w", encoding="utf-8").write(html)
