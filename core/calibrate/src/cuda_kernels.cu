// CUDA kernels and library calls of the GPU calibration (see cuda_backend.h).
#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_fp8.h>
#include <cuda_runtime.h>

#include <algorithm>
#include <vector>

#include "cuda_kernels.h"

namespace rooflens::calibrate::cuda {

namespace {

bool check(cudaError_t status, std::string& error, const char* what) {
    if (status == cudaSuccess) {
        return true;
    }
    error = std::string(what) + ": " + cudaGetErrorString(status);
    return false;
}

__global__ void readKernel(const float4* a, std::size_t n, float* sink) {
    float4 s = make_float4(0, 0, 0, 0);
    for (std::size_t i = blockIdx.x * blockDim.x + threadIdx.x; i < n;
         i += static_cast<std::size_t>(gridDim.x) * blockDim.x) {
        const float4 v = a[i];
        s.x += v.x;
        s.y += v.y;
        s.z += v.z;
        s.w += v.w;
    }
    if (s.x + s.y + s.z + s.w == -1.0f) {  // never true; keeps the loads
        *sink = s.x;
    }
}

__global__ void copyKernel(float4* b, const float4* a, std::size_t n) {
    for (std::size_t i = blockIdx.x * blockDim.x + threadIdx.x; i < n;
         i += static_cast<std::size_t>(gridDim.x) * blockDim.x) {
        b[i] = a[i];
    }
}

__global__ void triadKernel(float4* a, const float4* b, const float4* c, std::size_t n) {
    for (std::size_t i = blockIdx.x * blockDim.x + threadIdx.x; i < n;
         i += static_cast<std::size_t>(gridDim.x) * blockDim.x) {
        const float4 x = b[i];
        const float4 y = c[i];
        a[i] = make_float4(x.x + 0.5f * y.x, x.y + 0.5f * y.y, x.z + 0.5f * y.z, x.w + 0.5f * y.w);
    }
}

constexpr int kFmaChains = 8;
constexpr int kFmaInner = 256;

__global__ void fmaFp32Kernel(float m, float c, float* sink) {
    float a[kFmaChains];
    for (int j = 0; j < kFmaChains; ++j) {
        a[j] = threadIdx.x * 1e-3f + j;
    }
    for (int i = 0; i < kFmaInner; ++i) {
#pragma unroll
        for (int j = 0; j < kFmaChains; ++j) {
            a[j] = fmaf(a[j], m, c);
        }
    }
    float s = 0;
    for (int j = 0; j < kFmaChains; ++j) {
        s += a[j];
    }
    if (s == -1.0f) {
        *sink = s;
    }
}

__global__ void fmaFp16Kernel(float m, float c, float* sink) {
    __half2 a[kFmaChains];
    const __half2 hm = __float2half2_rn(m);
    const __half2 hc = __float2half2_rn(c);
    for (int j = 0; j < kFmaChains; ++j) {
        a[j] = __float2half2_rn(threadIdx.x * 1e-3f + j * 0.1f);
    }
    for (int i = 0; i < kFmaInner; ++i) {
#pragma unroll
        for (int j = 0; j < kFmaChains; ++j) {
            a[j] = __hfma2(a[j], hm, hc);
        }
    }
    float s = 0;
    for (int j = 0; j < kFmaChains; ++j) {
        s += __low2float(a[j]) + __high2float(a[j]);
    }
    if (s == -1.0f) {
        *sink = s;
    }
}

__device__ float hashUnit(std::size_t i, unsigned seed) {
    unsigned x = static_cast<unsigned>(i) * 2654435761u ^ static_cast<unsigned>(i >> 32) ^
                 (seed * 0x9e3779b9u);
    x ^= x >> 16;
    x *= 0x7feb352du;
    x ^= x >> 15;
    x *= 0x846ca68bu;
    x ^= x >> 16;
    return static_cast<float>(x >> 8) * (2.0f / 16777216.0f) - 1.0f;  // [-1, 1)
}

__global__ void fillKernel(void* data, std::size_t n, int kind, unsigned seed) {
    for (std::size_t i = blockIdx.x * blockDim.x + threadIdx.x; i < n;
         i += static_cast<std::size_t>(gridDim.x) * blockDim.x) {
        const float v = hashUnit(i, seed);
        switch (kind) {
            case 0:
                static_cast<float*>(data)[i] = v;
                break;
            case 1:
                static_cast<__half*>(data)[i] = __float2half(v);
                break;
            case 2:
                static_cast<__nv_bfloat16*>(data)[i] = __float2bfloat16(v);
                break;
            case 3:
                static_cast<__nv_fp8_e4m3*>(data)[i] = __nv_fp8_e4m3(v);
                break;
            default:
                static_cast<signed char*>(data)[i] = static_cast<signed char>(v * 64.0f);
                break;
        }
    }
}

__global__ void tinyKernel(float* sink) {
    if (threadIdx.x == 0) {
        sink[0] += 1.0f;
    }
}

// Captures `launch(i)` for i < copies on `stream` into an executable graph.
template <typename Launch>
bool captureGraph(cudaStream_t stream, int copies, Launch launch, cudaGraphExec_t& exec,
                  std::string& error) {
    cudaGraph_t graph = nullptr;
    if (!check(cudaStreamBeginCapture(stream, cudaStreamCaptureModeThreadLocal), error,
               "cudaStreamBeginCapture")) {
        return false;
    }
    for (int i = 0; i < copies; ++i) {
        launch(i);
    }
    if (!check(cudaStreamEndCapture(stream, &graph), error, "cudaStreamEndCapture")) {
        return false;
    }
    const bool ok = check(cudaGraphInstantiate(&exec, graph, 0), error, "cudaGraphInstantiate");
    cudaGraphDestroy(graph);
    return ok;
}

// Replays `exec` `iterations` times on `stream` and waits.
bool replay(cudaGraphExec_t exec, cudaStream_t stream, long long iterations, std::string& error) {
    for (long long i = 0; i < iterations; ++i) {
        if (!check(cudaGraphLaunch(exec, stream), error, "cudaGraphLaunch")) {
            return false;
        }
    }
    return check(cudaStreamSynchronize(stream), error, "kernel");
}

class LaunchBench final : public Bench {
public:
    LaunchBench(int device, int copies) {
        m_work = copies;
        if (!check(cudaSetDevice(device), m_error, "cudaSetDevice") ||
            !check(cudaStreamCreateWithFlags(&m_stream, cudaStreamNonBlocking), m_error,
                   "cudaStreamCreate") ||
            !check(cudaMalloc(&m_sink, sizeof(float)), m_error, "cudaMalloc") ||
            !check(cudaMemset(m_sink, 0, sizeof(float)), m_error, "cudaMemset")) {
            return;
        }
        captureGraph(
            m_stream, copies, [&](int) { tinyKernel<<<1, 32, 0, m_stream>>>(m_sink); }, m_exec,
            m_error);
    }
    ~LaunchBench() override {
        if (m_exec != nullptr) {
            cudaGraphExecDestroy(m_exec);
        }
        if (m_stream != nullptr) {
            cudaStreamDestroy(m_stream);
        }
        cudaFree(m_sink);
    }
    bool run(long long iterations) override {
        return m_error.empty() && replay(m_exec, m_stream, iterations, m_error);
    }

private:
    cudaStream_t m_stream = nullptr;
    cudaGraphExec_t m_exec = nullptr;
    float* m_sink = nullptr;
};

class ColdReadBench final : public Bench {
public:
    ColdReadBench(int device, std::size_t bytes, int copies) {
        m_n = std::max<std::size_t>(1, bytes / sizeof(float4));
        m_work = static_cast<double>(m_n * sizeof(float4)) * copies;
        if (!check(cudaSetDevice(device), m_error, "cudaSetDevice") ||
            !check(cudaStreamCreateWithFlags(&m_stream, cudaStreamNonBlocking), m_error,
                   "cudaStreamCreate") ||
            !check(cudaMalloc(&m_sink, sizeof(float)), m_error, "cudaMalloc")) {
            return;
        }
        for (int i = 0; i < copies; ++i) {
            float4* p = nullptr;
            if (!check(cudaMalloc(&p, m_n * sizeof(float4)), m_error, "cudaMalloc")) {
                return;
            }
            m_buffers.push_back(p);
            if (!fillRandom(p, m_n * 4, FillKind::f32, static_cast<unsigned>(i), m_error)) {
                return;
            }
        }
        cudaDeviceProp prop{};
        cudaGetDeviceProperties(&prop, device);
        // As many blocks as the data needs, at most 8 per SM (the streaming kernel's grid).
        const std::size_t needed = (m_n + 255) / 256;
        const int blocks = static_cast<int>(
            std::min<std::size_t>(needed, static_cast<std::size_t>(prop.multiProcessorCount) * 8));
        captureGraph(
            m_stream, copies,
            [&](int i) { readKernel<<<blocks, 256, 0, m_stream>>>(m_buffers[i], m_n, m_sink); },
            m_exec, m_error);
    }
    ~ColdReadBench() override {
        if (m_exec != nullptr) {
            cudaGraphExecDestroy(m_exec);
        }
        if (m_stream != nullptr) {
            cudaStreamDestroy(m_stream);
        }
        for (float4* p : m_buffers) {
            cudaFree(p);
        }
        cudaFree(m_sink);
    }
    bool run(long long iterations) override {
        return m_error.empty() && replay(m_exec, m_stream, iterations, m_error);
    }

private:
    std::size_t m_n = 0;
    std::vector<float4*> m_buffers;
    cudaStream_t m_stream = nullptr;
    cudaGraphExec_t m_exec = nullptr;
    float* m_sink = nullptr;
};

class MemoryBench final : public Bench {
public:
    MemoryBench(int device, MemoryKind kind, std::size_t bytes) : m_kind(kind) {
        m_n = bytes / sizeof(float4);
        const int arrays = kind == MemoryKind::read ? 1 : kind == MemoryKind::copy ? 2 : 3;
        m_work = static_cast<double>(m_n * sizeof(float4)) * arrays;
        if (!check(cudaSetDevice(device), m_error, "cudaSetDevice")) {
            return;
        }
        for (int i = 0; i < arrays; ++i) {
            float4* p = nullptr;
            if (!check(cudaMalloc(&p, m_n * sizeof(float4)), m_error, "cudaMalloc") ||
                !check(cudaMemset(p, 0, m_n * sizeof(float4)), m_error, "cudaMemset")) {
                return;
            }
            m_arrays.push_back(p);
        }
        check(cudaMalloc(&m_sink, sizeof(float)), m_error, "cudaMalloc");
        cudaDeviceProp prop{};
        cudaGetDeviceProperties(&prop, device);
        m_blocks = prop.multiProcessorCount * 8;
    }
    ~MemoryBench() override {
        for (float4* p : m_arrays) {
            cudaFree(p);
        }
        cudaFree(m_sink);
    }
    bool run(long long iterations) override {
        if (!m_error.empty()) {
            return false;
        }
        for (long long i = 0; i < iterations; ++i) {
            if (m_kind == MemoryKind::read) {
                readKernel<<<m_blocks, 256>>>(m_arrays[0], m_n, m_sink);
            } else if (m_kind == MemoryKind::copy) {
                copyKernel<<<m_blocks, 256>>>(m_arrays[1], m_arrays[0], m_n);
            } else {
                triadKernel<<<m_blocks, 256>>>(m_arrays[0], m_arrays[1], m_arrays[2], m_n);
            }
        }
        return check(cudaDeviceSynchronize(), m_error, "kernel");
    }

private:
    MemoryKind m_kind;
    std::size_t m_n = 0;
    std::vector<float4*> m_arrays;
    float* m_sink = nullptr;
    int m_blocks = 0;
};

class FmaBench final : public Bench {
public:
    FmaBench(int device, FmaKind kind, int multiprocessors) : m_kind(kind) {
        m_blocks = multiprocessors * 32;
        const double perThread = 2.0 * kFmaChains * kFmaInner * (kind == FmaKind::fp16 ? 2 : 1);
        m_work = perThread * m_blocks * kThreads;
        if (check(cudaSetDevice(device), m_error, "cudaSetDevice")) {
            check(cudaMalloc(&m_sink, sizeof(float)), m_error, "cudaMalloc");
        }
    }
    ~FmaBench() override { cudaFree(m_sink); }
    bool run(long long iterations) override {
        if (!m_error.empty()) {
            return false;
        }
        for (long long i = 0; i < iterations; ++i) {
            if (m_kind == FmaKind::fp32) {
                fmaFp32Kernel<<<m_blocks, kThreads>>>(0.9999999f, 1e-3f, m_sink);
            } else {
                fmaFp16Kernel<<<m_blocks, kThreads>>>(0.999f, 1e-3f, m_sink);
            }
        }
        return check(cudaDeviceSynchronize(), m_error, "kernel");
    }

private:
    static constexpr int kThreads = 256;
    FmaKind m_kind;
    int m_blocks = 0;
    float* m_sink = nullptr;
};

}  // namespace

int deviceCount(std::string& error) {
    int count = 0;
    const cudaError_t status = cudaGetDeviceCount(&count);
    if (status != cudaSuccess) {
        error = std::string("cudaGetDeviceCount: ") + cudaGetErrorString(status);
        return 0;
    }
    if (count == 0) {
        error = "cudaGetDeviceCount returned 0 devices";
    }
    return count;
}

bool deviceInfo(int device, DeviceInfo& info, std::string& error) {
    cudaDeviceProp prop{};
    if (!check(cudaGetDeviceProperties(&prop, device), error, "cudaGetDeviceProperties")) {
        return false;
    }
    info.name = prop.name;
    info.major = prop.major;
    info.minor = prop.minor;
    info.multiprocessors = prop.multiProcessorCount;
    info.memoryBytes = static_cast<double>(prop.totalGlobalMem);
    info.l2Bytes = prop.l2CacheSize;
    info.sharedPerMultiprocessorBytes = static_cast<double>(prop.sharedMemPerMultiprocessor);
    int clockKhz = 0;
    cudaDeviceGetAttribute(&clockKhz, cudaDevAttrClockRate, device);
    info.clockHz = clockKhz * 1e3;
    cudaRuntimeGetVersion(&info.runtimeVersion);
    cudaDriverGetVersion(&info.driverVersion);
    return true;
}

bool fillRandom(void* data, std::size_t elements, FillKind kind, unsigned seed,
                std::string& error) {
    const int blocks = static_cast<int>(std::min<std::size_t>((elements + 255) / 256, 4096));
    fillKernel<<<std::max(blocks, 1), 256>>>(data, elements, static_cast<int>(kind), seed);
    return check(cudaGetLastError(), error, "fillKernel") &&
           check(cudaDeviceSynchronize(), error, "fillKernel");
}

Bench* makeLaunchBench(int device, int copies) {
    return new LaunchBench(device, copies);
}

Bench* makeColdReadBench(int device, std::size_t bytes, int copies) {
    return new ColdReadBench(device, bytes, copies);
}

Bench* makeMemoryBench(int device, MemoryKind kind, std::size_t bytesPerArray) {
    return new MemoryBench(device, kind, bytesPerArray);
}

Bench* makeFmaBench(int device, FmaKind kind, int multiprocessors) {
    return new FmaBench(device, kind, multiprocessors);
}

}  // namespace rooflens::calibrate::cuda
