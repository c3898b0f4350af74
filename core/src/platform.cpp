#include "core/platform.h"

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace rooflens::core {

void configureProcessAllocator() {
#if defined(__GLIBC__)
    mallopt(M_MMAP_THRESHOLD, 16 * 1024 * 1024);  // glibc caps it at 32 MiB
    mallopt(M_TRIM_THRESHOLD, 256 * 1024 * 1024);
    mallopt(M_TOP_PAD, 64 * 1024 * 1024);
#endif
}

}  // namespace rooflens::core
