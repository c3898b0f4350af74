#pragma once
// Reference kernels for model layers, used by `rooflens validate` and the calibration suite: a
// register-blocked SpMM with software prefetch (GNN aggregation, C7), a weight-streaming GEMV
// (LLM decode), RMSNorm and a fused-softmax attention for small shapes. Each works on a row
// range so callers split the rows over a ThreadTeam.
#include <cstdint>
#include <vector>

#include "calibrate/machine.h"

namespace rooflens::calibrate {

// CSR sparse matrix with FP32 values.
struct CsrGraph {
    std::int64_t rows = 0;
    std::int64_t cols = 0;
    std::vector<std::int64_t> rowPtr;  // rows + 1
    std::vector<std::int32_t> col;
    std::vector<float> value;
    std::int64_t nnz() const { return static_cast<std::int64_t>(col.size()); }
};

// `degree` nonzeros per row at uniformly random columns (a random graph's adjacency), sorted
// within each row; deterministic for a seed.
CsrGraph randomGraph(std::int64_t rows, std::int64_t cols, int degree, std::uint64_t seed);

// Y[r, :] = sum_e A[r, e] * X[col(e), :] for rows [begin, end); X and Y are row-major with
// `features` columns. F = 64 on AVX-512 uses 4 zmm accumulators and prefetches the row 8
// nonzeros ahead (calibration.md 3.4); other widths use a portable loop.
void spmm(const CsrGraph& a, const float* x, float* y, int features, std::int64_t begin,
          std::int64_t end, const CpuFeatures& features_);

// Naive reference for tests: the same product with double accumulation.
void spmmReference(const CsrGraph& a, const float* x, float* y, int features);

// y[n] = sum_k W[n, k] x[k] for output rows [begin, end) of a row-major [N x K] weight (the
// PyTorch Linear layout): streams W once, x stays in L1.
void gemv(const float* w, const float* x, float* y, std::int64_t k, std::int64_t begin,
          std::int64_t end, const CpuFeatures& features);

// RMSNorm of rows [begin, end) of a [rows x d] matrix: y = x / rms(x) * weight.
void rmsNorm(const float* x, const float* weight, float* y, std::int64_t d, std::int64_t begin,
             std::int64_t end);

// Fused attention of one head: out[i] = softmax(q[i] K^T / sqrt(d)) V over the keys query i
// may see (causal: keys [0, keys - queries + i]). q, out: [queries x d]; k, v: [keys x d];
// scratch: `keys` floats.
void attentionHead(const float* q, const float* k, const float* v, float* out, std::int64_t queries,
                   std::int64_t keys, std::int64_t d, bool causal, float* scratch);

}  // namespace rooflens::calibrate
