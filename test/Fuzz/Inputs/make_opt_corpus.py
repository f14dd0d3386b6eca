"""Seed corpus of skipattn-opt-fuzzer from the MLIR tests and examples.

Every `// -----` chunk of every .mlir file under the given roots becomes one
input per pass or pipeline the fuzzer knows (first line: the pipeline with
default options, then the chunk), so fuzzing starts from IR that reaches
each pass. Usage: make_opt_corpus.py OUT_DIR ROOT...
"""

import hashlib
import os
import sys

STEPS = [
    "skipattn-cpu-pipeline", "skipattn-cpu-pipeline{to-llvm=false pack-gqa=true}",
    "skipattn-hopper-pipeline", "skipattn-aic-pipeline",
    "skipattn-hopper-pipeline{pingpong=true block-kv=176}",
    "skipattn-hopper-pipeline{block-q=192 warp-specialize=false}",
    "skipattn-aic-pipeline{num-kv-blocks=3 prefill-factor=100 decode-factor=10}",
    "skipattn-tile", "skipattn-tile{block-q=16 block-kv=32 pack-gqa=true}",
    "skipattn-insert-skip-predicates", "convert-skipattn-to-cpu",
    "skipattn-gpu-select-schedule", "convert-skipattn-to-skipattn-gpu",
    "skipattn-gpu-select-schedule{block-q=192 stages=3 pingpong=true}",
    "skipattn-gpu-verify-protocol", "convert-skipattn-gpu-to-nvvm",
    "skipattn-legalize-nvvm-kernel-abi",
    "skipattn-aic-block-kv", "convert-skipattn-to-aic", "canonicalize",
]

out, roots = sys.argv[1], sys.argv[2:]
os.makedirs(out, exist_ok=True)
count = 0
for root in roots:
    for d, _, files in sorted(os.walk(root)):
        for f in sorted(files):
            if not f.endswith(".mlir"):
                continue
            text = open(os.path.join(d, f)).read()
            for chunk in text.split("// -----"):
                if "func.func" not in chunk and "gpu.module" not in chunk:
                    continue
                for step in STEPS:
                    data = (step + "\n" + chunk).encode()
                    name = hashlib.sha1(data).hexdigest()
                    with open(os.path.join(out, name), "wb") as o:
                        o.write(data)
                    count += 1
print(f"wrote {count} inputs to {out}")
