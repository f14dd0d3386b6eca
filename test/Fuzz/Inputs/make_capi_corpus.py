"""Seed corpus of skipattn-capi-fuzzer: descriptors in the fuzzer's byte
layout, valid small CPU calls of every dtype and option (compiled and
launched), CUDA and invalid ones (checked only), and raw 64-bit sizes at
the limits. Usage: make_capi_corpus.py OUT_DIR
"""

import itertools
import os
import struct
import sys

out = sys.argv[1]
os.makedirs(out, exist_ok=True)


def size(v):
    if 0 <= v < 64:
        return bytes([v])
    return b"\xc0" + struct.pack("<q", v)


def real(v):
    if v == v and abs(v) < 1e300 and v == int(v) and 0 <= v < 512 and v % 8 == 0:
        return bytes([int(v) // 8])
    return b"\xc0" + struct.pack("<d", v)


def desc(device=0, dtype=0, B=1, Hq=2, Hkv=1, Sq=8, Skv=40, D=16, Dv=None,
         causal=False, scale=None, factor=None, layout=0, min_keep=1,
         lens=False, lse=False, stats=False, compile=True, lens_values=(),
         factor_values=(), seed=7, page=None, q_lens=None):
    flags = ((Dv is not None) | causal << 1 | (scale is not None) << 2 |
             (factor is not None) << 3 | lens << 4 | lse << 5 | stats << 6 |
             compile << 7)
    b = bytes([flags, device, dtype])
    b += b"".join(size(x) for x in (B, Hq, Hkv, Sq, Skv, D))
    if Dv is not None:
        b += size(Dv)
    if scale is not None:
        b += real(scale)
    if factor is not None:
        b += real(factor)
    # Layout bits: 2 a paged cache (page size, pages), 4 left-padded queries.
    bits = (2 if page else 0) | (4 if q_lens is not None else 0)
    b += bytes([layout]) + size(min_keep) + bytes([bits])
    if page:
        b += size(page[0]) + size(page[1])
    b += b"\x00"
    # The salt: the fuzzer compiles a descriptor whose FNV-1a hash over
    # these bytes, mixed by MurmurHash3's finaliser, has its top 7 bits
    # zero; pick one that does, or not.
    M = (1 << 64) - 1
    for salt in range(1 << 16):
        h = 1469598103934665603
        for c in b + struct.pack("<H", salt):
            h = ((h ^ c) * 1099511628211) & M
        h ^= h >> 33
        h = (h * 0xff51afd7ed558ccd) & M
        h ^= h >> 33
        h = (h * 0xc4ceb9fe1a85ec53) & M
        h ^= h >> 33
        if ((h >> 57) == 0) == compile:
            break
    else:
        raise RuntimeError("no salt gives the wanted compile decision")
    b += struct.pack("<H", salt)
    b += struct.pack("<Q", seed)
    b += b"".join(bytes([v]) for v in lens_values)
    b += b"".join(real(v) for v in factor_values)
    if page:
        b += bytes(page[2])
    if q_lens is not None:
        b += bytes(q_lens)
    return b


seeds = []
for dtype, causal, (lens, lse, stats) in itertools.product(
        (0, 1, 2), (False, True), ((False, False, False), (True, True, True))):
    seeds.append(desc(dtype=dtype, causal=causal, lens=lens, lse=lse,
                      stats=stats, lens_values=(30,)))
    seeds.append(desc(dtype=dtype, causal=causal, factor=200.0, B=2, Hq=4,
                      Hkv=2, Sq=1, Skv=60, lens=lens, stats=stats,
                      lens_values=(60, 7)))
for layout in (1, 2, 3, 4):
    seeds.append(desc(layout=layout, B=2, Hq=2, Hkv=1, Sq=4, Skv=63,
                      stats=True, factor_values=(100.0, 0.0, 3.5, -1.0)))
seeds += [
    desc(Dv=8), desc(scale=0.5), desc(min_keep=0, factor=64.0),
    desc(device=1, dtype=2, Sq=63, Skv=63, D=64),   # CUDA: checked only
    desc(device=1, dtype=0), desc(Hq=3, Hkv=2), desc(Sq=0),
    desc(B=1 << 40), desc(D=32769), desc(B=1 << 30, Hq=1 << 30, Hkv=1 << 30),
    desc(scale=1e39), desc(factor=float("nan")), desc(dtype=3),
]
# Paged caches (the table bytes follow the lengths and the B * Hq factor
# bytes the fuzzer always reads) and left-padded queries: decode over pages
# of 16, causal chunks over pages of 16 and of 5, a KV length that is not a
# whole number of pages, a page size the GPU kernel does not load.
seeds += [
    desc(B=2, Hq=4, Hkv=2, Sq=1, Skv=64, lens=True, lens_values=(64, 20),
         factor_values=(0.0,) * 8, page=(16, 9, (3, 0, 8, 1, 5, 2, 9, 9))),
    desc(B=2, Hq=2, Hkv=1, Sq=8, Skv=48, causal=True, factor=64.0,
         lens=True, stats=True, lens_values=(48, 30), factor_values=(0.0,) * 4,
         page=(16, 7, (6, 0, 1, 2, 3, 7)), q_lens=(8, 3)),
    desc(B=1, Hq=2, Hkv=2, Sq=4, Skv=40, page=(5, 9, (8, 7, 6, 5, 4, 3, 2, 1)),
         lens=True, lens_values=(33,), factor_values=(0.0,) * 2, q_lens=(2,)),
    desc(Sq=4, Skv=40, page=(16, 4, (0, 1))),
    desc(device=1, dtype=2, Sq=1, Skv=96, D=64, page=(48, 4, ())),
]
for i, s in enumerate(seeds):
    with open(os.path.join(out, f"seed-{i:03d}"), "wb") as f:
        f.write(s)
print(f"wrote {len(seeds)} inputs to {out}")
