// The ONNX family: any graph imported from an .onnx file (models/onnx.h). No presets: the user
// imports a file; symbolic dimensions take the batch, the prompt length and the image size.
#include <algorithm>

#include "models/onnx.h"
#include "models/workload_spec.h"
#include "ui/workload_family.h"

namespace rooflens::ui {

namespace {

class OnnxFamily final : public WorkloadFamily {
public:
    std::string id() const override { return "onnx"; }
    QString displayName() const override { return QObject::tr("ONNX graph"); }
    std::vector<std::string> presets() const override { return {}; }
    QString configFileFilter() const override {
        return QObject::tr("ONNX model (*.onnx);;All files (*)");
    }
    bool usesImageSize() const override { return true; }
    core::Result<PreparedWorkload> prepare(const WorkloadChoice& choice) const override {
        if (choice.model.empty()) {
            return core::usageError("import an .onnx file (Import model config) to analyse it");
        }
        models::WorkloadSpec spec;
        spec.family = core::ModelFamily::onnx;
        spec.model = choice.model;
        spec.imageHeight = spec.imageWidth = std::max<std::int64_t>(0, choice.imageSize);
        ROOFLENS_TRY(auto builder, models::bindWorkload(spec));
        return PreparedWorkload{"onnx", builder->id(), false, std::move(builder)};
    }
};

}  // namespace

namespace detail {
std::unique_ptr<WorkloadFamily> makeOnnxFamily() {
    return std::make_unique<OnnxFamily>();
}
}  // namespace detail

}  // namespace rooflens::ui
