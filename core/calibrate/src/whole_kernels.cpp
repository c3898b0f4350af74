// Vector kernels of the whole-model forward pass (whole_kernels.h).
#include "whole_kernels.h"

#include "calibrate/gemm.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace rooflens::calibrate::whole {

namespace {

#define ROOFLENS_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))

// Inlined into every clone below (no target attribute of its own).
inline __attribute__((always_inline)) float expInline(float x) {
    // Branch-free so loops around it vectorize: clamps as selects, n = round(x log2 e) by the
    // 1.5 x 2^23 trick (its low mantissa bits then hold n as an integer).
    x = x < -87.0f ? -87.0f : x;
    x = x > 88.0f ? 88.0f : x;
    constexpr float kMagic = 12582912.0f;  // 1.5 x 2^23
    const float shifted = x * 1.44269504088896341f + kMagic;
    const float n = shifted - kMagic;
    const std::int32_t ni = std::bit_cast<std::int32_t>(shifted) - 0x4B400000;
    // r = x - n ln2 in two parts (Cody-Waite) so r keeps its low bits.
    const float r = (x - n * 0.693359375f) + n * 2.12194440e-4f;
    float p = 1.0f / 720;
    p = p * r + 1.0f / 120;
    p = p * r + 1.0f / 24;
    p = p * r + 1.0f / 6;
    p = p * r + 0.5f;
    p = p * r + 1.0f;
    p = p * r + 1.0f;
    return p * std::bit_cast<float>((ni + 127) << 23);
}

}  // namespace

float fastExp(float x) {
    return expInline(x);
}

ROOFLENS_CLONES void layerNorm(const float* x, const float* gamma, const float* beta, float* y,
                               std::int64_t d, std::int64_t begin, std::int64_t end) {
    for (std::int64_t r = begin; r < end; ++r) {
        const float* row = x + r * d;
        // Two passes (mean, then the centred squares), as PyTorch's kernel: no cancellation.
        float s[16] = {};
        std::int64_t i = 0;
        for (; i + 16 <= d; i += 16) {
            for (int l = 0; l < 16; ++l) {
                s[l] += row[i + l];
            }
        }
        float sum = 0;
        for (float v : s) {
            sum += v;
        }
        for (; i < d; ++i) {
            sum += row[i];
        }
        const float mean = sum / static_cast<float>(d);
        float q[16] = {};
        i = 0;
        for (; i + 16 <= d; i += 16) {
            for (int l = 0; l < 16; ++l) {
                const float c = row[i + l] - mean;
                q[l] += c * c;
            }
        }
        float squares = 0;
        for (float v : q) {
            squares += v;
        }
        for (; i < d; ++i) {
            squares += (row[i] - mean) * (row[i] - mean);
        }
        const float scale = 1.0f / std::sqrt(squares / static_cast<float>(d) + 1e-6f);
        float* out = y + r * d;
        for (std::int64_t j = 0; j < d; ++j) {
            out[j] = (row[j] - mean) * scale * gamma[j] + beta[j];
        }
    }
}

ROOFLENS_CLONES void addInPlace(float* y, const float* x, std::int64_t begin, std::int64_t end) {
    for (std::int64_t i = begin; i < end; ++i) {
        y[i] += x[i];
    }
}

ROOFLENS_CLONES void addBias(float* y, const float* bias, std::int64_t n, std::int64_t begin,
                             std::int64_t end) {
    for (std::int64_t r = begin; r < end; ++r) {
        float* row = y + r * n;
        for (std::int64_t j = 0; j < n; ++j) {
            row[j] += bias[j];
        }
    }
}

ROOFLENS_CLONES void siluMul(float* gate, const float* up, std::int64_t begin, std::int64_t end) {
    for (std::int64_t i = begin; i < end; ++i) {
        const float g = gate[i];
        gate[i] = g / (1.0f + expInline(-g)) * up[i];
    }
}

ROOFLENS_CLONES void gelu(float* x, std::int64_t begin, std::int64_t end) {
    // 0.5 x (1 + tanh(u)), tanh(u) = 1 - 2 / (e^(2u) + 1), u = sqrt(2/pi) (x + 0.044715 x^3).
    for (std::int64_t i = begin; i < end; ++i) {
        const float v = x[i];
        const float u = 0.7978845608f * (v + 0.044715f * v * v * v);
        const float t = 1.0f - 2.0f / (expInline(2.0f * u) + 1.0f);
        x[i] = 0.5f * v * (1.0f + t);
    }
}

ROOFLENS_CLONES void rope(float* x, std::int64_t heads, std::int64_t d, const float* cosTable,
                          const float* sinTable, std::int64_t first, std::int64_t begin,
                          std::int64_t end) {
    const std::int64_t half = d / 2;
    for (std::int64_t r = begin; r < end; ++r) {
        const float* c = cosTable + (first + r) * half;
        const float* s = sinTable + (first + r) * half;
        for (std::int64_t h = 0; h < heads; ++h) {
            float* v = x + r * heads * d + h * d;
            for (std::int64_t i = 0; i < half; ++i) {
                const float a = v[i];
                const float b = v[i + half];
                v[i] = a * c[i] - b * s[i];
                v[i + half] = b * c[i] + a * s[i];
            }
        }
    }
}

namespace {

// Row softmax in place over `visible` scores (scaled by `scale`), zeros up to `width`.
ROOFLENS_CLONES void softmaxRow(float* row, std::int64_t visible, std::int64_t width, float scale) {
    float maxScore = -INFINITY;
    for (std::int64_t j = 0; j < visible; ++j) {
        maxScore = std::max(maxScore, row[j]);
    }
    maxScore *= scale;
    float partial[16] = {};
    std::int64_t j = 0;
    for (; j + 16 <= visible; j += 16) {
        for (int l = 0; l < 16; ++l) {
            row[j + l] = expInline(row[j + l] * scale - maxScore);
            partial[l] += row[j + l];
        }
    }
    float total = 0;
    for (float x : partial) {
        total += x;
    }
    for (; j < visible; ++j) {
        row[j] = expInline(row[j] * scale - maxScore);
        total += row[j];
    }
    const float inverse = 1.0f / total;
    for (std::int64_t t = 0; t < visible; ++t) {
        row[t] *= inverse;
    }
    std::fill(row + visible, row + width, 0.0f);
}

}  // namespace

void attentionHeadBlocked(const float* q, std::int64_t ldq, const float* k, const float* v,
                          std::int64_t ldkv, float* out, std::int64_t ldo, std::int64_t queries,
                          std::int64_t keys, std::int64_t d, bool causal, float* scratch,
                          std::int64_t blockRows) {
    const float scale = 1.0f / std::sqrt(static_cast<float>(d));
    const std::int64_t offset = keys - queries;
    for (std::int64_t i0 = 0; i0 < queries; i0 += blockRows) {
        const std::int64_t rows = std::min(blockRows, queries - i0);
        const std::int64_t width = causal ? std::min(keys, offset + i0 + rows) : keys;
        sgemm(rows, width, d, q + i0 * ldq, ldq, k, ldkv, scratch, width);
        for (std::int64_t r = 0; r < rows; ++r) {
            const std::int64_t visible = causal ? std::min(keys, offset + i0 + r + 1) : keys;
            softmaxRow(scratch + r * width, visible, width, scale);
        }
        sgemmNN(rows, d, width, scratch, width, v, ldkv, out + i0 * ldo, ldo);
    }
}

#undef ROOFLENS_CLONES

}  // namespace rooflens::calibrate::whole
