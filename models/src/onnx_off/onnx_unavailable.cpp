// The ONNX importer's entry points in a build without libonnx-dev (ROOFLENS_BUILD_ONNX=OFF or
// the packages missing at configure time): ONNX files are recognised and refused with the way
// to enable the importer.
#include <algorithm>
#include <cctype>

#include "models/onnx.h"

namespace rooflens::models {

bool onnxAvailable() {
    return false;
}

bool isOnnxPath(const std::string& model) {
    if (model.size() < 5) {
        return false;
    }
    std::string tail = model.substr(model.size() - 5);
    std::transform(tail.begin(), tail.end(), tail.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return tail == ".onnx";
}

core::Result<std::shared_ptr<const core::WorkloadBuilder>> bindOnnx(const std::string& path,
                                                                    const OnnxOptions&) {
    return core::usageError(path +
                            ": this build has no ONNX importer; install libonnx-dev and "
                            "libprotobuf-dev (scripts/install-deps) and reconfigure with "
                            "-DROOFLENS_BUILD_ONNX=ON");
}

}  // namespace rooflens::models
