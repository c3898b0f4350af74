#pragma once
// Internal interface between the CUDA kernels (cuda_kernels.cu, compiled by nvcc as C++17) and
// the backend driver (cuda_backend.cpp). Plain types only.
#include <cstddef>
#include <cstdint>
#include <string>

namespace rooflens::calibrate::cuda {

struct DeviceInfo {
    std::string name;
    int major = 0;
    int minor = 0;
    int multiprocessors = 0;
    double memoryBytes = 0;
    double l2Bytes = 0;
    double sharedPerMultiprocessorBytes = 0;
    double clockHz = 0;
    int runtimeVersion = 0;
    int driverVersion = 0;
};

// 0 devices with a reason in `error` when the driver or the device is missing.
int deviceCount(std::string& error);
bool deviceInfo(int device, DeviceInfo& info, std::string& error);

// One benchmark on the device: the constructor allocates; run() launches `iterations` times and
// synchronizes. error() is non-empty after a failure.
class Bench {
public:
    virtual ~Bench() = default;
    virtual bool run(long long iterations) = 0;
    double workPerIteration() const { return m_work; }
    const std::string& error() const { return m_error; }

protected:
    double m_work = 0;
    std::string m_error;
};

enum class MemoryKind { read, copy, triad };
Bench* makeMemoryBench(int device, MemoryKind kind, std::size_t bytesPerArray);

enum class FmaKind { fp32, fp16 };
Bench* makeFmaBench(int device, FmaKind kind, int multiprocessors);

enum class GemmKind { fp16, bf16, tf32, fp8, int8 };
// cuBLASLt (loaded with dlopen); nullptr-free: failures come back through error().
Bench* makeGemmBench(int device, GemmKind kind, int m, int n, int k);

// cuSPARSE SpMM (CSR x dense, column-major dense operands), loaded with dlopen.
Bench* makeSpmmBench(int device, int rows, int cols, const std::int32_t* rowPtr,
                     const std::int32_t* col, const float* value, int nnz, int features);

}  // namespace rooflens::calibrate::cuda
