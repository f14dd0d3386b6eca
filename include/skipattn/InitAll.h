//===- InitAll.h - register everything skipattn tools use --------*- C++
//-*-===//
//
// One place that registers the skipattn dialect, its passes, pipelines and
// the upstream dialects/extensions they rely on, so every tool's main stays
// small and all tools agree on what is available.
//
//===----------------------------------------------------------------------===//

#ifndef SKIPATTN_INITALL_H
#define SKIPATTN_INITALL_H

namespace mlir {
class DialectRegistry;
} // namespace mlir

namespace mlir::skipattn {
/// Adds the skipattn dialect and every upstream dialect and interface
/// extension the skipattn pipelines produce or consume.
void registerAllDialects(DialectRegistry &registry);
/// Registers every skipattn pass and pipeline with the global registry.
void registerAllPasses();
} // namespace mlir::skipattn

#endif // SKIPATTN_INITALL_H
