"""Writes small .npy files (no NumPy needed) for the bad-input tests."""
import struct
import sys


def write(path, shape, descr="<f4", values=None, corrupt=False):
    n = 1
    for d in shape:
        n *= d
    header = "{'descr': '%s', 'fortran_order': False, 'shape': (%s), }" % (
        descr, ", ".join(str(d) for d in shape) + ("," if len(shape) == 1 else ""))
    header += " " * (63 - (len(header) + 10) % 64) + "\n"
    with open(path, "wb") as f:
        f.write(b"\x93NUMPY" if not corrupt else b"NOTNPY")
        f.write(bytes([1, 0]))
        f.write(struct.pack("<H", len(header)))
        f.write(header.encode())
        for i in range(n):
            f.write(struct.pack("<f", 0.01 * ((i * 37) % 101) - 0.5))


out = sys.argv[1]
write(out + "/q_ok.npy", [1, 2, 16, 64])
write(out + "/q_bad_shape.npy", [1, 2, 15, 64])
write(out + "/q_corrupt.npy", [1, 2, 16, 64], corrupt=True)
write(out + "/q_int.npy", [1, 2, 16, 64], descr="<i4")
