// cuBLASLt GEMM and cuSPARSE SpMM benchmarks. Both libraries are loaded with dlopen, so the
// binary runs (and reports a clear error) where they are not installed.
#include <cublasLt.h>
#include <cuda_runtime.h>
#include <cusparse.h>
#include <dlfcn.h>

#include <algorithm>
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
    GemmBench(int device, GemmKind kind, int m, int n, int k, int copies) {
        m_copies = std::max(1, copies);
        m_work = 2.0 * m * n * k * m_copies;
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
        FillKind fill = FillKind::f16;
        switch (kind) {
            case GemmKind::fp16:
                break;
            case GemmKind::bf16:
                ab = cd = CUDA_R_16BF;
                fill = FillKind::bf16;
                break;
            case GemmKind::tf32:
                ab = cd = CUDA_R_32F;
                compute = CUBLAS_COMPUTE_32F_FAST_TF32;
                abBytes = cdBytes = 4;
                fill = FillKind::f32;
                break;
            case GemmKind::fp8:
                ab = CUDA_R_8F_E4M3;
                cd = CUDA_R_16BF;
                abBytes = 1;
                fill = FillKind::fp8_e4m3;
                break;
            case GemmKind::int8:
                ab = CUDA_R_8I;
                cd = CUDA_R_32I;
                compute = CUBLAS_COMPUTE_32I;
                scale = CUDA_R_32I;
                abBytes = 1;
                cdBytes = 4;
                fill = FillKind::i8;
                break;
        }
        m_int = scale == CUDA_R_32I;
        const std::size_t workspace = std::size_t{32} << 20;
        const std::size_t aElems = static_cast<std::size_t>(m) * k;
        const std::size_t bElems = static_cast<std::size_t>(k) * n;
        const std::size_t dElems = static_cast<std::size_t>(m) * n;
        for (int c = 0; c < m_copies; ++c) {
            void* a = nullptr;
            void* b = nullptr;
            void* d = nullptr;
            const bool allocated = cudaMalloc(&a, abBytes * aElems) == cudaSuccess &&
                                   cudaMalloc(&b, abBytes * bElems) == cudaSuccess &&
                                   cudaMalloc(&d, cdBytes * dElems) == cudaSuccess;
            m_a.push_back(a);
            m_b.push_back(b);
            m_d.push_back(d);
            if (!allocated) {
                m_error = "cudaMalloc failed";
                return;
            }
            if (!fillRandom(a, aElems, fill, 2u * c, m_error) ||
                !fillRandom(b, bElems, fill, 2u * c + 1, m_error)) {
                return;
            }
        }
        if (cudaMalloc(&m_workspace, workspace) != cudaSuccess) {
            m_error = "cudaMalloc failed";
            return;
        }
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
        if (cudaStreamCreateWithFlags(&m_stream, cudaStreamNonBlocking) != cudaSuccess ||
            cudaEventCreate(&m_start) != cudaSuccess || cudaEventCreate(&m_stop) != cudaSuccess) {
            m_error = "cudaStreamCreate/cudaEventCreate failed";
            return;
        }
        // Autotuning, as cuBLASLt's documentation recommends: its heuristic's first choice can
        // be several times slower than another candidate for skinny shapes; keep the fastest.
        constexpr int kCandidates = 8;
        cublasLtMatmulHeuristicResult_t candidates[kCandidates] = {};
        int found = 0;
        if (m_lt.heuristic(m_handle, m_desc, m_la, m_lb, m_ld, m_ld, m_pref, kCandidates,
                           candidates, &found) != CUBLAS_STATUS_SUCCESS ||
            found == 0) {
            m_error = "cuBLASLt has no algorithm for this type on this GPU";
            return;
        }
        float best = -1;
        for (int i = 0; i < found; ++i) {
            if (candidates[i].state != CUBLAS_STATUS_SUCCESS) {
                continue;
            }
            cudaGraphExec_t exec = nullptr;
            const float ms =
                m_copies > 1 ? timeGraph(candidates[i].algo, exec) : timeEager(candidates[i].algo);
            if (ms > 0 && (best < 0 || ms < best)) {
                best = ms;
                m_algo = candidates[i];
                std::swap(exec, m_exec);
            }
            if (exec != nullptr) {
                cudaGraphExecDestroy(exec);
            }
        }
        cudaGetLastError();  // a candidate that failed must not fail the measurement
        if (best < 0) {
            m_error = "cuBLASLt: no candidate algorithm ran for this shape";
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
        if (m_exec != nullptr) {
            cudaGraphExecDestroy(m_exec);
        }
        if (m_stream != nullptr) {
            cudaStreamDestroy(m_stream);
        }
        if (m_start != nullptr) {
            cudaEventDestroy(m_start);
        }
        if (m_stop != nullptr) {
            cudaEventDestroy(m_stop);
        }
        for (auto* list : {&m_a, &m_b, &m_d}) {
            for (void* p : *list) {
                cudaFree(p);
            }
        }
        cudaFree(m_workspace);
    }
    bool run(long long iterations) override {
        if (!m_error.empty()) {
            return false;
        }
        if (m_exec != nullptr) {
            for (long long i = 0; i < iterations; ++i) {
                if (cudaGraphLaunch(m_exec, m_stream) != cudaSuccess) {
                    m_error = "cudaGraphLaunch failed";
                    return false;
                }
            }
            if (cudaStreamSynchronize(m_stream) != cudaSuccess) {
                m_error = "cublasLtMatmul (graph): kernel failure";
                return false;
            }
            return true;
        }
        for (long long i = 0; i < iterations; ++i) {
            if (!launch(0, m_stream, m_algo.algo)) {
                m_error = "cublasLtMatmul failed";
                return false;
            }
        }
        if (cudaStreamSynchronize(m_stream) != cudaSuccess) {
            m_error = "cublasLtMatmul: kernel failure";
            return false;
        }
        return true;
    }

private:
    bool launch(int copy, cudaStream_t stream, const cublasLtMatmulAlgo_t& algo) {
        const float alphaF = 1.0f;
        const float betaF = 0.0f;
        const int alphaI = 1;
        const int betaI = 0;
        const void* alpha = m_int ? static_cast<const void*>(&alphaI) : &alphaF;
        const void* beta = m_int ? static_cast<const void*>(&betaI) : &betaF;
        return m_lt.matmul(m_handle, m_desc, alpha, m_a[copy], m_la, m_b[copy], m_lb, beta,
                           m_d[copy], m_ld, m_d[copy], m_ld, &algo, m_workspace,
                           std::size_t{32} << 20, stream) == CUBLAS_STATUS_SUCCESS;
    }

    // Milliseconds of three rounds of every copy after one warm-up round, timed with events
    // (the large single GEMMs of the peaks); -1 when the algorithm does not run.
    float timeEager(const cublasLtMatmulAlgo_t& algo) {
        for (int round = 0; round < 4; ++round) {
            if (round == 1) {
                cudaEventRecord(m_start, m_stream);
            }
            for (int c = 0; c < m_copies; ++c) {
                if (!launch(c, m_stream, algo)) {
                    cudaStreamSynchronize(m_stream);
                    return -1;
                }
            }
        }
        cudaEventRecord(m_stop, m_stream);
        float ms = -1;
        if (cudaEventSynchronize(m_stop) != cudaSuccess ||
            cudaEventElapsedTime(&ms, m_start, m_stop) != cudaSuccess) {
            return -1;
        }
        return ms;
    }

    // One graph of every copy's GEMM with `algo` (the scalars are read at capture: host
    // pointer mode) in `exec`; milliseconds of three replays after a warm-up, or -1.
    float timeGraph(const cublasLtMatmulAlgo_t& algo, cudaGraphExec_t& exec) {
        for (int c = 0; c < m_copies; ++c) {  // outside the capture: workspaces, modules
            if (!launch(c, m_stream, algo)) {
                cudaStreamSynchronize(m_stream);
                return -1;
            }
        }
        if (cudaStreamSynchronize(m_stream) != cudaSuccess) {
            return -1;
        }
        cudaGraph_t graph = nullptr;
        if (cudaStreamBeginCapture(m_stream, cudaStreamCaptureModeThreadLocal) != cudaSuccess) {
            return -1;
        }
        bool ok = true;
        for (int c = 0; c < m_copies && ok; ++c) {
            ok = launch(c, m_stream, algo);
        }
        const bool ended = cudaStreamEndCapture(m_stream, &graph) == cudaSuccess;
        if (!ok || !ended || cudaGraphInstantiate(&exec, graph, 0) != cudaSuccess) {
            exec = nullptr;
        }
        if (graph != nullptr) {
            cudaGraphDestroy(graph);
        }
        if (exec == nullptr) {
            cudaGetLastError();
            return -1;
        }
        cudaGraphLaunch(exec, m_stream);
        cudaEventRecord(m_start, m_stream);
        for (int r = 0; r < 3; ++r) {
            cudaGraphLaunch(exec, m_stream);
        }
        cudaEventRecord(m_stop, m_stream);
        float ms = -1;
        if (cudaEventSynchronize(m_stop) != cudaSuccess ||
            cudaEventElapsedTime(&ms, m_start, m_stop) != cudaSuccess) {
            return -1;
        }
        return ms;
    }

    Lt m_lt;
    bool m_int = false;
    int m_copies = 1;
    std::vector<void*> m_a;
    std::vector<void*> m_b;
    std::vector<void*> m_d;
    void* m_workspace = nullptr;
    cudaStream_t m_stream = nullptr;
    cudaGraphExec_t m_exec = nullptr;
    cudaEvent_t m_start = nullptr;
    cudaEvent_t m_stop = nullptr;
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

Bench* makeGemmBench(int device, GemmKind kind, int m, int n, int k, int copies) {
    return new GemmBench(device, kind, m, n, k, copies);
}

Bench* makeSpmmBench(int device, int rows, int cols, const std::int32_t* rowPtr,
                     const std::int32_t* col, const float* value, int nnz, int features) {
    return new SpmmBench(device, rows, cols, rowPtr, col, value, nnz, features);
}

}  // namespace rooflens::calibrate::cuda
