#pragma once
// The machine context recorded with every calibration (google/benchmark's "context"): CPU model,
// ISA extensions, cores and threads, cache sizes from sysfs, clocks, memory, page size, build type
// and library versions. Also the per-cycle peaks the ISA allows, for the theoretical roofs.
#include <string>
#include <vector>

#include "core/datatypes.h"

namespace rooflens::calibrate {

// ISA extensions usable by this process (CPUID and OS state, via __builtin_cpu_supports).
struct CpuFeatures {
    bool sse2 = false;
    bool avx = false;
    bool avx2 = false;
    bool fma = false;
    bool avx512f = false;
    bool avx512bw = false;
    bool avx512vl = false;
    bool avx512vnni = false;
    bool avx512bf16 = false;
    bool avxvnni = false;
    bool amx = false;  // reported only; no AMX kernels yet

    std::vector<std::string> names() const;  // "avx2", "avx512f", ... in a fixed order
};
CpuFeatures detectCpuFeatures();

struct CacheLevel {
    int level = 0;           // 1, 2, 3
    double bytes = 0;        // one instance (per core for private caches)
    int sharedByCpus = 1;    // logical CPUs sharing one instance
    int instancesInUse = 1;  // instances among the CPUs this process uses
    double totalBytes() const { return bytes * instancesInUse; }
};

struct MachineContext {
    std::string vendor;  // "AMD", "Intel", ...
    std::string cpuModel;
    int family = 0;
    int model = 0;
    int stepping = 0;
    bool hypervisor = false;
    CpuFeatures features;
    std::vector<int> cpus;           // logical CPUs available to the process
    int physicalCores = 0;           // among them
    std::vector<CacheLevel> caches;  // data/unified caches, L1 first
    double nominalHz = 0;            // TSC / "cpu MHz" of /proc/cpuinfo (base clock in a VM)
    double memoryBytes = 0;          // MemTotal
    long pageBytes = 0;
    std::string transparentHugePages;  // "always", "madvise", "never" or ""
    std::string hostname;
    std::string os;           // uname sysname + release
    std::string compiler;     // compiler and version this binary was built with
    bool debugBuild = false;  // NDEBUG not defined
    std::string buildType;    // CMAKE_BUILD_TYPE
    std::string dnnlVersion;  // "" when built without oneDNN

    const CacheLevel* cache(int level) const;
    // Total bytes of a cache level over the instances the given CPUs use (a private L2 counts
    // once per core, a shared L3 once).
    double cacheBytesFor(int level, const std::vector<int>& cpuSet) const;
    double lastLevelCacheBytes() const;         // total of the last level among the CPUs in use
    std::vector<std::string> warnings() const;  // debug build, no pinning, ...
};
MachineContext detectMachine();

// Vector FMA (and dot-product) instructions of `vectorBits` one core retires per cycle: 2 on
// current x86 cores (two FMA pipes), 1 at 512 bits on Zen 4 (a 512-bit op occupies both 256-bit
// pipes). The theoretical roofs are this x lanes x ops per lane x clock x cores.
double fmaInstructionsPerCycle(const MachineContext& machine, int vectorBits);
// The same for the peak kernel of one data type: FMA rate, except BF16 dot products on Intel,
// whose vdpbf16ps retires at half the FMA rate (one zmm every 2 cycles per core: Emerald Rapids
// measured 0.46/cycle, 23 % of a 2/cycle theory, and oneDNN's BF16 GEMM reaches the same rate;
// issue 14, 7b). A wrong theory, not a slow kernel.
double peakInstructionsPerCycle(const MachineContext& machine, core::DataType type, int vectorBits);

}  // namespace rooflens::calibrate
