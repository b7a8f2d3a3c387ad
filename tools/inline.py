#!/usr/bin/env python3
"""Puts the page's start-up code and stylesheet inside index.html: `inline.py DIST`.

Trunk links the stylesheet, wasm-bindgen's glue and the split's snippet as files.
A module script waits for the stylesheets before it runs, and each file is a
request the browser queues, so on a first visit the wasm's start waited for up
to three requests beside its own. Here esbuild (npm devDependency) bundles
Trunk's start-up script with the glue and snippet it imports into one minified
module, and index.html carries it and the stylesheet; the wasm is then the one
request the first screen waits for, and its preload comes first in <head>.
The files inlined are removed from DIST, so nothing can fetch a stale copy.
"""
import os
import re
import shutil
import subprocess
import sys

dist = sys.argv[1]
index = os.path.join(dist, "index.html")
html = open(index, encoding="utf-8").read()


def one(pattern, what):
    found = list(re.finditer(pattern, html, flags=re.S))
    if len(found) != 1:
        sys.exit(f"inline.py: expected one {what} in {index}, found {len(found)}")
    return found[0]


script = one(r"<script type=\"?module\"?>(.*?)</script>", "start-up module script")
style = one(r"<link\b[^>]*\bhref=\"?\./(style-[\w-]+\.css)\"?[^>]*>", "stylesheet link")
preload = one(r"<link\b[^>]*\bas=\"?fetch\"?[^>]*_bg\.wasm[^>]*>", "wasm preload link")

esbuild = shutil.which("esbuild") or sys.exit("inline.py: esbuild is not on PATH (tools/env.sh)")
bundle = subprocess.run(
    [esbuild, "--bundle", "--format=esm", "--minify", "--log-level=error",
     "--sourcefile=index.html"],
    # esbuild resolves stdin's imports from its working directory.
    input=script.group(1), capture_output=True, text=True, check=False, cwd=dist,
)
if bundle.returncode != 0:
    sys.exit(f"inline.py: esbuild failed:\n{bundle.stderr}")
code = bundle.stdout.strip()
css = open(os.path.join(dist, style.group(1)), encoding="utf-8").read().strip()
# Text that would end its element early cannot be inlined as it is.
if re.search(r"</script", code, re.I) or re.search(r"</style", css, re.I):
    sys.exit("inline.py: the bundle or the stylesheet closes its own element")

inlined = {script.group(0): f"<script type=module>{code}</script>",
           style.group(0): f"<style>{css}</style>",
           preload.group(0): ""}
out = re.sub("|".join(map(re.escape, inlined)), lambda m: inlined[m.group(0)], html)
# The module preloads named files that are now inside the page.
out = re.sub(r"<link\b[^>]*\brel=\"?modulepreload\"?[^>]*>", "", out)
# The wasm first: the browser starts its request before reading the rest.
out = out.replace("<meta charset=utf-8>", "<meta charset=utf-8>" + preload.group(0), 1)
if preload.group(0) not in out:
    sys.exit("inline.py: no <meta charset=utf-8> to put the wasm preload after")
open(index, "w", encoding="utf-8").write(out)

os.remove(os.path.join(dist, style.group(1)))
for name in os.listdir(dist):
    if name.endswith(".js"):
        os.remove(os.path.join(dist, name))
shutil.rmtree(os.path.join(dist, "snippets"), ignore_errors=True)
