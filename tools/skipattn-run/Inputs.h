//===- Inputs.h - test inputs for skipattn-run -------------------*- C++
//-*-===//
//
// Seeded random inputs, structured inputs whose attention is genuinely
// sparse (a sink, a local window and a few sharp peaks per row), and .npy
// files.
//
//===----------------------------------------------------------------------===//

#ifndef SKIPATTN_TOOLS_SKIPATTN_RUN_INPUTS_H
#define SKIPATTN_TOOLS_SKIPATTN_RUN_INPUTS_H

#include "skipattn/Runtime/Spec.h"

#include <cstdint>
#include <string>
#include <vector>

namespace skipattn {

/// A tensor in float plus its packed element bytes in the spec's dtype.
struct HostTensor {
  std::vector<int64_t> shape;
  std::vector<double> values; // the exact (rounded) element values
  std::vector<uint8_t> bytes; // what the kernel reads
  void pack(DType t);         // round `values` to t and fill `bytes`
};

void makeRandom(const AttentionSpec &s, uint64_t seed, HostTensor &q,
                HostTensor &k, HostTensor &v);
/// temperature: smaller is sharper (scaled peak scores ~ 1 / temperature).
void makeStructured(const AttentionSpec &s, uint64_t seed, double temperature,
                    HostTensor &q, HostTensor &k, HostTensor &v);
/// The pages of a paged KV cache for the logical `k`/`v` of a spec with
/// pageSize > 0: every sequence's pages at seeded random places among
/// spec.numPages (pages no sequence uses hold NaN, so reading one shows),
/// the table's slots past a sequence's length -1 (never read). `nhd`: the
/// cache is [pages, page_size, Hkv, D] in memory, else [pages, Hkv,
/// page_size, D]; `strides` are the element strides of the [pages, Hkv,
/// page_size, D] view the kernel takes.
void pageKV(const AttentionSpec &s, uint64_t seed, bool nhd,
            const HostTensor &k, const HostTensor &v, HostTensor &kCache,
            HostTensor &vCache, std::vector<int64_t> &kStrides,
            std::vector<int64_t> &vStrides, std::vector<int32_t> &table);

/// Reads a little-endian f32/f64/f16 .npy file of the given shape; returns
/// an error message or "".
std::string loadNpy(const std::string &path, const std::vector<int64_t> &shape,
                    HostTensor &t);

} // namespace skipattn

#endif
