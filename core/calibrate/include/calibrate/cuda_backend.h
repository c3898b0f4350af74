#pragma once
// The CUDA backend of the calibration suite (calibration.md 4.1, G1/G3/G4 and a cuSPARSE SpMM):
// device-memory read, copy and triad; FP32 and FP16 FMA peaks; cuBLASLt GEMM peaks for FP16,
// BF16, TF32, FP8 (E4M3) and INT8 where the GPU supports them. Built only when nvcc was found
// at configure time; the CUDA runtime is linked statically and cuBLASLt / cuSPARSE are loaded at
// run time, and nothing calls into CUDA before cudaGetDeviceCount says a GPU is present.
#include <optional>
#include <string>
#include <vector>

#include "calibrate/calibration.h"
#include "calibrate/profile.h"
#include "core/hardware.h"

namespace rooflens::calibrate {

// Whether this build contains the CUDA backend.
bool cudaBackendBuilt();

// Number of usable CUDA GPUs, or an error that starts with "no CUDA GPU found" and says why
// (no driver, no device, backend not built).
core::Result<int> cudaDeviceCount();

// The efficiency model's raw points (docs/calibration.md, "CUDA efficiency model"): each is
// one kernel replayed from a CUDA graph over operands that together exceed the L2.
struct CudaColdRead {
    double bytes = 0;           // one kernel's transfer
    double bytesPerSecond = 0;  // bytes / seconds per kernel, launch included
};
struct CudaGemmShape {
    core::DataType type{};
    int m = 0;
    int k = 0;
    int n = 0;
    double bytesMoved = 0;    // operands read and the output written, once each
    double opsPerSecond = 0;  // 2mkn / seconds per GEMM, launch included
};

struct CudaCalibration {
    int device = 0;
    std::string name;
    int computeMajor = 0;
    int computeMinor = 0;
    int multiprocessors = 0;
    double memoryBytes = 0;
    double l2Bytes = 0;
    double sharedPerMultiprocessorBytes = 0;
    double smClockHz = 0;  // from the device properties (boost clock)
    std::string runtimeVersion;
    std::string driverVersion;
    std::string startedAt;
    double durationSeconds = 0;
    Mode mode = Mode::quick;
    std::vector<KernelResult> kernels;
    double readBytesPerSecond = 0;
    double copyBytesPerSecond = 0;
    double triadBytesPerSecond = 0;
    core::PeakTable vector;      // FP32, FP16 FMA kernels
    core::PeakTable matrix;      // cuBLASLt GEMM
    double theoreticalFp32 = 0;  // CUDA cores x 2 x clock
    double launchSeconds = 0;    // one kernel node of a CUDA graph that does almost nothing
    std::vector<CudaColdRead> coldReads;
    std::vector<CudaGemmShape> gemmShapes;
    std::vector<std::string> warnings;
};

// The profile's efficiency model from the measured points (built with or without the CUDA
// backend, so it is tested everywhere): the per-kernel overhead is the graph-node launch; every
// other time is first reduced by it (never below a quarter of itself). The memory curve is each
// cold read's rate over the streaming read bandwidth. A GEMM shape whose roofline compute time
// is at least a quarter of its memory time gives the grid its efficiency against the type's
// matrix peak; a GEMV (below that) gives the GEMM kind's curve its memory efficiency at the
// bytes it moves (so a 4-bit GEMV is priced from its own bytes, not from the 16-bit time;
// sizes within 5 % are averaged into one point) and counts as efficiency 1 in the grid, before
// the grid is made monotone. The bf16 grid also serves the types without their own.
// nullopt without a launch time or a read bandwidth.
std::optional<core::EfficiencyModel> cudaEfficiencyModel(const CudaCalibration& calibration);

// Runs the GPU suite on one device. Errors: no GPU, cancelled, CUDA failures.
core::Result<CudaCalibration> runCudaCalibration(Mode mode, double budgetScale, int device,
                                                 const core::ProgressCallback& progress,
                                                 const core::CancelToken& cancel);

core::Hardware toHardware(const CudaCalibration& calibration, const ProfileOptions& options);
std::string calibrationJson(const CudaCalibration& calibration, const std::string& profileId);

}  // namespace rooflens::calibrate
