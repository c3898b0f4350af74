#include "core/platform.h"

#include <cstdlib>  // defines __GLIBC__ on glibc systems

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace rooflens::core {

void configureProcessAllocator() {
#if defined(__GLIBC__)
    // Grow the heap in large steps and never give it back in small ones: a re-analysis then
    // reuses the pages the previous one touched.
    mallopt(M_TOP_PAD, 64 * 1024 * 1024);
    mallopt(M_TRIM_THRESHOLD, 256 * 1024 * 1024);
#endif
}

}  // namespace rooflens::core
