#pragma once
// The CUDA backend of the calibration suite (calibration.md 4.1, G1/G3/G4 and a cuSPARSE SpMM):
// device-memory read, copy and triad; FP32 and FP16 FMA peaks; cuBLASLt GEMM peaks for FP16,
// BF16, TF32, FP8 (E4M3) and INT8 where the GPU supports them. Built only when nvcc was found
// at configure time; the CUDA runtime is linked statically and cuBLASLt / cuSPARSE are loaded at
// run time, and nothing calls into CUDA before cudaGetDeviceCount says a GPU is present.
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
    std::vector<std::string> warnings;
};

// Runs the GPU suite on one device. Errors: no GPU, cancelled, CUDA failures.
core::Result<CudaCalibration> runCudaCalibration(Mode mode, double budgetScale, int device,
                                                 const core::ProgressCallback& progress,
                                                 const core::CancelToken& cancel);

core::Hardware toHardware(const CudaCalibration& calibration, const ProfileOptions& options);
std::string calibrationJson(const CudaCalibration& calibration, const std::string& profileId);

}  // namespace rooflens::calibrate
