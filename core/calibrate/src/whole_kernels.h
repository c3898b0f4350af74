#pragma once
// The vector kernels of the whole-model forward pass (whole_model.cpp): FP32, one row range per
// call so the caller splits rows (or elements) over its threads. Each is compiled for AVX-512,
// AVX2 and the baseline (target_clones) and chosen at run time, like layer_kernels.cpp.
#include <cstdint>

namespace rooflens::calibrate::whole {

// e^x in FP32 without libm (vectorizable): 2^n e^r with n = round(x log2 e), |r| <= ln2 / 2 and
// a degree-6 Taylor polynomial (relative error below 2e-7); x clamped to [-87, 88].
float fastExp(float x);

// LayerNorm of rows [begin, end) of [rows x d]: (x - mean) / sqrt(var + eps) * gamma + beta.
void layerNorm(const float* x, const float* gamma, const float* beta, float* y, std::int64_t d,
               std::int64_t begin, std::int64_t end);
// y[i] += x[i] for i in [begin, end) (residual add).
void addInPlace(float* y, const float* x, std::int64_t begin, std::int64_t end);
// Row bias: y[r, j] += bias[j] for rows [begin, end) of [rows x n].
void addBias(float* y, const float* bias, std::int64_t n, std::int64_t begin, std::int64_t end);
// gate[i] = silu(gate[i]) * up[i] for i in [begin, end) (SwiGLU's act_mul).
void siluMul(float* gate, const float* up, std::int64_t begin, std::int64_t end);
// x[i] = gelu(x[i]) (tanh form) for i in [begin, end).
void gelu(float* x, std::int64_t begin, std::int64_t end);
// Rotary embedding (Hugging Face rotate_half) of rows [begin, end) of [rows x heads*d], row r at
// position first + r; cos/sin tables [positions x d/2].
void rope(float* x, std::int64_t heads, std::int64_t d, const float* cosTable,
          const float* sinTable, std::int64_t first, std::int64_t begin, std::int64_t end);
// One attention head over `keys` K and V rows of d elements, `ldkv` apart, by blocks of
// `blockRows` queries, as CPU frameworks run it: for query i (row i of q, stride ldq)
// out[i] = softmax(q_i K^T / sqrt(d)) V over the keys it may see (causal: keys
// [0, keys - queries + i]); S = Q K^T over the keys the block can see and O = P V through oneDNN
// sgemm, the masked softmax of each row in between (keys a query may not see get probability
// 0). scratch: blockRows x keys floats.
void attentionHeadBlocked(const float* q, std::int64_t ldq, const float* k, const float* v,
                          std::int64_t ldkv, float* out, std::int64_t ldo, std::int64_t queries,
                          std::int64_t keys, std::int64_t d, bool causal, float* scratch,
                          std::int64_t blockRows = 64);

}  // namespace rooflens::calibrate::whole
