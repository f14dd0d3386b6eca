import numpy as np
import skipattn

print("skipattn", skipattn.library_version(), "from", skipattn.__path__[0])
rng = np.random.default_rng(0)
q = rng.standard_normal((1, 2, 33, 64)).astype(np.float32)
k = rng.standard_normal((1, 1, 90, 64)).astype(np.float32)
v = rng.standard_normal((1, 1, 90, 64)).astype(np.float32)
out = skipattn.attention(q, k, v, causal=True)
s = np.einsum("bhqd,bkd->bhqk", q.astype(np.float64), k[:, 0].astype(np.float64)) / 8.0
mask = np.arange(90)[None, :] > np.arange(33)[:, None] + 90 - 33
s[..., mask] = -np.inf
p = np.exp(s - s.max(-1, keepdims=True))
ref = (p / p.sum(-1, keepdims=True)) @ v[:, 0].astype(np.float64)
err = np.abs(out - ref).max()
print(f"max error {err:.2e}", "OK" if err < 1e-5 else "FAIL")
