#pragma once
// Process-level settings that Rooflens programs (CLI, GUI, benchmarks) apply at start-up.
namespace rooflens::core {

// Keeps freed memory in the process instead of returning it to the kernel. An analysis of a
// large model allocates a few hundred kB per pass; glibc's defaults hand such blocks back with
// munmap/trim, so every re-analysis page-faults them in again (measured: 230 us instead of
// 60 us per llama-2-70b pass). No-op where the C library has no such knobs.
void configureProcessAllocator();

}  // namespace rooflens::core
