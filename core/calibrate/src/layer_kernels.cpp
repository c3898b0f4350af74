// Layer reference kernels: SpMM, GEMV, RMSNorm, attention.
#include "calibrate/layer_kernels.h"

#include <immintrin.h>

#include <algorithm>
#include <cmath>

#include "calibrate/cpu_kernels.h"

namespace rooflens::calibrate {

namespace {

__attribute__((target("avx512f"))) void spmm64Avx512(const CsrGraph& a, const float* x, float* y,
                                                     std::int64_t begin, std::int64_t end) {
    constexpr std::int64_t kAhead = 8;
    const std::int64_t* rowPtr = a.rowPtr.data();
    const std::int32_t* col = a.col.data();
    const float* value = a.value.data();
    const std::int64_t last = rowPtr[end];
    for (std::int64_t r = begin; r < end; ++r) {
        __m512 c0 = _mm512_setzero_ps();
        __m512 c1 = c0, c2 = c0, c3 = c0;
        for (std::int64_t e = rowPtr[r]; e < rowPtr[r + 1]; ++e) {
            if (e + kAhead < last) {
                const char* ahead =
                    reinterpret_cast<const char*>(x + std::int64_t{col[e + kAhead]} * 64);
                _mm_prefetch(ahead, _MM_HINT_T0);
                _mm_prefetch(ahead + 64, _MM_HINT_T0);
                _mm_prefetch(ahead + 128, _MM_HINT_T0);
                _mm_prefetch(ahead + 192, _MM_HINT_T0);
            }
            const __m512 v = _mm512_set1_ps(value[e]);
            const float* row = x + std::int64_t{col[e]} * 64;
            c0 = _mm512_fmadd_ps(v, _mm512_load_ps(row), c0);
            c1 = _mm512_fmadd_ps(v, _mm512_load_ps(row + 16), c1);
            c2 = _mm512_fmadd_ps(v, _mm512_load_ps(row + 32), c2);
            c3 = _mm512_fmadd_ps(v, _mm512_load_ps(row + 48), c3);
        }
        float* out = y + r * 64;
        _mm512_store_ps(out, c0);
        _mm512_store_ps(out + 16, c1);
        _mm512_store_ps(out + 32, c2);
        _mm512_store_ps(out + 48, c3);
    }
}

void spmmGeneric(const CsrGraph& a, const float* x, float* y, int features, std::int64_t begin,
                 std::int64_t end) {
    const auto f = static_cast<std::int64_t>(features);
    for (std::int64_t r = begin; r < end; ++r) {
        float* out = y + r * f;
        std::fill(out, out + f, 0.0f);
        for (std::int64_t e = a.rowPtr[static_cast<std::size_t>(r)];
             e < a.rowPtr[static_cast<std::size_t>(r) + 1]; ++e) {
            const float v = a.value[static_cast<std::size_t>(e)];
            const float* row = x + std::int64_t{a.col[static_cast<std::size_t>(e)]} * f;
            for (std::int64_t j = 0; j < f; ++j) {
                out[j] += v * row[j];
            }
        }
    }
}

// GEMV from DRAM, measured on the development VM (Zen 4, 32 KiB L1d) against the read kernel on
// the same rotated buffers: one row at a time with 8 accumulators (W is a single sequential
// stream) reaches 91-97 % while x (K floats) fits in L1 beside the W stream, but only 58-70 %
// at K >= 4096, where reloading x takes the L1 miss slots W needs; 8 rows at a time (x loaded
// once per 8 rows) reach 84-88 % there and 77 % at K = 2048. A software prefetch into L2 made
// both slower. So: one row for K <= 2048, 8 rows beyond.
constexpr std::int64_t kGemvSingleRowMaxK = 2048;

// The kernel body, instantiated per ISA below (a template cannot carry per-instantiation target
// attributes). V: vector type, L: lanes; ZERO/LOAD/FMA/ADD intrinsics, SUM a horizontal sum.
#define ROOFLENS_GEMV_BODY(V, L, ZERO, LOAD, FMA, ADD, SUM)                                     \
    const std::int64_t kMain = k / (8 * (L)) * (8 * (L));                                       \
    std::int64_t n = begin;                                                                     \
    if (k > kGemvSingleRowMaxK) {                                                               \
        const std::int64_t kVec = k / (L) * (L);                                                \
        for (; n + 8 <= end; n += 8) {                                                          \
            V a[8];                                                                             \
            for (auto& v : a) {                                                                 \
                v = ZERO();                                                                     \
            }                                                                                   \
            for (std::int64_t i = 0; i < kVec; i += (L)) {                                      \
                const V xv = LOAD(x + i);                                                       \
                for (int r = 0; r < 8; ++r) {                                                   \
                    a[r] = FMA(LOAD(w + (n + r) * k + i), xv, a[r]);                            \
                }                                                                               \
            }                                                                                   \
            for (int r = 0; r < 8; ++r) {                                                       \
                float sum = SUM(a[r]);                                                          \
                for (std::int64_t i = kVec; i < k; ++i) {                                       \
                    sum += w[(n + r) * k + i] * x[i];                                           \
                }                                                                               \
                y[n + r] = sum;                                                                 \
            }                                                                                   \
        }                                                                                       \
    }                                                                                           \
    for (; n < end; ++n) {                                                                      \
        const float* row = w + n * k;                                                           \
        V a[8];                                                                                 \
        for (auto& v : a) {                                                                     \
            v = ZERO();                                                                         \
        }                                                                                       \
        for (std::int64_t i = 0; i < kMain; i += 8 * (L)) {                                     \
            for (int j = 0; j < 8; ++j) {                                                       \
                a[j] = FMA(LOAD(row + i + (L)*j), LOAD(x + i + (L)*j), a[j]);                   \
            }                                                                                   \
        }                                                                                       \
        float sum = SUM(                                                                        \
            ADD(ADD(ADD(a[0], a[1]), ADD(a[2], a[3])), ADD(ADD(a[4], a[5]), ADD(a[6], a[7])))); \
        for (std::int64_t i = kMain; i < k; ++i) {                                              \
            sum += row[i] * x[i];                                                               \
        }                                                                                       \
        y[n] = sum;                                                                             \
    }

__attribute__((target("avx512f"))) float sum512(__m512 v) {
    alignas(64) float out[16];
    _mm512_store_ps(out, v);
    float s = 0;
    for (float f : out) {
        s += f;
    }
    return s;
}

__attribute__((target("avx2"))) float sum256(__m256 v) {
    alignas(32) float out[8];
    _mm256_store_ps(out, v);
    float s = 0;
    for (float f : out) {
        s += f;
    }
    return s;
}

__attribute__((target("avx512f"))) void gemvAvx512(const float* w, const float* x, float* y,
                                                   std::int64_t k, std::int64_t begin,
                                                   std::int64_t end) {
    ROOFLENS_GEMV_BODY(__m512, 16, _mm512_setzero_ps, _mm512_loadu_ps, _mm512_fmadd_ps,
                       _mm512_add_ps, sum512)
}

__attribute__((target("avx2,fma"))) void gemvAvx2(const float* w, const float* x, float* y,
                                                  std::int64_t k, std::int64_t begin,
                                                  std::int64_t end) {
    ROOFLENS_GEMV_BODY(__m256, 8, _mm256_setzero_ps, _mm256_loadu_ps, _mm256_fmadd_ps,
                       _mm256_add_ps, sum256)
}

#undef ROOFLENS_GEMV_BODY

void gemvGeneric(const float* w, const float* x, float* y, std::int64_t k, std::int64_t begin,
                 std::int64_t end) {
    for (std::int64_t n = begin; n < end; ++n) {
        float s[16] = {};
        const float* row = w + n * k;
        std::int64_t i = 0;
        for (; i + 16 <= k; i += 16) {
            for (int l = 0; l < 16; ++l) {
                s[l] += row[i + l] * x[i + l];
            }
        }
        float sum = 0;
        for (float v : s) {
            sum += v;
        }
        for (; i < k; ++i) {
            sum += row[i] * x[i];
        }
        y[n] = sum;
    }
}

}  // namespace

CsrGraph randomGraph(std::int64_t rows, std::int64_t cols, int degree, std::uint64_t seed) {
    CsrGraph g;
    g.rows = rows;
    g.cols = cols;
    g.rowPtr.resize(static_cast<std::size_t>(rows) + 1);
    const auto nnz = static_cast<std::size_t>(rows) * static_cast<std::size_t>(degree);
    g.col.resize(nnz);
    g.value.resize(nnz);
    Random random(seed);
    for (std::int64_t r = 0; r < rows; ++r) {
        const auto start = static_cast<std::size_t>(r) * static_cast<std::size_t>(degree);
        g.rowPtr[static_cast<std::size_t>(r)] = static_cast<std::int64_t>(start);
        for (int e = 0; e < degree; ++e) {
            g.col[start + static_cast<std::size_t>(e)] =
                static_cast<std::int32_t>(random.below(static_cast<std::uint32_t>(cols)));
            g.value[start + static_cast<std::size_t>(e)] = 1.0f / static_cast<float>(degree);
        }
        std::sort(g.col.begin() + static_cast<std::ptrdiff_t>(start),
                  g.col.begin() + static_cast<std::ptrdiff_t>(start) + degree);
    }
    g.rowPtr[static_cast<std::size_t>(rows)] = static_cast<std::int64_t>(nnz);
    return g;
}

void spmm(const CsrGraph& a, const float* x, float* y, int features, std::int64_t begin,
          std::int64_t end, const CpuFeatures& f) {
    if (f.avx512f && features == 64) {
        spmm64Avx512(a, x, y, begin, end);
    } else {
        spmmGeneric(a, x, y, features, begin, end);
    }
}

void spmmReference(const CsrGraph& a, const float* x, float* y, int features) {
    for (std::int64_t r = 0; r < a.rows; ++r) {
        for (int j = 0; j < features; ++j) {
            double sum = 0;
            for (std::int64_t e = a.rowPtr[static_cast<std::size_t>(r)];
                 e < a.rowPtr[static_cast<std::size_t>(r) + 1]; ++e) {
                sum += static_cast<double>(a.value[static_cast<std::size_t>(e)]) *
                       x[std::int64_t{a.col[static_cast<std::size_t>(e)]} * features + j];
            }
            y[r * features + j] = static_cast<float>(sum);
        }
    }
}

void gemv(const float* w, const float* x, float* y, std::int64_t k, std::int64_t begin,
          std::int64_t end, const CpuFeatures& f) {
    if (f.avx512f) {
        gemvAvx512(w, x, y, k, begin, end);
    } else if (f.avx2 && f.fma) {
        gemvAvx2(w, x, y, k, begin, end);
    } else {
        gemvGeneric(w, x, y, k, begin, end);
    }
}

__attribute__((target_clones("avx512f", "avx2", "default"))) void rmsNorm(const float* x,
                                                                          const float* weight,
                                                                          float* y, std::int64_t d,
                                                                          std::int64_t begin,
                                                                          std::int64_t end) {
    for (std::int64_t r = begin; r < end; ++r) {
        const float* row = x + r * d;
        float s[16] = {};
        std::int64_t i = 0;
        for (; i + 16 <= d; i += 16) {
            for (int l = 0; l < 16; ++l) {
                s[l] += row[i + l] * row[i + l];
            }
        }
        float sum = 0;
        for (float v : s) {
            sum += v;
        }
        for (; i < d; ++i) {
            sum += row[i] * row[i];
        }
        const float scale = 1.0f / std::sqrt(sum / static_cast<float>(d) + 1e-5f);
        float* out = y + r * d;
        for (std::int64_t j = 0; j < d; ++j) {
            out[j] = row[j] * scale * weight[j];
        }
    }
}

__attribute__((target_clones("avx512f", "avx2", "default"))) void attentionHead(
    const float* q, const float* k, const float* v, float* out, std::int64_t queries,
    std::int64_t keys, std::int64_t d, bool causal, float* scratch) {
    const float scale = 1.0f / std::sqrt(static_cast<float>(d));
    const std::int64_t offset = keys - queries;
    for (std::int64_t i = 0; i < queries; ++i) {
        const float* qi = q + i * d;
        const std::int64_t visible = causal ? std::min(keys, offset + i + 1) : keys;
        float maxScore = -INFINITY;
        for (std::int64_t j = 0; j < visible; ++j) {
            const float* kj = k + j * d;
            float s[16] = {};
            std::int64_t t = 0;
            for (; t + 16 <= d; t += 16) {
                for (int l = 0; l < 16; ++l) {
                    s[l] += qi[t + l] * kj[t + l];
                }
            }
            float dot = 0;
            for (float x : s) {
                dot += x;
            }
            for (; t < d; ++t) {
                dot += qi[t] * kj[t];
            }
            scratch[j] = dot * scale;
            maxScore = std::max(maxScore, scratch[j]);
        }
        float total = 0;
        for (std::int64_t j = 0; j < visible; ++j) {
            scratch[j] = std::exp(scratch[j] - maxScore);
            total += scratch[j];
        }
        float* oi = out + i * d;
        std::fill(oi, oi + d, 0.0f);
        for (std::int64_t j = 0; j < visible; ++j) {
            const float p = scratch[j] / total;
            const float* vj = v + j * d;
            for (std::int64_t t = 0; t < d; ++t) {
                oi[t] += p * vj[t];
            }
        }
    }
}

}  // namespace rooflens::calibrate
