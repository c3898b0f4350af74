// ViT / DeiT / Swin workloads for analyze, compare and sweep: presets or a ViT config .json,
// image size and token reduction options. With token reduction, each build also prices the
// same model without reduction on the command's devices and reports, as a workload note, how
// much of the MAC cut turns into time there.
#include <memory>
#include <string>
#include <vector>

#include <boost/any.hpp>
#include <nlohmann/json.hpp>

#include "cli_common.h"
#include "core/analysis.h"
#include "core/json_io.h"
#include "models/vit.h"
#include "workload_sources.h"

namespace rooflens::cli {

namespace {

std::vector<std::string> splitList(const std::string& text) {
    std::vector<std::string> items;
    std::string item;
    for (char c : text + ",") {
        if (c == ',') {
            if (!item.empty()) {
                items.push_back(item);
            }
            item.clear();
        } else if (c != ' ') {
            item += c;
        }
    }
    return items;
}

std::int64_t parseCount(const std::string& text, const std::string& option) {
    std::size_t used = 0;
    long long value = -1;
    try {
        value = std::stoll(text, &used);
    } catch (const std::exception&) {
        used = 0;
    }
    if (used != text.size() || value < 0) {
        throw CliError{kUsage,
                       "--" + option + ": expected non-negative integers, got '" + text + "'"};
    }
    return value;
}

double parseRate(const std::string& text, const std::string& option) {
    std::size_t used = 0;
    double value = -1;
    try {
        value = std::stod(text, &used);
    } catch (const std::exception&) {
        used = 0;
    }
    if (used != text.size()) {
        throw CliError{kUsage, "--" + option + ": expected a number, got '" + text + "'"};
    }
    return value;
}

std::vector<std::int64_t> parseCounts(const std::string& text, const std::string& option) {
    std::vector<std::int64_t> values;
    for (const auto& item : splitList(text)) {
        values.push_back(parseCount(item, option));
    }
    if (values.empty()) {
        throw CliError{kUsage,
                       "--" + option + ": expected a comma-separated list, got '" + text + "'"};
    }
    return values;
}

std::string option(const po::variables_map& vm, const char* name) {
    return vm.count(name) != 0U ? vm[name].as<std::string>() : "";
}

// --image-size N or HxW.
void parseImageSize(const std::string& text, models::VitOptions& o) {
    if (text.empty()) {
        return;
    }
    const auto x = text.find('x');
    o.imageHeight = parseCount(text.substr(0, x), "image-size");
    o.imageWidth =
        x == std::string::npos ? o.imageHeight : parseCount(text.substr(x + 1), "image-size");
    if (o.imageHeight < 1 || o.imageWidth < 1) {
        throw CliError{kUsage, "--image-size: expected N or HxW pixels, got '" + text + "'"};
    }
}

models::TokenReduction parseReduction(const po::variables_map& vm) {
    models::TokenReduction r;
    int methods = 0;
    if (const auto text = option(vm, "token-schedule"); !text.empty()) {
        r.method = models::TokenMethod::schedule;
        r.tokens = parseCounts(text, "token-schedule");
        ++methods;
    }
    if (const auto text = option(vm, "tome-r"); !text.empty()) {
        r.method = models::TokenMethod::tome;
        r.mergeR = parseCounts(text, "tome-r");
        ++methods;
    }
    if (const auto text = option(vm, "dynamicvit-keep"); !text.empty()) {
        r.method = models::TokenMethod::dynamicVit;
        r.keepRatio = parseRate(text, "dynamicvit-keep");
        if (const auto loc = option(vm, "dynamicvit-loc"); !loc.empty()) {
            r.pruneLocations = parseCounts(loc, "dynamicvit-loc");
        }
        ++methods;
    }
    if (const auto text = option(vm, "diffrate"); !text.empty()) {
        r.method = models::TokenMethod::diffRate;
        for (const auto& pair : splitList(text)) {
            const auto colon = pair.find(':');
            if (colon == std::string::npos) {
                throw CliError{kUsage,
                               "--diffrate: expected PRUNE:MERGE rates, got '" + pair + "'"};
            }
            r.pruneRate.push_back(parseRate(pair.substr(0, colon), "diffrate"));
            r.mergeRate.push_back(parseRate(pair.substr(colon + 1), "diffrate"));
        }
        ++methods;
    }
    if (methods > 1) {
        throw CliError{kUsage,
                       "choose one token reduction: --token-schedule, --tome-r, "
                       "--dynamicvit-keep or --diffrate"};
    }
    return r;
}

// The devices the command prices on (--hw ID or --hw ID ... for compare and sweep); ids that
// do not resolve are left to the command to report.
std::vector<core::Hardware> commandDevices(const po::variables_map& vm) {
    std::vector<std::string> ids;
    if (vm.count("hw") != 0U) {
        const boost::any& value = vm["hw"].value();
        if (const auto* one = boost::any_cast<std::string>(&value)) {
            ids.push_back(*one);
        } else if (const auto* many = boost::any_cast<std::vector<std::string>>(&value)) {
            ids = *many;
        }
    }
    std::vector<core::Hardware> devices;
    if (ids.empty()) {
        return devices;
    }
    const hwdb::Database db = hwdb::Database::load();
    for (const auto& id : ids) {
        if (auto hw = db.resolve(id)) {
            devices.push_back(std::move(hw).value());
        }
    }
    return devices;
}

// The command's compression, so the comparison prices the same workloads the report shows.
std::optional<core::Scenario> commandScenario(const po::variables_map& vm) {
    try {
        return scenarioFromOptions(vm);
    } catch (...) {
        return std::nullopt;  // the command itself reports bad compression options
    }
}

struct VitState {
    models::VitConfig config;
    models::VitOptions options;
    std::vector<core::Hardware> devices;
    std::optional<core::Scenario> scenario;
};

core::Result<core::Workload> buildWithSummary(const VitState& st, const core::RunSettings& s) {
    auto reduced = models::buildVit(st.config, s, st.options);
    if (!reduced || st.options.reduction.method == models::TokenMethod::none) {
        return reduced;
    }
    models::VitOptions plain = st.options;
    plain.reduction = {};
    auto baseline = models::buildVit(st.config, s, plain);
    if (!baseline) {
        return reduced;
    }
    core::Workload a = reduced.value();
    core::Workload b = baseline.value();
    if (st.scenario) {
        auto ca = core::applyScenario(*st.scenario, a);
        auto cb = core::applyScenario(*st.scenario, b);
        if (!ca || !cb) {
            return reduced;
        }
        a = std::move(ca).value();
        b = std::move(cb).value();
    }
    const std::string method = models::describe(st.options.reduction);
    if (st.devices.empty()) {
        models::ReductionEffect effect;
        effect.reducedMacs = effect.baselineMacs = 0;
        for (const auto& layer : a.layers) {
            effect.reducedMacs += core::matrixMacs(layer, a) * layer.repeat;
        }
        for (const auto& layer : b.layers) {
            effect.baselineMacs += core::matrixMacs(layer, b) * layer.repeat;
        }
        reduced.value().notes.push_back(models::summarizeTokenReduction(method, effect, ""));
    }
    for (const auto& hw : st.devices) {
        reduced.value().notes.push_back(models::summarizeTokenReduction(
            method, models::measureTokenReduction(a, b, hw), hw.name));
    }
    return reduced;
}

bool isVitModel(const std::string& model) {
    if (models::isVitPreset(model)) {
        return true;
    }
    if (model.find('/') == std::string::npos && !model.ends_with(".json")) {
        return false;
    }
    auto document = core::parseJsonFile(model);
    return document && models::isVitDocument(document.value());
}

}  // namespace

void addVitOptions(po::options_description& options) {
    po::options_description vit("vision transformer options (ViT, DeiT, Swin)");
    // clang-format off
    vit.add_options()
        ("image-size", po::value<std::string>()->default_value(""),
         "input image N or HxW pixels (default: the model's)")
        ("token-schedule", po::value<std::string>()->default_value(""),
         "tokens entering each block, comma-separated (one per block)")
        ("tome-r", po::value<std::string>()->default_value(""),
         "ToMe: tokens merged per block, R or R1,R2,... (one per block)")
        ("dynamicvit-keep", po::value<std::string>()->default_value(""),
         "DynamicViT: keep ratio rho (patch tokens N rho^i kept at the i-th location)")
        ("dynamicvit-loc", po::value<std::string>()->default_value("3,6,9"),
         "DynamicViT: blocks before which tokens are pruned")
        ("diffrate", po::value<std::string>()->default_value(""),
         "DiffRate: PRUNE:MERGE rates per block (one pair, or one per block)");
    // clang-format on
    options.add(vit);
}

std::optional<WorkloadSource> vitSource(const std::string& model, const po::variables_map& vm) {
    if (!isVitModel(model)) {
        return std::nullopt;
    }
    auto config = models::resolveVit(model);
    if (!config) {
        throw CliError{kBadInput, config.error().message};
    }
    auto state = std::make_shared<VitState>();
    state->config = std::move(config).value();
    parseImageSize(option(vm, "image-size"), state->options);
    state->options.reduction = parseReduction(vm);
    if (state->options.reduction.method != models::TokenMethod::none) {
        state->devices = commandDevices(vm);
        state->scenario = commandScenario(vm);
    }
    WorkloadSource source;
    source.family = "vit";
    source.id = state->config.id;
    // A vision model has one forward pass: every pass a command asks for without an explicit
    // --phase (compare builds prefill, decode and request; sweep defaults to decode) is that
    // pass; an explicit other phase is reported by the builder.
    const bool defaultPhase = vm.count("phase") == 0U || vm["phase"].defaulted();
    source.build = [state, defaultPhase](const core::RunSettings& settings) {
        core::RunSettings s = settings;
        if (defaultPhase) {
            s.phase = core::Phase::prefill;
        }
        return buildWithSummary(*state, s);
    };
    return source;
}

}  // namespace rooflens::cli
