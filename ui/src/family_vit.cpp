// The ViT family (ViT, DeiT, Swin): presets and imported configs, image size, and a per-scenario
// token reduction schedule (ToMe, DynamicViT, DiffRate or an explicit schedule).
#include <algorithm>

#include "models/vit.h"
#include "models/workload_spec.h"
#include "ui/workload_family.h"

namespace rooflens::ui {

namespace {

class VitFamily final : public WorkloadFamily {
public:
    std::string id() const override { return "vit"; }
    QString displayName() const override { return QObject::tr("ViT"); }
    std::vector<std::string> presets() const override { return models::listVitPresets(); }
    std::string defaultPreset() const override {
        for (const auto& id : presets()) {
            if (id == "vit-base-16") {
                return id;
            }
        }
        return WorkloadFamily::defaultPreset();
    }
    QString configFileFilter() const override {
        return QObject::tr("ViT config (*.json);;All files (*)");
    }
    bool usesLengths() const override { return false; }
    bool usesImageSize() const override { return true; }
    bool usesTokenSchedule() const override { return true; }
    core::Result<FamilyOptions> parseOptions(const std::string& tokenSchedule) const override {
        ROOFLENS_CHECK(models::parseTokenReduction(tokenSchedule));
        return FamilyOptions{tokenSchedule};
    }
    core::Result<PreparedWorkload> prepare(const WorkloadChoice& choice) const override {
        models::WorkloadSpec spec;
        spec.family = core::ModelFamily::vit;
        spec.model = choice.model;
        spec.imageHeight = spec.imageWidth = std::max<std::int64_t>(0, choice.imageSize);
        ROOFLENS_TRY(auto builder, models::bindWorkload(spec));
        return PreparedWorkload{"vit", builder->id(), false, std::move(builder)};
    }
};

}  // namespace

namespace detail {
std::unique_ptr<WorkloadFamily> makeVitFamily() {
    return std::make_unique<VitFamily>();
}
}  // namespace detail

}  // namespace rooflens::ui
