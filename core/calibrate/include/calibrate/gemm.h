#pragma once
// The "achievable GEMM" sub-roof (C6): vendor GEMM through oneDNN. dnnl_sgemm for FP32,
// dnnl_gemm_u8s8s32 for INT8 and a BF16 matmul primitive (prepacked weights, FP32 output).
// Without oneDNN at build time every runner reports an error and the suite skips the GEMMs.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/datatypes.h"
#include "core/result.h"

namespace rooflens::calibrate {

// oneDNN's version ("2.6.3 (OpenMP)"), or "" when built without it.
std::string dnnlVersion();
bool dnnlAvailable();

enum class GemmType : std::uint8_t { fp32, bf16, int8 };
std::string_view nameOf(GemmType type);
core::DataType dataTypeOf(GemmType type);

struct GemmShape {
    std::int64_t m = 0;  // rows of A and C (tokens)
    std::int64_t n = 0;  // columns of B and C (output features)
    std::int64_t k = 0;  // reduction (input features)
    double ops() const {
        return 2.0 * static_cast<double>(m) * static_cast<double>(n) * static_cast<double>(k);
    }
};

// C[M x N] = A[M x K] x W^T with W row-major [N x K] (the PyTorch Linear layout).
class GemmRunner {
public:
    virtual ~GemmRunner() = default;
    // Allocates and initialises the operands on the calling thread.
    static core::Result<std::unique_ptr<GemmRunner>> create(GemmType type, const GemmShape& shape);
    virtual void run(std::int64_t iterations) = 0;
    virtual std::string_view implementation() const = 0;  // "dnnl_sgemm", ...
    const GemmShape& shape() const { return m_shape; }

protected:
    GemmShape m_shape;
};

// C[M x N] = A[M x K] x W^T (+ C when accumulate) on the caller's buffers, row-major with
// leading dimensions lda, ldw, ldc, through dnnl_sgemm. False when built without oneDNN.
bool sgemm(std::int64_t m, std::int64_t n, std::int64_t k, const float* a, std::int64_t lda,
           const float* w, std::int64_t ldw, float* c, std::int64_t ldc, bool accumulate = false);

// C[M x N] = A[M x K] x B with B row-major [K x N] (leading dimension ldb), through dnnl_sgemm.
bool sgemmNN(std::int64_t m, std::int64_t n, std::int64_t k, const float* a, std::int64_t lda,
             const float* b, std::int64_t ldb, float* c, std::int64_t ldc);

// Threads the library may use: OpenMP threads set to cpus.size() and pinned one per CPU. Call
// from the thread that will call run().
void setLibraryThreads(const std::vector<int>& cpus);

}  // namespace rooflens::calibrate
