#pragma once
// CPU reference kernels that measure the machine: the clock probe, FMA and dot-product peaks per
// data type and vector width, streaming kernels for the working-set sweep, and the random
// gather. Every ISA path is compiled with per-function target attributes and chosen at run time
// from CpuFeatures; the shipped binary is never built with -march=native.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "calibrate/machine.h"
#include "core/datatypes.h"

namespace rooflens::calibrate {

// C0: a chain of dependent 1-cycle register adds (inline asm); returns a value to keep alive.
inline constexpr int kClockAddsPerIteration = 100;
std::uint64_t clockProbe(std::int64_t iterations);

// C1/C2: peak kernels. Each iteration issues `instructionsPerIteration` independent vector
// instructions over 12 accumulators (acc = acc * m + c with m slightly below 1 for FMAs, so
// values converge and never become denormal; dot products add pairs that cancel to zero).
struct PeakKernel {
    std::string_view name;         // "fp32-avx512"
    std::string_view instruction;  // "vfmadd231ps zmm"
    core::DataType type = core::DataType::fp32;
    int vectorBits = 0;
    int instructionsPerIteration = 0;
    double opsPerInstruction = 0;  // 2 x lanes for an FMA; 2 x multiplies for a dot product
    double (*run)(std::int64_t iterations, double m, double c) = nullptr;
    double opsPerIteration() const { return instructionsPerIteration * opsPerInstruction; }
};
// The kernels this CPU can run, widest first within each data type.
std::vector<PeakKernel> peakKernels(const CpuFeatures& features);

// C3: streaming kernels over float arrays.
enum class StreamKind : std::uint8_t {
    read,     // sum of a (8 independent accumulators)
    triad,    // a = b + s * c, regular stores
    triadNt,  // a = b + s * c, non-temporal stores (no read-for-ownership)
};
std::string_view nameOf(StreamKind kind);
int arraysOf(StreamKind kind);
// Bytes moved per element and pass, STREAM convention (write-allocate not counted).
double streamBytesPerElement(StreamKind kind);
// Element granule of the kernels (arrays are processed in blocks of this many floats).
inline constexpr std::size_t kStreamGranule = 128;
// The ISA path runStream uses on this CPU ("avx512", "avx2", "generic").
std::string_view streamIsa(const CpuFeatures& features);
// `passes` passes over n floats (n a multiple of kStreamGranule); returns a value to keep alive.
float runStream(StreamKind kind, const CpuFeatures& features, float* a, const float* b,
                const float* c, std::size_t n, std::int64_t passes);

// C4: random gather of `granuleBytes` (4, 64 or 256) from a table of `rows` granules, at the
// positions in `index`; software prefetch 16 rows ahead when `prefetch`. Returns a sink value.
float runGather(const float* table, const std::uint32_t* index, std::size_t count, int granuleBytes,
                bool prefetch, const CpuFeatures& features);

// Deterministic pseudo-random numbers (splitmix64) for indices and graphs.
class Random {
public:
    explicit Random(std::uint64_t seed) : m_state(seed) {}
    std::uint64_t next() {
        std::uint64_t z = (m_state += 0x9E3779B97F4A7C15ULL);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
        return z ^ (z >> 31);
    }
    std::uint32_t below(std::uint32_t bound) {
        return static_cast<std::uint32_t>((next() >> 32) * bound >> 32);
    }

private:
    std::uint64_t m_state;
};

}  // namespace rooflens::calibrate
