"""Rewrites the Subresource Integrity hash Trunk put on the wasm's preload link in
index.html, after tools/env.sh replaced the wasm with its split first part."""
import base64
import hashlib
import os
import re
import sys

html_path, wasm_path = sys.argv[1:3]
digest = hashlib.sha384(open(wasm_path, "rb").read()).digest()
sri = "sha384-" + base64.b64encode(digest).decode()
html = open(html_path, encoding="utf-8").read()
name = re.escape(os.path.basename(wasm_path))
tag = re.compile(r"<link\b[^>]*" + name + r"[^>]*>")
found = tag.search(html)
if not found or "integrity=" not in found.group(0):
    sys.exit(f"integrity.py: no <link … integrity=…> for {wasm_path} in {html_path}")
new_tag = re.sub(r'integrity=("?)sha384-[A-Za-z0-9+/=]+\1', lambda m: f"integrity={m.group(1)}{sri}{m.group(1)}", found.group(0))
html = html[: found.start()] + new_tag + html[found.end() :]
open(html_path, "w", encoding="utf-8").write(html)
