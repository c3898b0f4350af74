// Peak kernels (C1, C2) and the clock probe (C0). Each ISA path is a separate function with its
// own target attribute; peakKernels() lists the ones the CPU supports. The loop bodies are 24
// independent instructions over 12 accumulators (two per accumulator), enough to cover 4-cycle
// latency x 2 pipes with room to spare (calibration.md 3.1).
#include <immintrin.h>

#include "calibrate/cpu_kernels.h"

namespace rooflens::calibrate {

namespace {

#define ROOFLENS_REP12(X, ...) \
    X(0, __VA_ARGS__)          \
    X(1, __VA_ARGS__)          \
    X(2, __VA_ARGS__)          \
    X(3, __VA_ARGS__)          \
    X(4, __VA_ARGS__)          \
    X(5, __VA_ARGS__)          \
    X(6, __VA_ARGS__)          \
    X(7, __VA_ARGS__) X(8, __VA_ARGS__) X(9, __VA_ARGS__) X(10, __VA_ARGS__) X(11, __VA_ARGS__)

constexpr int kInstructions = 24;

// acc_i = acc_i * m + c for 12 accumulators; OP(acc, vm, vc) is the FMA intrinsic.
#define ROOFLENS_FMA_KERNEL(NAME, TARGET, VEC, ELEM, LANES, SET1, OP, STORE)                    \
    __attribute__((target(TARGET), noinline)) double NAME(std::int64_t n, double m, double c) { \
        const VEC vm = SET1(static_cast<ELEM>(m));                                              \
        const VEC vc = SET1(static_cast<ELEM>(c));                                              \
        ROOFLENS_REP12(ROOFLENS_DECL, VEC, ELEM, SET1)                                          \
        for (std::int64_t i = 0; i < n; ++i) {                                                  \
            ROOFLENS_REP12(ROOFLENS_STEP, OP)                                                   \
            ROOFLENS_REP12(ROOFLENS_STEP, OP)                                                   \
        }                                                                                       \
        alignas(64) ELEM out[LANES];                                                            \
        double sum = 0;                                                                         \
        ROOFLENS_REP12(ROOFLENS_SUM, STORE, LANES)                                              \
        return sum;                                                                             \
    }
#define ROOFLENS_DECL(i, VEC, ELEM, SET1) VEC a##i = SET1(static_cast<ELEM>(0.5 + 0.01 * (i)));
#define ROOFLENS_STEP(i, OP) a##i = OP(a##i, vm, vc);
#define ROOFLENS_SUM(i, STORE, LANES)       \
    STORE(out, a##i);                       \
    for (int l = 0; l < LANES; ++l) {       \
        sum += static_cast<double>(out[l]); \
    }

ROOFLENS_FMA_KERNEL(fp64Avx512, "avx512f", __m512d, double, 8, _mm512_set1_pd, _mm512_fmadd_pd,
                    _mm512_store_pd)
ROOFLENS_FMA_KERNEL(fp64Avx2, "avx2,fma", __m256d, double, 4, _mm256_set1_pd, _mm256_fmadd_pd,
                    _mm256_store_pd)
ROOFLENS_FMA_KERNEL(fp32Avx512, "avx512f", __m512, float, 16, _mm512_set1_ps, _mm512_fmadd_ps,
                    _mm512_store_ps)
ROOFLENS_FMA_KERNEL(fp32Avx2, "avx2,fma", __m256, float, 8, _mm256_set1_ps, _mm256_fmadd_ps,
                    _mm256_store_ps)
ROOFLENS_FMA_KERNEL(fp32Sse, "fma", __m128, float, 4, _mm_set1_ps, _mm_fmadd_ps, _mm_store_ps)

// Dot products: acc += sum of pair products; the pairs are (x, -x) x (y, y), so each
// instruction adds exactly zero and the accumulators never grow.
#define ROOFLENS_DOT_KERNEL(NAME, TARGET, ACC, OPERAND, LANES, ZERO, LOADA, LOADB, OP, STORE, \
                            ELEM, BYTES)                                                      \
    __attribute__((target(TARGET), noinline)) double NAME(std::int64_t n, double m, double) { \
        alignas(64) ELEM inA[BYTES / sizeof(ELEM)];                                           \
        alignas(64) ELEM inB[BYTES / sizeof(ELEM)];                                           \
        ROOFLENS_FILL_OPERANDS(ELEM, inA, inB, BYTES, m)                                      \
        const OPERAND va = LOADA(inA);                                                        \
        const OPERAND vb = LOADB(inB);                                                        \
        ROOFLENS_REP12(ROOFLENS_DOT_DECL, ACC, ZERO)                                          \
        for (std::int64_t i = 0; i < n; ++i) {                                                \
            ROOFLENS_REP12(ROOFLENS_DOT_STEP, OP)                                             \
            ROOFLENS_REP12(ROOFLENS_DOT_STEP, OP)                                             \
        }                                                                                     \
        alignas(64) std::int32_t out32[LANES];                                                \
        double sum = 0;                                                                       \
        ROOFLENS_REP12(ROOFLENS_DOT_SUM, STORE, LANES)                                        \
        return sum;                                                                           \
    }
#define ROOFLENS_DOT_DECL(i, ACC, INIT) ACC a##i = INIT(i);
#define ROOFLENS_DOT_STEP(i, OP) a##i = OP(a##i, va, vb);
#define ROOFLENS_DOT_SUM(i, STORE, LANES)        \
    STORE(reinterpret_cast<void*>(out32), a##i); \
    for (int l = 0; l < LANES; ++l) {            \
        sum += static_cast<double>(out32[l]);    \
    }
// Operands: element pairs (x, -x) and (y, y). For bf16 the bit patterns are built by
// truncating floats; for u8 x s8 the unsigned side is 1 and the signed side alternates +-1.
#define ROOFLENS_FILL_OPERANDS(ELEM, A, B, BYTES, M)           \
    for (std::size_t k = 0; k < (BYTES) / sizeof(ELEM); ++k) { \
        fillOperand(A, B, k, M);                               \
    }

void fillOperand(std::uint16_t* a, std::uint16_t* b, std::size_t k, double m) {
    // bf16 = upper 16 bits of a float.
    const float x = (k % 2 == 0 ? 1.0f : -1.0f) * static_cast<float>(m) * 0.5f;
    const float y = 0.25f;
    std::uint32_t xb = 0;
    std::uint32_t yb = 0;
    __builtin_memcpy(&xb, &x, 4);
    __builtin_memcpy(&yb, &y, 4);
    a[k] = static_cast<std::uint16_t>(xb >> 16);
    b[k] = static_cast<std::uint16_t>(yb >> 16);
}
void fillOperand(std::uint8_t* a, std::uint8_t* b, std::size_t k, double) {
    a[k] = 1;
    b[k] = static_cast<std::uint8_t>(k % 2 == 0 ? 1 : 0xFF);  // +1, -1 as s8
}

#define ROOFLENS_LOAD512(p) _mm512_load_si512(reinterpret_cast<const void*>(p))
#define ROOFLENS_LOAD256(p) _mm256_load_si256(reinterpret_cast<const __m256i*>(p))
#define ROOFLENS_BH512(p) (__m512bh) _mm512_load_si512(reinterpret_cast<const void*>(p))
#define ROOFLENS_BH256(p) (__m256bh) _mm256_load_si256(reinterpret_cast<const __m256i*>(p))
// Distinct start values, so the compiler cannot merge the accumulators into one chain.
#define ROOFLENS_ZERO512F(i) _mm512_set1_ps(static_cast<float>(i))
#define ROOFLENS_ZERO256F(i) _mm256_set1_ps(static_cast<float>(i))
#define ROOFLENS_ZERO512I(i) _mm512_set1_epi32(i)
#define ROOFLENS_ZERO256I(i) _mm256_set1_epi32(i)
#define ROOFLENS_STORE512F(p, v) _mm512_store_ps(static_cast<float*>(p), v)
#define ROOFLENS_STORE256F(p, v) _mm256_store_ps(static_cast<float*>(p), v)
#define ROOFLENS_STORE512I(p, v) _mm512_store_si512(p, v)
#define ROOFLENS_STORE256I(p, v) _mm256_store_si256(static_cast<__m256i*>(p), v)

// The bf16 sums are floats; they are read back as int32 bit patterns only to keep them alive.
ROOFLENS_DOT_KERNEL(bf16Avx512, "avx512f,avx512bf16", __m512, __m512bh, 16, ROOFLENS_ZERO512F,
                    ROOFLENS_BH512, ROOFLENS_BH512, _mm512_dpbf16_ps, ROOFLENS_STORE512F,
                    std::uint16_t, 64)
ROOFLENS_DOT_KERNEL(bf16Avx512Ymm, "avx512f,avx512vl,avx512bf16", __m256, __m256bh, 8,
                    ROOFLENS_ZERO256F, ROOFLENS_BH256, ROOFLENS_BH256, _mm256_dpbf16_ps,
                    ROOFLENS_STORE256F, std::uint16_t, 32)
ROOFLENS_DOT_KERNEL(int8Avx512, "avx512f,avx512bw,avx512vnni", __m512i, __m512i, 16,
                    ROOFLENS_ZERO512I, ROOFLENS_LOAD512, ROOFLENS_LOAD512, _mm512_dpbusd_epi32,
                    ROOFLENS_STORE512I, std::uint8_t, 64)
ROOFLENS_DOT_KERNEL(int8Avx512Ymm, "avx512f,avx512vl,avx512vnni", __m256i, __m256i, 8,
                    ROOFLENS_ZERO256I, ROOFLENS_LOAD256, ROOFLENS_LOAD256, _mm256_dpbusd_epi32,
                    ROOFLENS_STORE256I, std::uint8_t, 32)
ROOFLENS_DOT_KERNEL(int8AvxVnni, "avx2,avxvnni", __m256i, __m256i, 8, ROOFLENS_ZERO256I,
                    ROOFLENS_LOAD256, ROOFLENS_LOAD256, _mm256_dpbusd_avx_epi32, ROOFLENS_STORE256I,
                    std::uint8_t, 32)

}  // namespace

__attribute__((noinline)) std::uint64_t clockProbe(std::int64_t iterations) {
    std::uint64_t x = 0;
    const std::uint64_t one = 1;
    static_assert(kClockAddsPerIteration == 100);
    for (std::int64_t i = 0; i < iterations; ++i) {
        asm volatile(".rept 100\n\taddq %1, %0\n\t.endr" : "+r"(x) : "r"(one));
    }
    return x;
}

std::vector<PeakKernel> peakKernels(const CpuFeatures& f) {
    using core::DataType;
    std::vector<PeakKernel> out;
    auto add = [&](bool supported, PeakKernel k) {
        if (supported) {
            k.instructionsPerIteration = kInstructions;
            out.push_back(k);
        }
    };
    add(f.avx512f, {"fp64-avx512", "vfmadd231pd zmm", DataType::fp64, 512, 0, 16, fp64Avx512});
    add(f.avx2 && f.fma, {"fp64-avx2", "vfmadd231pd ymm", DataType::fp64, 256, 0, 8, fp64Avx2});
    add(f.avx512f, {"fp32-avx512", "vfmadd231ps zmm", DataType::fp32, 512, 0, 32, fp32Avx512});
    add(f.avx2 && f.fma, {"fp32-avx2", "vfmadd231ps ymm", DataType::fp32, 256, 0, 16, fp32Avx2});
    add(f.fma, {"fp32-sse", "vfmadd231ps xmm", DataType::fp32, 128, 0, 8, fp32Sse});
    add(f.avx512bf16, {"bf16-avx512", "vdpbf16ps zmm", DataType::bf16, 512, 0, 64, bf16Avx512});
    add(f.avx512bf16 && f.avx512vl,
        {"bf16-avx512-ymm", "vdpbf16ps ymm", DataType::bf16, 256, 0, 32, bf16Avx512Ymm});
    add(f.avx512vnni && f.avx512bw,
        {"int8-avx512vnni", "vpdpbusd zmm", DataType::int8, 512, 0, 128, int8Avx512});
    add(f.avx512vnni && f.avx512vl,
        {"int8-avx512vnni-ymm", "vpdpbusd ymm", DataType::int8, 256, 0, 64, int8Avx512Ymm});
    add(f.avxvnni && !f.avx512vnni,
        {"int8-avxvnni", "vpdpbusd ymm (VEX)", DataType::int8, 256, 0, 64, int8AvxVnni});
    return out;
}

}  // namespace rooflens::calibrate
