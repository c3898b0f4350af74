// The CUDA backend when nvcc was not found at configure time.
#include "calibrate/cuda_backend.h"

namespace rooflens::calibrate {

namespace {
const char* kNotBuilt =
    "no CUDA GPU found: this rooflens was built without the CUDA backend (nvcc was not found "
    "at configure time)";
}

bool cudaBackendBuilt() {
    return false;
}

core::Result<int> cudaDeviceCount() {
    return core::makeError(kNotBuilt);
}

core::Result<CudaCalibration> runCudaCalibration(Mode, double, int, const core::ProgressCallback&,
                                                 const core::CancelToken&) {
    return core::makeError(kNotBuilt);
}

core::Hardware toHardware(const CudaCalibration&, const ProfileOptions&) {
    return {};
}

std::string calibrationJson(const CudaCalibration&, const std::string&) {
    return "{}\n";
}

}  // namespace rooflens::calibrate
