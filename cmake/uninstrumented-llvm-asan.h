/*===- uninstrumented-llvm-asan.h - ASan builds against a plain LLVM -----===*\
|*                                                                            *|
|* Force-included in ASan builds. Debian's libLLVM/libMLIR are not           *|
|* instrumented, but LLVM's header-only allocators (BumpPtrAllocator) poison *|
|* and unpoison their slabs when the including code is built with ASan. An   *|
|* allocator shared between our instrumented inline code and the            *|
|* uninstrumented libraries would then report the libraries' valid uses of   *|
|* memory it poisoned. Turning the manual poisoning into no-ops keeps ASan's *|
|* real checks (heap, stack, globals) and drops only these false reports.    *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/

#ifndef SKIPATTN_UNINSTRUMENTED_LLVM_ASAN_H
#define SKIPATTN_UNINSTRUMENTED_LLVM_ASAN_H
#include <sanitizer/asan_interface.h>
#undef ASAN_POISON_MEMORY_REGION
#undef ASAN_UNPOISON_MEMORY_REGION
#define __asan_poison_memory_region(p, size) ((void)(p), (void)(size))
#define __asan_unpoison_memory_region(p, size) ((void)(p), (void)(size))
#endif
