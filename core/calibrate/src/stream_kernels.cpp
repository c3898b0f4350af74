// Streaming kernels of the working-set sweep (C3) and the random gather (C4). AVX-512 and AVX2
// paths use explicit multi-accumulator intrinsics: a compiler-reduced sum reaches less than half
// of the L1 bandwidth (calibration.md 3.2); the generic path keeps 8 partial sums per lane group.
#include <immintrin.h>

#include "calibrate/cpu_kernels.h"

namespace rooflens::calibrate {

namespace {

// Horizontal sum through memory (GCC 12 warns falsely inside _mm512_reduce_add_ps).
__attribute__((target("avx512f"))) float sum512(__m512 v) {
    alignas(64) float out[16];
    _mm512_store_ps(out, v);
    float sum = 0;
    for (float x : out) {
        sum += x;
    }
    return sum;
}

__attribute__((target("avx512f"))) float readAvx512(const float* a, std::size_t n,
                                                    std::int64_t passes) {
    __m512 s0 = _mm512_setzero_ps();
    __m512 s1 = s0, s2 = s0, s3 = s0, s4 = s0, s5 = s0, s6 = s0, s7 = s0;
    for (std::int64_t p = 0; p < passes; ++p) {
        for (std::size_t i = 0; i < n; i += 128) {
            s0 = _mm512_add_ps(s0, _mm512_load_ps(a + i));
            s1 = _mm512_add_ps(s1, _mm512_load_ps(a + i + 16));
            s2 = _mm512_add_ps(s2, _mm512_load_ps(a + i + 32));
            s3 = _mm512_add_ps(s3, _mm512_load_ps(a + i + 48));
            s4 = _mm512_add_ps(s4, _mm512_load_ps(a + i + 64));
            s5 = _mm512_add_ps(s5, _mm512_load_ps(a + i + 80));
            s6 = _mm512_add_ps(s6, _mm512_load_ps(a + i + 96));
            s7 = _mm512_add_ps(s7, _mm512_load_ps(a + i + 112));
        }
    }
    const __m512 s = _mm512_add_ps(_mm512_add_ps(_mm512_add_ps(s0, s1), _mm512_add_ps(s2, s3)),
                                   _mm512_add_ps(_mm512_add_ps(s4, s5), _mm512_add_ps(s6, s7)));
    return sum512(s);
}

__attribute__((target("avx2"))) float readAvx2(const float* a, std::size_t n, std::int64_t passes) {
    __m256 s0 = _mm256_setzero_ps();
    __m256 s1 = s0, s2 = s0, s3 = s0, s4 = s0, s5 = s0, s6 = s0, s7 = s0;
    for (std::int64_t p = 0; p < passes; ++p) {
        for (std::size_t i = 0; i < n; i += 64) {
            s0 = _mm256_add_ps(s0, _mm256_load_ps(a + i));
            s1 = _mm256_add_ps(s1, _mm256_load_ps(a + i + 8));
            s2 = _mm256_add_ps(s2, _mm256_load_ps(a + i + 16));
            s3 = _mm256_add_ps(s3, _mm256_load_ps(a + i + 24));
            s4 = _mm256_add_ps(s4, _mm256_load_ps(a + i + 32));
            s5 = _mm256_add_ps(s5, _mm256_load_ps(a + i + 40));
            s6 = _mm256_add_ps(s6, _mm256_load_ps(a + i + 48));
            s7 = _mm256_add_ps(s7, _mm256_load_ps(a + i + 56));
        }
    }
    alignas(32) float out[8];
    _mm256_store_ps(out,
                    _mm256_add_ps(_mm256_add_ps(_mm256_add_ps(s0, s1), _mm256_add_ps(s2, s3)),
                                  _mm256_add_ps(_mm256_add_ps(s4, s5), _mm256_add_ps(s6, s7))));
    float sum = 0;
    for (float v : out) {
        sum += v;
    }
    return sum;
}

float readGeneric(const float* a, std::size_t n, std::int64_t passes) {
    float s[32] = {};
    for (std::int64_t p = 0; p < passes; ++p) {
        for (std::size_t i = 0; i < n; i += 32) {
            for (int l = 0; l < 32; ++l) {
                s[l] += a[i + static_cast<std::size_t>(l)];
            }
        }
    }
    float sum = 0;
    for (float v : s) {
        sum += v;
    }
    return sum;
}

template <bool kNonTemporal>
__attribute__((target("avx512f"))) void triadAvx512(float* a, const float* b, const float* c,
                                                    std::size_t n, std::int64_t passes) {
    const __m512 s = _mm512_set1_ps(0.5f);
    for (std::int64_t p = 0; p < passes; ++p) {
        for (std::size_t i = 0; i < n; i += 64) {
            for (std::size_t j = 0; j < 64; j += 16) {
                const __m512 v =
                    _mm512_fmadd_ps(s, _mm512_load_ps(c + i + j), _mm512_load_ps(b + i + j));
                if constexpr (kNonTemporal) {
                    _mm512_stream_ps(a + i + j, v);
                } else {
                    _mm512_store_ps(a + i + j, v);
                }
            }
        }
        if constexpr (kNonTemporal) {
            _mm_sfence();
        }
    }
}

template <bool kNonTemporal>
__attribute__((target("avx2,fma"))) void triadAvx2(float* a, const float* b, const float* c,
                                                   std::size_t n, std::int64_t passes) {
    const __m256 s = _mm256_set1_ps(0.5f);
    for (std::int64_t p = 0; p < passes; ++p) {
        for (std::size_t i = 0; i < n; i += 32) {
            for (std::size_t j = 0; j < 32; j += 8) {
                const __m256 v =
                    _mm256_fmadd_ps(s, _mm256_load_ps(c + i + j), _mm256_load_ps(b + i + j));
                if constexpr (kNonTemporal) {
                    _mm256_stream_ps(a + i + j, v);
                } else {
                    _mm256_store_ps(a + i + j, v);
                }
            }
        }
        if constexpr (kNonTemporal) {
            _mm_sfence();
        }
    }
}

template <bool kNonTemporal>
void triadGeneric(float* a, const float* b, const float* c, std::size_t n, std::int64_t passes) {
    for (std::int64_t p = 0; p < passes; ++p) {
        if constexpr (kNonTemporal) {
            for (std::size_t i = 0; i < n; i += 4) {
                _mm_stream_ps(a + i, _mm_add_ps(_mm_load_ps(b + i),
                                                _mm_mul_ps(_mm_set1_ps(0.5f), _mm_load_ps(c + i))));
            }
            _mm_sfence();
        } else {
            for (std::size_t i = 0; i < n; ++i) {
                a[i] = b[i] + 0.5f * c[i];
            }
        }
    }
}

// Gather: granules of 1, 16 or 64 floats at random rows; the sums stay in registers.
template <int kFloats, bool kPrefetch>
__attribute__((target("avx512f"))) float gatherAvx512(const float* table,
                                                      const std::uint32_t* index,
                                                      std::size_t count) {
    constexpr std::size_t kAhead = 16;
    __m512 s0 = _mm512_setzero_ps();
    __m512 s1 = s0, s2 = s0, s3 = s0;
    float scalar = 0;
    for (std::size_t i = 0; i < count; ++i) {
        if constexpr (kPrefetch) {
            if (i + kAhead < count) {
                const float* ahead = table + std::size_t{index[i + kAhead]} * kFloats;
                for (int line = 0; line < (kFloats * 4 + 63) / 64; ++line) {
                    _mm_prefetch(reinterpret_cast<const char*>(ahead + line * 16), _MM_HINT_T0);
                }
            }
        }
        const float* row = table + std::size_t{index[i]} * kFloats;
        if constexpr (kFloats == 1) {
            scalar += row[0];
        } else {
            s0 = _mm512_add_ps(s0, _mm512_load_ps(row));
            if constexpr (kFloats == 64) {
                s1 = _mm512_add_ps(s1, _mm512_load_ps(row + 16));
                s2 = _mm512_add_ps(s2, _mm512_load_ps(row + 32));
                s3 = _mm512_add_ps(s3, _mm512_load_ps(row + 48));
            }
        }
    }
    return scalar + sum512(_mm512_add_ps(_mm512_add_ps(s0, s1), _mm512_add_ps(s2, s3)));
}

template <int kFloats, bool kPrefetch>
float gatherGeneric(const float* table, const std::uint32_t* index, std::size_t count) {
    constexpr std::size_t kAhead = 16;
    float s[kFloats] = {};
    for (std::size_t i = 0; i < count; ++i) {
        if constexpr (kPrefetch) {
            if (i + kAhead < count) {
                const float* ahead = table + std::size_t{index[i + kAhead]} * kFloats;
                for (int line = 0; line < (kFloats * 4 + 63) / 64; ++line) {
                    __builtin_prefetch(ahead + line * 16);
                }
            }
        }
        const float* row = table + std::size_t{index[i]} * kFloats;
        for (int l = 0; l < kFloats; ++l) {
            s[l] += row[l];
        }
    }
    float sum = 0;
    for (float v : s) {
        sum += v;
    }
    return sum;
}

template <int kFloats>
float gatherDispatch(const float* table, const std::uint32_t* index, std::size_t count,
                     bool prefetch, bool avx512) {
    if (avx512) {
        return prefetch ? gatherAvx512<kFloats, true>(table, index, count)
                        : gatherAvx512<kFloats, false>(table, index, count);
    }
    return prefetch ? gatherGeneric<kFloats, true>(table, index, count)
                    : gatherGeneric<kFloats, false>(table, index, count);
}

}  // namespace

std::string_view nameOf(StreamKind kind) {
    switch (kind) {
        case StreamKind::read:
            return "read";
        case StreamKind::triad:
            return "triad";
        case StreamKind::triadNt:
            return "triad-nt";
    }
    return "?";
}

int arraysOf(StreamKind kind) {
    return kind == StreamKind::read ? 1 : 3;
}

double streamBytesPerElement(StreamKind kind) {
    return kind == StreamKind::read ? 4.0 : 12.0;
}

std::string_view streamIsa(const CpuFeatures& f) {
    return f.avx512f ? "avx512" : (f.avx2 && f.fma) ? "avx2" : "generic";
}

float runStream(StreamKind kind, const CpuFeatures& f, float* a, const float* b, const float* c,
                std::size_t n, std::int64_t passes) {
    const std::string_view isa = streamIsa(f);
    switch (kind) {
        case StreamKind::read:
            return isa == "avx512" ? readAvx512(a, n, passes)
                   : isa == "avx2" ? readAvx2(a, n, passes)
                                   : readGeneric(a, n, passes);
        case StreamKind::triad:
        case StreamKind::triadNt: {
            const bool nt = kind == StreamKind::triadNt;
            if (isa == "avx512") {
                nt ? triadAvx512<true>(a, b, c, n, passes) : triadAvx512<false>(a, b, c, n, passes);
            } else if (isa == "avx2") {
                nt ? triadAvx2<true>(a, b, c, n, passes) : triadAvx2<false>(a, b, c, n, passes);
            } else {
                nt ? triadGeneric<true>(a, b, c, n, passes)
                   : triadGeneric<false>(a, b, c, n, passes);
            }
            return n > 0 ? a[n - 1] : 0.0f;
        }
    }
    return 0;
}

float runGather(const float* table, const std::uint32_t* index, std::size_t count, int granuleBytes,
                bool prefetch, const CpuFeatures& f) {
    switch (granuleBytes) {
        case 4:
            return gatherDispatch<1>(table, index, count, prefetch, f.avx512f);
        case 64:
            return gatherDispatch<16>(table, index, count, prefetch, f.avx512f);
        default:
            return gatherDispatch<64>(table, index, count, prefetch, f.avx512f);
    }
}

}  // namespace rooflens::calibrate
