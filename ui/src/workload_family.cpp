#include "ui/workload_family.h"

#include "models/onnx.h"

namespace rooflens::ui {

std::string WorkloadFamily::defaultPreset() const {
    const auto list = presets();
    return list.empty() ? std::string() : list.front();
}

QString WorkloadFamily::configFileFilter() const {
    return QObject::tr("Model config (*.json);;All files (*)");
}

std::vector<core::Phase> WorkloadFamily::phases() const {
    return {core::Phase::prefill};
}

core::Result<FamilyOptions> WorkloadFamily::parseOptions(const std::string& tokenSchedule) const {
    if (!tokenSchedule.empty()) {
        return core::makeError("token schedules apply to ViT models only");
    }
    return FamilyOptions{};
}

core::Status WorkloadFamily::importGraph(const std::string& path,
                                         const core::ProgressCallback& /*progress*/,
                                         const core::CancelToken& /*cancel*/) const {
    return core::makeError(path + ": graphs belong to the GNN family");
}

const std::vector<std::unique_ptr<WorkloadFamily>>& workloadFamilies() {
    static const std::vector<std::unique_ptr<WorkloadFamily>> families = [] {
        std::vector<std::unique_ptr<WorkloadFamily>> list;
        list.push_back(detail::makeLlmFamily());
        list.push_back(detail::makeVitFamily());
        list.push_back(detail::makeGnnFamily());
        if (models::onnxAvailable()) {
            list.push_back(detail::makeOnnxFamily());
        }
        return list;
    }();
    return families;
}

const WorkloadFamily* findFamily(const std::string& id) {
    for (const auto& family : workloadFamilies()) {
        if (family->id() == id) {
            return family.get();
        }
    }
    return nullptr;
}

}  // namespace rooflens::ui
