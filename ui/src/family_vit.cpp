// The ViT family (ViT, DeiT, Swin): presets and imported configs, image size, and a per-scenario
// token reduction schedule (ToMe, DynamicViT, DiffRate or an explicit schedule).
#include <cctype>
#include <sstream>

#include "models/vit.h"
#include "ui/workload_family.h"

namespace rooflens::ui {

namespace {

core::Result<std::vector<double>> numbers(const std::string& text, const std::string& what) {
    std::vector<double> out;
    std::string item;
    std::istringstream in(text);
    while (std::getline(in, item, ',')) {
        const auto eq = item.find('=');
        if (eq != std::string::npos) {
            item = item.substr(eq + 1);
        }
        try {
            std::size_t used = 0;
            out.push_back(std::stod(item, &used));
            if (used != item.size()) {
                throw std::invalid_argument(item);
            }
        } catch (const std::exception&) {
            return core::makeError("token schedule: " + what + ": expected numbers, got '" + item +
                                   "'");
        }
    }
    if (out.empty()) {
        return core::makeError("token schedule: " + what + ": expected at least one number");
    }
    return out;
}

std::vector<std::int64_t> integers(const std::vector<double>& values) {
    std::vector<std::int64_t> out;
    for (double v : values) {
        out.push_back(static_cast<std::int64_t>(v));
    }
    return out;
}

// "tome 16", "tome r=16,16,8", "dynamicvit 0.7 at 3,6,9", "schedule 197,197,150",
// "diffrate 0.1 0.2" (prune rate, merge rate).
core::Result<models::TokenReduction> parseReduction(const std::string& text) {
    models::TokenReduction r;
    std::istringstream in(text);
    std::string method;
    in >> method;
    for (auto& c : method) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    std::vector<std::string> args;
    for (std::string word; in >> word;) {
        if (word != "at") {
            args.push_back(word);
        }
    }
    if (method.empty() || method == "none") {
        return r;
    }
    auto need = [&](std::size_t n) -> core::Status {
        if (args.size() < n) {
            return core::makeError("token schedule '" + text + "': " + method + " needs " +
                                   std::to_string(n) + " argument(s)");
        }
        return core::Ok{};
    };
    if (method == "tome") {
        if (auto s = need(1); !s) {
            return s.error();
        }
        auto v = numbers(args[0], "tome r");
        if (!v) {
            return v.error();
        }
        r.method = models::TokenMethod::tome;
        r.mergeR = integers(v.value());
    } else if (method == "dynamicvit") {
        if (auto s = need(1); !s) {
            return s.error();
        }
        auto rho = numbers(args[0], "dynamicvit keep ratio");
        if (!rho) {
            return rho.error();
        }
        r.method = models::TokenMethod::dynamicVit;
        r.keepRatio = rho.value().front();
        if (args.size() > 1) {
            auto at = numbers(args[1], "dynamicvit locations");
            if (!at) {
                return at.error();
            }
            r.pruneLocations = integers(at.value());
        }
    } else if (method == "schedule") {
        if (auto s = need(1); !s) {
            return s.error();
        }
        auto v = numbers(args[0], "schedule");
        if (!v) {
            return v.error();
        }
        r.method = models::TokenMethod::schedule;
        r.tokens = integers(v.value());
    } else if (method == "diffrate") {
        if (auto s = need(2); !s) {
            return s.error();
        }
        auto prune = numbers(args[0], "diffrate prune rate");
        auto merge = numbers(args[1], "diffrate merge rate");
        if (!prune) {
            return prune.error();
        }
        if (!merge) {
            return merge.error();
        }
        r.method = models::TokenMethod::diffRate;
        r.pruneRate = prune.value();
        r.mergeRate = merge.value();
    } else {
        return core::makeError("token schedule '" + text +
                               "': expected tome, dynamicvit, schedule or diffrate");
    }
    return r;
}

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
        auto reduction = parseReduction(tokenSchedule);
        if (!reduction) {
            return reduction.error();
        }
        return FamilyOptions{tokenSchedule};
    }
    core::Result<PreparedWorkload> prepare(const WorkloadChoice& choice) const override {
        auto config = models::resolveVit(choice.model);
        if (!config) {
            return config.error();
        }
        auto shared = std::make_shared<const models::VitConfig>(std::move(config).value());
        const std::int64_t imageSize = choice.imageSize > 0 ? choice.imageSize : shared->imageSize;
        PreparedWorkload prepared;
        prepared.family = "vit";
        prepared.id = shared->id;
        prepared.hasDecode = false;
        prepared.build = [shared, imageSize](
                             const core::RunSettings& settings, bool /*collapse*/,
                             const FamilyOptions& options) -> core::Result<core::Workload> {
            auto reduction = parseReduction(options.tokenSchedule);
            if (!reduction) {
                return reduction.error();
            }
            models::VitOptions vit;
            vit.imageHeight = imageSize;
            vit.imageWidth = imageSize;
            vit.reduction = std::move(reduction).value();
            core::RunSettings s = settings;
            s.phase = core::Phase::prefill;
            return models::buildVit(*shared, s, vit);
        };
        return prepared;
    }
};

}  // namespace

namespace detail {
std::unique_ptr<WorkloadFamily> makeVitFamily() {
    return std::make_unique<VitFamily>();
}
}  // namespace detail

}  // namespace rooflens::ui
