// cuBLASLt GEMM and cuSPARSE SpMM benchmarks. Both libraries are loaded with dlopen, so the
// binary runs (and reports a clear error) where they are not installed.
#include <cublasLt.h>
#include <cuda_runtime.h>
#include <cusparse.h>
#include <dlfcn.h>

#include <vector>

#include "cuda_kernels.h"

namespace rooflens::calibrate::cuda {

namespace {

void* openLibrary(std::initializer_list<const char*> names) {
    for (const char* name : names) {
        if (void* handle = dlopen(name, RTLD_NOW | RTLD_LOCAL)) {
            return handle;
        }
    }
    return nullptr;
}

template <typename F>
bool symbol(void* library, const char* name, F& out, std::string& error) {
    out = reinterpret_cast<F>(dlsym(library, name));
    if (out == nullptr && error.empty()) {
        error = std::string("missing symbol ") + name;
    }
    return out != nullptr;
}

struct Lt {
    void* library = nullptr;
    decltype(&cublasLtCreate) create = nullptr;
    decltype(&cublasLtDestroy) destroy = nullptr;
    decltype(&cublasLtMatmulDescCreate) descCreate = nullptr;
    decltype(&cublasLtMatmulDescDestroy) descDestroy = nullptr;
    decltype(&cublasLtMatmulDescSetAttribute) descSet = nullptr;
    decltype(&cublasLtMatrixLayoutCreate) layoutCreate = nullptr;
    decltype(&cublasLtMatrixLayoutDestroy) layoutDestroy = nullptr;
    decltype(&cublasLtMatmulPreferenceCreate) prefCreate = nullptr;
    decltype(&cublasLtMatmulPreferenceDestroy) prefDestroy = nullptr;
    decltype(&cublasLtMatmulPreferenceSetAttribute) prefSet = nullptr;
    decltype(&cublasLtMatmulAlgoGetHeuristic) heuristic = nullptr;
    decltype(&cublasLtMatmul) matmul = nullptr;

    bool load(std::string& error) {
        library = openLibrary(
            {"libcublasLt.so", "libcublasLt.so.13", "libcublasLt.so.12", "libcublasLt.so.11"});
        if (library == nullptr) {
            error = "cuBLASLt not found (libcublasLt.so): no GEMM peaks";
            return false;
        }
        return symbol(library, "cublasLtCreate", create, error) &&
               symbol(library, "cublasLtDestroy", destroy, error) &&
               symbol(library, "cublasLtMatmulDescCreate", descCreate, error) &&
               symbol(library, "cublasLtMatmulDescDestroy", descDestroy, error) &&
               symbol(library, "cublasLtMatmulDescSetAttribute", descSet, error) &&
               symbol(library, "cublasLtMatrixLayoutCreate", layoutCreate, error) &&
               symbol(library, "cublasLtMatrixLayoutDestroy", layoutDestroy, error) &&
               symbol(library, "cublasLtMatmulPreferenceCreate", prefCreate, error) &&
               symbol(library, "cublasLtMatmulPreferenceDestroy", prefDestroy, error) &&
               symbol(library, "cublasLtMatmulPreferenceSetAttribute", prefSet, error) &&
               symbol(library, "cublasLtMatmulAlgoGetHeuristic", heuristic, error) &&
               symbol(library, "cublasLtMatmul", matmul, error);
    }
};

// D = A^T B in cuBLASLt's column-major terms (TN, the layout FP8 and INT8 require).
class GemmBench final : public Bench {
public:
    GemmBench(int device, GemmKind kind, int m, int n, int k) {
        m_work = 2.0 * m * n * k;
        if (cudaSetDevice(device) != cudaSuccess || !m_lt.load(m_error)) {
            if (m_error.empty()) {
                m_error = "cudaSetDevice failed";
            }
            return;
        }
        cudaDataType_t ab = CUDA_R_16F;
        cudaDataType_t cd = CUDA_R_16F;
        cublasComputeType_t compute = CUBLAS_COMPUTE_32F;
        cudaDataType_t scale = CUDA_R_32F;
        std::size_t abBytes = 2;
        std::size_t cdBytes = 2;
        switch (kind) {
            case GemmKind::fp16:
                break;
            case GemmKind::bf16:
                ab = cd = CUDA_R_16BF;
                break;
            case GemmKind::tf32:
                ab = cd = CUDA_R_32F;
                compute = CUBLAS_COMPUTE_32F_FAST_TF32;
                abBytes = cdBytes = 4;
                break;
            case GemmKind::fp8:
                ab = CUDA_R_8F_E4M3;
                cd = CUDA_R_16BF;
                abBytes = 1;
                break;
            case GemmKind::int8:
                ab = CUDA_R_8I;
                cd = CUDA_R_32I;
                compute = CUBLAS_COMPUTE_32I;
                scale = CUDA_R_32I;
                abBytes = 1;
                cdBytes = 4;
                break;
        }
        m_int = scale == CUDA_R_32I;
        const std::size_t workspace = std::size_t{32} << 20;
        if (cudaMalloc(&m_a, abBytes * m * k) != cudaSuccess ||
            cudaMalloc(&m_b, abBytes * k * n) != cudaSuccess ||
            cudaMalloc(&m_d, cdBytes * m * n) != cudaSuccess ||
            cudaMalloc(&m_workspace, workspace) != cudaSuccess) {
            m_error = "cudaMalloc failed";
            return;
        }
        cudaMemset(m_a, 0, abBytes * m * k);
        cudaMemset(m_b, 0, abBytes * k * n);
        const cublasOperation_t transA = CUBLAS_OP_T;
        const cublasOperation_t transB = CUBLAS_OP_N;
        if (m_lt.create(&m_handle) != CUBLAS_STATUS_SUCCESS ||
            m_lt.descCreate(&m_desc, compute, scale) != CUBLAS_STATUS_SUCCESS ||
            m_lt.descSet(m_desc, CUBLASLT_MATMUL_DESC_TRANSA, &transA, sizeof transA) !=
                CUBLAS_STATUS_SUCCESS ||
            m_lt.descSet(m_desc, CUBLASLT_MATMUL_DESC_TRANSB, &transB, sizeof transB) !=
                CUBLAS_STATUS_SUCCESS ||
            m_lt.layoutCreate(&m_la, ab, k, m, k) != CUBLAS_STATUS_SUCCESS ||
            m_lt.layoutCreate(&m_lb, ab, k, n, k) != CUBLAS_STATUS_SUCCESS ||
            m_lt.layoutCreate(&m_ld, cd, m, n, m) != CUBLAS_STATUS_SUCCESS ||
            m_lt.prefCreate(&m_pref) != CUBLAS_STATUS_SUCCESS ||
            m_lt.prefSet(m_pref, CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES, &workspace,
                         sizeof workspace) != CUBLAS_STATUS_SUCCESS) {
            m_error = "cuBLASLt setup failed";
            return;
        }
        int found = 0;
        if (m_lt.heuristic(m_handle, m_desc, m_la, m_lb, m_ld, m_ld, m_pref, 1, &m_algo, &found) !=
                CUBLAS_STATUS_SUCCESS ||
            found == 0) {
            m_error = "cuBLASLt has no algorithm for this type on this GPU";
        }
    }
    ~GemmBench() override {
        if (m_lt.library != nullptr) {
            if (m_pref)
                m_lt.prefDestroy(m_pref);
            if (m_la)
                m_lt.layoutDestroy(m_la);
            if (m_lb)
                m_lt.layoutDestroy(m_lb);
            if (m_ld)
                m_lt.layoutDestroy(m_ld);
            if (m_desc)
                m_lt.descDestroy(m_desc);
            if (m_handle)
                m_lt.destroy(m_handle);
        }
        cudaFree(m_a);
        cudaFree(m_b);
        cudaFree(m_d);
        cudaFree(m_workspace);
    }
    bool run(long long iterations) override {
        if (!m_error.empty()) {
            return false;
        }
        const float alphaF = 1.0f;
        const float betaF = 0.0f;
        const int alphaI = 1;
        const int betaI = 0;
        const void* alpha = m_int ? static_cast<const void*>(&alphaI) : &alphaF;
        const void* beta = m_int ? static_cast<const void*>(&betaI) : &betaF;
        for (long long i = 0; i < iterations; ++i) {
            if (m_lt.matmul(m_handle, m_desc, alpha, m_a, m_la, m_b, m_lb, beta, m_d, m_ld, m_d,
                            m_ld, &m_algo.algo, m_workspace, std::size_t{32} << 20,
                            nullptr) != CUBLAS_STATUS_SUCCESS) {
                m_error = "cublasLtMatmul failed";
                return false;
            }
        }
        if (cudaDeviceSynchronize() != cudaSuccess) {
            m_error = "cublasLtMatmul: kernel failure";
            return false;
        }
        return true;
    }

private:
    Lt m_lt;
    bool m_int = false;
    void* m_a = nullptr;
    void* m_b = nullptr;
    void* m_d = nullptr;
    void* m_workspace = nullptr;
    cublasLtHandle_t m_handle = nullptr;
    cublasLtMatmulDesc_t m_desc = nullptr;
    cublasLtMatrixLayout_t m_la = nullptr;
    cublasLtMatrixLayout_t m_lb = nullptr;
    cublasLtMatrixLayout_t m_ld = nullptr;
    cublasLtMatmulPreference_t m_pref = nullptr;
    cublasLtMatmulHeuristicResult_t m_algo{};
};

struct Sparse {
    void* library = nullptr;
    decltype(&cusparseCreate) create = nullptr;
    decltype(&cusparseDestroy) destroy = nullptr;
    decltype(&cusparseCreateCsr) createCsr = nullptr;
    decltype(&cusparseDestroySpMat) destroySp = nullptr;
    decltype(&cusparseCreateDnMat) createDn = nullptr;
    decltype(&cusparseDestroyDnMat) destroyDn = nullptr;
    decltype(&cusparseSpMM_bufferSize) bufferSize = nullptr;
    decltype(&cusparseSpMM) spmm = nullptr;

    bool load(std::string& error) {
        library = openLibrary({"libcusparse.so", "libcusparse.so.12", "libcusparse.so.11"});
        if (library == nullptr) {
            error = "cuSPARSE not found (libcusparse.so): no SpMM";
            return false;
        }
        return symbol(library, "cusparseCreate", create, error) &&
               symbol(library, "cusparseDestroy", destroy, error) &&
               symbol(library, "cusparseCreateCsr", createCsr, error) &&
               symbol(library, "cusparseDestroySpMat", destroySp, error) &&
               symbol(library, "cusparseCreateDnMat", createDn, error) &&
               symbol(library, "cusparseDestroyDnMat", destroyDn, error) &&
               symbol(library, "cusparseSpMM_bufferSize", bufferSize, error) &&
               symbol(library, "cusparseSpMM", spmm, error);
    }
};

class SpmmBench final : public Bench {
public:
    SpmmBench(int device, int rows, int cols, const std::int32_t* rowPtr, const std::int32_t* col,
              const float* value, int nnz, int features) {
        m_work = 2.0 * nnz * features;
        if (cudaSetDevice(device) != cudaSuccess || !m_sp.load(m_error)) {
            if (m_error.empty()) {
                m_error = "cudaSetDevice failed";
            }
            return;
        }
        const std::size_t xBytes = sizeof(float) * static_cast<std::size_t>(cols) * features;
        const std::size_t yBytes = sizeof(float) * static_cast<std::size_t>(rows) * features;
        if (cudaMalloc(&m_rowPtr, sizeof(std::int32_t) * (rows + 1)) != cudaSuccess ||
            cudaMalloc(&m_col, sizeof(std::int32_t) * nnz) != cudaSuccess ||
            cudaMalloc(&m_value, sizeof(float) * nnz) != cudaSuccess ||
            cudaMalloc(&m_x, xBytes) != cudaSuccess || cudaMalloc(&m_y, yBytes) != cudaSuccess) {
            m_error = "cudaMalloc failed";
            return;
        }
        cudaMemcpy(m_rowPtr, rowPtr, sizeof(std::int32_t) * (rows + 1), cudaMemcpyHostToDevice);
        cudaMemcpy(m_col, col, sizeof(std::int32_t) * nnz, cudaMemcpyHostToDevice);
        cudaMemcpy(m_value, value, sizeof(float) * nnz, cudaMemcpyHostToDevice);
        cudaMemset(m_x, 0, xBytes);
        if (m_sp.create(&m_handle) != CUSPARSE_STATUS_SUCCESS ||
            m_sp.createCsr(&m_a, rows, cols, nnz, m_rowPtr, m_col, m_value, CUSPARSE_INDEX_32I,
                           CUSPARSE_INDEX_32I, CUSPARSE_INDEX_BASE_ZERO,
                           CUDA_R_32F) != CUSPARSE_STATUS_SUCCESS ||
            m_sp.createDn(&m_dx, cols, features, cols, m_x, CUDA_R_32F, CUSPARSE_ORDER_COL) !=
                CUSPARSE_STATUS_SUCCESS ||
            m_sp.createDn(&m_dy, rows, features, rows, m_y, CUDA_R_32F, CUSPARSE_ORDER_COL) !=
                CUSPARSE_STATUS_SUCCESS) {
            m_error = "cuSPARSE setup failed";
            return;
        }
        std::size_t bytes = 0;
        if (m_sp.bufferSize(m_handle, CUSPARSE_OPERATION_NON_TRANSPOSE,
                            CUSPARSE_OPERATION_NON_TRANSPOSE, &m_alpha, m_a, m_dx, &m_beta, m_dy,
                            CUDA_R_32F, CUSPARSE_SPMM_ALG_DEFAULT,
                            &bytes) != CUSPARSE_STATUS_SUCCESS ||
            cudaMalloc(&m_buffer, bytes > 0 ? bytes : 1) != cudaSuccess) {
            m_error = "cusparseSpMM_bufferSize failed";
        }
    }
    ~SpmmBench() override {
        if (m_sp.library != nullptr) {
            if (m_dx)
                m_sp.destroyDn(m_dx);
            if (m_dy)
                m_sp.destroyDn(m_dy);
            if (m_a)
                m_sp.destroySp(m_a);
            if (m_handle)
                m_sp.destroy(m_handle);
        }
        for (void* p : {m_rowPtr, m_col, m_value, m_x, m_y, m_buffer}) {
            cudaFree(p);
        }
    }
    bool run(long long iterations) override {
        if (!m_error.empty()) {
            return false;
        }
        for (long long i = 0; i < iterations; ++i) {
            if (m_sp.spmm(m_handle, CUSPARSE_OPERATION_NON_TRANSPOSE,
                          CUSPARSE_OPERATION_NON_TRANSPOSE, &m_alpha, m_a, m_dx, &m_beta, m_dy,
                          CUDA_R_32F, CUSPARSE_SPMM_ALG_DEFAULT,
                          m_buffer) != CUSPARSE_STATUS_SUCCESS) {
                m_error = "cusparseSpMM failed";
                return false;
            }
        }
        if (cudaDeviceSynchronize() != cudaSuccess) {
            m_error = "cusparseSpMM: kernel failure";
            return false;
        }
        return true;
    }

private:
    Sparse m_sp;
    float m_alpha = 1.0f;
    float m_beta = 0.0f;
    void* m_rowPtr = nullptr;
    void* m_col = nullptr;
    void* m_value = nullptr;
    void* m_x = nullptr;
    void* m_y = nullptr;
    void* m_buffer = nullptr;
    cusparseHandle_t m_handle = nullptr;
    cusparseSpMatDescr_t m_a = nullptr;
    cusparseDnMatDescr_t m_dx = nullptr;
    cusparseDnMatDescr_t m_dy = nullptr;
};

}  // namespace

Bench* makeGemmBench(int device, GemmKind kind, int m, int n, int k) {
    return new GemmBench(device, kind, m, n, k);
}

Bench* makeSpmmBench(int device, int rows, int cols, const std::int32_t* rowPtr,
                     const std::int32_t* col, const float* value, int nnz, int features) {
    return new SpmmBench(device, rows, cols, rowPtr, col, value, nnz, features);
}

}  // namespace rooflens::calibrate::cuda
