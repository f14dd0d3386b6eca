//===- Device.cpp - GPU buffers of one skipattn-run case ------------------===//

#include "Device.h"

using namespace skipattn;

llvm::Expected<std::unique_ptr<DeviceBuffers>> DeviceBuffers::create(
    const AttentionSpec &s, const HostTensor &q, const HostTensor &k,
    const HostTensor &v, const std::vector<float> &factors,
    const std::vector<int32_t> &pageTable, int64_t outOffset) {
  auto d = cuda::Driver::get();
  if (!d)
    return d.takeError();
  std::unique_ptr<DeviceBuffers> b(new DeviceBuffers());
  b->drv = &*d;
  auto upload = [&](const void *data, size_t bytes,
                    cuda::CUdeviceptr &dst) -> llvm::Error {
    auto p = b->drv->alloc(bytes);
    if (!p)
      return p.takeError();
    dst = *p;
    return data ? b->drv->copyToDevice(dst, data, bytes)
                : llvm::Error::success();
  };
  b->outBytes = s.batch * s.qHeads * s.qLen * s.dv() * dtypeSize(s.dtype);
  b->lseBytes = s.batch * s.qHeads * s.qLen * sizeof(float);
  b->statsBytes = s.batch * s.qHeads * s.statsColumns() * sizeof(int64_t);
  if (auto e = upload(q.bytes.data(), q.bytes.size(), b->q))
    return std::move(e);
  if (auto e = upload(k.bytes.data(), k.bytes.size(), b->k))
    return std::move(e);
  // V inside K: the kernel is given K's buffer as V (as the C API asks).
  if (s.valueInKey)
    b->v = b->k;
  else if (auto e = upload(v.bytes.data(), v.bytes.size(), b->v))
    return std::move(e);
  if (!s.kvLens.empty())
    if (auto e = upload(s.kvLens.data(), s.kvLens.size() * 4, b->lens))
      return std::move(e);
  if (!factors.empty())
    if (auto e = upload(factors.data(), factors.size() * 4, b->factors))
      return std::move(e);
  if (!pageTable.empty())
    if (auto e = upload(pageTable.data(), pageTable.size() * 4, b->table))
      return std::move(e);
  if (!s.qLens.empty())
    if (auto e = upload(s.qLens.data(), s.qLens.size() * 4, b->qLens))
      return std::move(e);
  if (auto e = upload(nullptr, b->outBytes + outOffset, b->outBase))
    return std::move(e);
  b->out = b->outBase + outOffset;
  if (s.withLse)
    if (auto e = upload(nullptr, b->lseBytes, b->lse))
      return std::move(e);
  if (s.withStats)
    if (auto e = upload(nullptr, b->statsBytes, b->stats))
      return std::move(e);
  auto e0 = b->drv->createEvent();
  if (!e0)
    return e0.takeError();
  b->start = *e0;
  auto e1 = b->drv->createEvent();
  if (!e1)
    return e1.takeError();
  b->end = *e1;
  return b;
}

DeviceBuffers::~DeviceBuffers() {
  for (cuda::CUdeviceptr p :
       {q, k, v == k ? 0 : v, lens, factors, outBase, lse, stats, table, qLens})
    drv->free(p);
  drv->destroyEvent(start);
  drv->destroyEvent(end);
}

llvm::Error DeviceBuffers::poison() {
  if (auto e = drv->fill(out, 0xff, outBytes))
    return e;
  if (lse)
    if (auto e = drv->fill(lse, 0xff, lseBytes))
      return e;
  if (stats)
    return drv->fill(stats, 0xff, statsBytes);
  return llvm::Error::success();
}

llvm::Error DeviceBuffers::launch(const CUDAKernel &kernel) {
  // The counters accumulate: start them at zero.
  if (stats)
    if (auto e = drv->fill(stats, 0, statsBytes))
      return e;
  return kernel.launch(q, k, v, lens,
                       kernel.spec().runtimeFactors() ? factors : 0, out, lse,
                       stats, nullptr, 0, 0, table, qLens);
}

llvm::Error DeviceBuffers::fetch(std::vector<uint8_t> &o, std::vector<float> &l,
                                 std::vector<int64_t> &st) {
  if (auto e = drv->synchronize(nullptr))
    return e;
  if (auto e = drv->copyToHost(o.data(), out, outBytes))
    return e;
  if (lse)
    if (auto e = drv->copyToHost(l.data(), lse, lseBytes))
      return e;
  if (stats)
    return drv->copyToHost(st.data(), stats, statsBytes);
  return llvm::Error::success();
}

llvm::Expected<double> DeviceBuffers::time(const CUDAKernel &kernel) {
  if (auto e = drv->record(start, nullptr))
    return std::move(e);
  if (auto e = kernel.launch(q, k, v, lens,
                             kernel.spec().runtimeFactors() ? factors : 0, out,
                             lse, stats, nullptr, 0, 0, table, qLens))
    return std::move(e);
  if (auto e = drv->record(end, nullptr))
    return std::move(e);
  if (auto e = drv->synchronize(nullptr))
    return std::move(e);
  return drv->elapsedMs(start, end);
}
