#!/usr/bin/env python3
"""Writes the PTX held by the gpu.binary of an MLIR file (format=isa)."""
import re
import sys

text = open(sys.argv[1]).read()
m = re.search(r'assembly = "(.*?)"', text, re.S)
if not m:
    sys.exit("no assembly object in " + sys.argv[1])
raw = re.sub(r"\\([0-9A-Fa-f]{2})", lambda x: chr(int(x.group(1), 16)), m.group(1))
open(sys.argv[2], "w").write(raw.replace("\\\\", "\\").replace("\x00", ""))
