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
// cuBLASLt (loaded with dlopen); nullptr-free: failures come back through error(). Operands
// hold pseudo-random values (a GEMM of zeros draws less power and can run faster). With
// copies > 1 each iteration replays a CUDA graph of `copies` GEMMs, each on its own operands,
// so together they exceed the L2 and every GEMM reads its operands from device memory, as a
// layer of a forward pass does; workPerIteration() covers all of them.
Bench* makeGemmBench(int device, GemmKind kind, int m, int n, int k, int copies = 1);

// Element types of fillRandom.
enum class FillKind { f32, f16, bf16, fp8_e4m3, i8 };
// Pseudo-random values in [-1, 1) (i8: -64..63) from a hash of the index and `seed`.
bool fillRandom(void* data, std::size_t elements, FillKind kind, unsigned seed, std::string& error);

// The efficiency model's probes, replayed from CUDA graphs (launch costs of a graph node, not of
// host calls): `copies` launches of a one-warp kernel that does almost nothing (the fixed cost
// of one kernel; workPerIteration() counts launches) ...
Bench* makeLaunchBench(int device, int copies);
// ... and reads of `bytes` from `copies` separate buffers, one kernel each (the cold-read curve:
// a transfer of this size from device memory, launch included).
Bench* makeColdReadBench(int device, std::size_t bytes, int copies);

// cuSPARSE SpMM (CSR x dense, column-major dense operands), loaded with dlopen.
Bench* makeSpmmBench(int device, int rows, int cols, const std::int32_t* rowPtr,
                     const std::int32_t* col, const float* value, int nnz, int features);

}  // namespace rooflens::calibrate::cuda
