// The LLM family: Hugging Face config.json presets and imports, prefill/decode/request phases.
#include "models/presets.h"
#include "models/workload_spec.h"
#include "ui/workload_family.h"

namespace rooflens::ui {

namespace {

class LlmFamily final : public WorkloadFamily {
public:
    std::string id() const override { return "llm"; }
    QString displayName() const override { return QObject::tr("LLM"); }
    std::vector<std::string> presets() const override { return models::listPresets(); }
    std::string defaultPreset() const override {
        const auto list = presets();
        for (const auto& id : list) {
            if (id == "llama-2-7b") {
                return id;
            }
        }
        return list.empty() ? std::string() : list.front();
    }
    QString configFileFilter() const override {
        return QObject::tr("Hugging Face config (config.json *.json);;All files (*)");
    }
    std::vector<core::Phase> phases() const override {
        return {core::Phase::prefill, core::Phase::decode, core::Phase::request};
    }
    core::Result<PreparedWorkload> prepare(const WorkloadChoice& choice) const override {
        models::WorkloadSpec spec;
        spec.family = core::ModelFamily::llm;
        spec.model = choice.model;
        ROOFLENS_TRY(auto builder, models::bindWorkload(spec));
        return PreparedWorkload{"llm", builder->id(), true, std::move(builder)};
    }
};

}  // namespace

namespace detail {
std::unique_ptr<WorkloadFamily> makeLlmFamily() {
    return std::make_unique<LlmFamily>();
}
}  // namespace detail

}  // namespace rooflens::ui
