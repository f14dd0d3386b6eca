//===- SkipAttnGPUToNVVM.cpp - convert-skipattn-gpu-to-nvvm ---------------===//
//
// The pass: it first resolves the kernel structure (roles become guarded
// regions with their register budgets; elect and warpgroup ids become
// thread-id arithmetic), then runs one dialect conversion with the pattern
// sets of each op family and the structural type conversion of scf.
//
//===----------------------------------------------------------------------===//

#include "skipattn/Conversion/SkipAttnGPUToNVVM/SkipAttnGPUToNVVM.h"
#include "LoweringUtils.h"

#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"
#include "mlir/Dialect/SCF/Transforms/Patterns.h"

namespace mlir::skipattn {
#define GEN_PASS_DEF_CONVERTSKIPATTNGPUTONVVM
#include "skipattn/Conversion/Passes.h.inc"
} // namespace mlir::skipattn

using namespace mlir;
using namespace mlir::skipattn;
using namespace mlir::skipattn::lowering;
namespace sg = mlir::skipattn_gpu;

Value Emitter::shflXor(Value v, int64_t offset) {
  return NVVM::ShflOp::create(
      b, loc, v.getType(), c32(-1), v, c32(offset), c32(0x1f),
      NVVM::ShflKindAttr::get(b.getContext(), NVVM::ShflKind::bfly),
      UnitAttr());
}

Value Emitter::tid() {
  return arith::IndexCastOp::create(
      b, loc, i32(), gpu::ThreadIdOp::create(b, loc, gpu::Dimension::x));
}

Value Emitter::dynamicSmem() {
  auto ws =
      gpu::AddressSpaceAttr::get(b.getContext(), gpu::AddressSpace::Workgroup);
  return gpu::DynamicSharedMemoryOp::create(
      b, loc,
      MemRefType::get({ShapedType::kDynamic}, b.getI8Type(), AffineMap(), ws));
}

void mlir::skipattn::populateSkipAttnGPUTypeConversions(
    TypeConverter &converter) {
  converter.addConversion([](Type t) { return t; });
  converter.addConversion([](sg::AccType t) -> Type {
    return accStructType(t.getContext(), t.getCols(), rowPerThread(t));
  });
  converter.addConversion([](sg::OperandType t) -> Type {
    // Two 16-bit elements per 32-bit register: cols / 4 per thread (half a
    // row), or cols / 2 (a whole row).
    MLIRContext *ctx = t.getContext();
    int64_t regs = rowPerThread(t) ? t.getCols() / 2 : t.getCols() / 4;
    return LLVM::LLVMStructType::getLiteral(
        ctx, SmallVector<Type>(regs, IntegerType::get(ctx, 32)));
  });
  converter.addConversion([](sg::RowsType t) -> Type {
    return VectorType::get({rowPerThread(t) ? 1 : 2}, t.getElementType());
  });
  // Tensor memory: its 32-bit address; a pipe: its mbarriers.
  converter.addConversion([](sg::TmemType t) -> Type {
    return IntegerType::get(t.getContext(), 32);
  });
  converter.addConversion([](sg::PipeType t) -> Type {
    MLIRContext *ctx = t.getContext();
    return nvgpu::MBarrierGroupType::get(
        ctx, gpu::AddressSpaceAttr::get(ctx, gpu::AddressSpace::Workgroup),
        t.getStages());
  });
  converter.addConversion([](sg::SmemType t) -> Type {
    return IntegerType::get(t.getContext(), 32);
  });
  converter.addConversion([](sg::RingType t) -> Type {
    MLIRContext *ctx = t.getContext();
    return nvgpu::MBarrierGroupType::get(
        ctx, gpu::AddressSpaceAttr::get(ctx, gpu::AddressSpace::Workgroup),
        t.getNumBarriers());
  });
}

/// Roles, elect and warpgroup ids: each role's warps run its region; with
/// several roles each resizes its register file on entry.
static LogicalResult lowerStructure(gpu::GPUFuncOp kernel) {
  auto schedule =
      kernel->getAttrOfType<sg::ScheduleAttr>(sg::kScheduleAttrName);
  if (!schedule)
    return kernel.emitError("kernel carries no #skipattn_gpu.schedule");
  SmallVector<sg::WarpRoleOp> roles;
  kernel.walk([&](sg::WarpRoleOp r) { roles.push_back(r); });
  bool several = schedule.getRoles().size() > 1;
  IRRewriter rw(kernel.getContext());
  for (sg::WarpRoleOp role : roles) {
    sg::RoleAttr r = role.getRole();
    Location loc = role.getLoc();
    rw.setInsertionPoint(role);
    Emitter e(rw, loc);
    int64_t first = 32 * r.getFirstWarp();
    // Thread index within the role.
    SmallVector<Operation *> inner;
    role.walk([&](Operation *op) {
      if (isa<sg::ElectOp, sg::WarpgroupIdOp>(op))
        inner.push_back(op);
    });
    for (Operation *op : inner) {
      rw.setInsertionPoint(op);
      Emitter ie(rw, op->getLoc());
      Value local = ie.sub(ie.tid(), ie.c32(first));
      if (auto elect = dyn_cast<sg::ElectOp>(op))
        rw.replaceOp(op, ie.cmp(arith::CmpIPredicate::eq, local,
                                ie.c32(32 * elect.getWarpAttr().getInt())));
      else
        rw.replaceOp(op, ie.toIdx(ie.shr(local, 7)));
    }
    Block &body = role.getBody().front();
    rw.eraseOp(body.getTerminator());
    rw.setInsertionPoint(role);
    if (r.getFirstWarp() == 0 &&
        32 * r.getNumWarps() == schedule.getThreads()) {
      rw.inlineBlockBefore(&body, role);
      rw.eraseOp(role);
      continue;
    }
    Value warp = e.shr(e.tid(), 5);
    Value lo = e.cmp(arith::CmpIPredicate::sge, warp, e.c32(r.getFirstWarp()));
    Value hi = e.cmp(arith::CmpIPredicate::slt, warp,
                     e.c32(r.getFirstWarp() + r.getNumWarps()));
    Value in = e.andI(lo, hi);
    auto ifOp = scf::IfOp::create(rw, loc, in, /*withElse=*/false);
    rw.setInsertionPointToStart(&ifOp.getThenRegion().front());
    if (several && r.getMaxNreg() > 0)
      NVVM::SetMaxRegisterOp::create(
          rw, loc, r.getMaxNreg(),
          r.getMaxNreg() >= 128 ? NVVM::SetMaxRegisterAction::increase
                                : NVVM::SetMaxRegisterAction::decrease);
    rw.inlineBlockBefore(&body, ifOp.getThenRegion().front().getTerminator());
    // With tcgen05 the roles' register budgets differ by far: a role's
    // threads exit at its end, so the roles never rejoin and ptxas
    // allocates each within its own setmaxnreg budget.
    if (several && r.getMaxNreg() > 0 &&
        schedule.getMma() == sg::MMAKind::tcgen05) {
      rw.setInsertionPoint(ifOp.getThenRegion().front().getTerminator());
      NVVM::Exit::create(rw, loc);
    }
    rw.eraseOp(role);
  }
  return success();
}

LogicalResult
mlir::skipattn::convertSkipAttnGPUToNVVM(gpu::GPUModuleOp module) {
  MLIRContext *ctx = module.getContext();
  for (auto kernel : module.getOps<gpu::GPUFuncOp>()) {
    if (!kernel->hasAttr(sg::kScheduleAttrName))
      continue;
    if (failed(lowerStructure(kernel)))
      return failure();
    // TMA descriptors: the pointer arguments the TMA loads and stores read.
    SmallVector<int32_t> tma;
    for (BlockArgument a : kernel.getArguments())
      if (llvm::any_of(a.getUsers(), [](Operation *u) {
            return isa<sg::TmaLoadOp, sg::TmaStoreTileOp>(u);
          }))
        tma.push_back(a.getArgNumber());
    kernel->setAttr(kTmaParamsAttrName, DenseI32ArrayAttr::get(ctx, tma));
  }

  TypeConverter converter;
  populateSkipAttnGPUTypeConversions(converter);
  ConversionTarget target(*ctx);
  target.addIllegalDialect<sg::SkipAttnGPUDialect>();
  target
      .addLegalDialect<arith::ArithDialect, gpu::GPUDialect, LLVM::LLVMDialect,
                       math::MathDialect, memref::MemRefDialect,
                       NVVM::NVVMDialect, nvgpu::NVGPUDialect>();
  target.addLegalOp<UnrealizedConversionCastOp>();
  RewritePatternSet patterns(ctx);
  scf::populateSCFStructuralTypeConversionsAndLegality(converter, patterns,
                                                       target);
  populateStructureToNVVMPatterns(converter, patterns);
  populateRingToNVVMPatterns(converter, patterns);
  populateFragmentToNVVMPatterns(converter, patterns);
  populateVoteToNVVMPatterns(converter, patterns);
  populateExchangeToNVVMPatterns(converter, patterns);
  populateTurnToNVVMPatterns(converter, patterns);
  populateEpilogueToNVVMPatterns(converter, patterns);
  populateSplitsToNVVMPatterns(converter, patterns);
  populateHopperMMAToNVVMPatterns(converter, patterns);
  populateTensorMemoryToNVVMPatterns(converter, patterns);
  populateBlackwellMMAToNVVMPatterns(converter, patterns);
  populateRowFragmentToNVVMPatterns(converter, patterns);
  if (failed(applyPartialConversion(module, target, std::move(patterns))))
    return failure();
  for (auto kernel : module.getOps<gpu::GPUFuncOp>())
    kernel->removeAttr(sg::kScheduleAttrName);
  return success();
}

namespace {
struct ConvertSkipAttnGPUToNVVMPass
    : mlir::skipattn::impl::ConvertSkipAttnGPUToNVVMBase<
          ConvertSkipAttnGPUToNVVMPass> {
  void runOnOperation() override {
    if (failed(convertSkipAttnGPUToNVVM(getOperation())))
      signalPassFailure();
  }
};
} // namespace
