// The options, search spec and JSON document of `rooflens plan` (plan_options.h).
#include "plan_options.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "cli_common.h"
#include "core/sweep.h"
#include "workload_options.h"

namespace rooflens::cli {

namespace {

std::optional<double> target(const po::variables_map& vm, const char* name) {
    if (vm[name].empty()) {
        return std::nullopt;
    }
    const double ms = vm[name].as<double>();
    if (!(ms > 0)) {
        throw CliError{kUsage, std::string("--") + name + ": expected a positive number of ms"};
    }
    return ms / 1e3;
}

// A --tp/--ep/--pp list the user gave restricts the search; the default searches every degree.
std::vector<int> restriction(const po::variables_map& vm, const char* name) {
    if (vm[name].defaulted()) {
        return {};
    }
    auto values = core::parseRange(vm[name].as<std::string>());
    if (!values) {
        throw CliError{kUsage, std::string("--") + name + ": " + values.error().message};
    }
    return {values->begin(), values->end()};
}

core::Json candidateJson(const core::PlanCandidate& c) {
    const core::Deployment& d = c.deployment;
    return {{"plan", core::planName(d)},
            {"tp", d.tensorParallel},
            {"ep", d.expertParallel},
            {"pp", d.pipelineParallel},
            {"dp", d.dataParallel},
            {"devices", d.devices()},
            {"batch", c.batch},
            {"ttft_s", c.ttftSeconds},
            {"tpot_s", c.tpotSeconds},
            {"e2e_s", c.e2eSeconds},
            {"tokens_per_s", c.tokensPerSecond},
            {"tokens_per_s_per_device", c.tokensPerSecondPerDevice},
            {"memory_bytes_per_device", c.memoryPerDevice},
            {"capacity_bytes_per_device", c.capacityPerDevice},
            {"network_share", c.networkShare},
            {"binding", c.binding},
            {"fits_in_memory", c.fits},
            {"meets_targets", c.meetsTargets},
            {"pareto", c.pareto}};
}

}  // namespace

void addPlanOptions(po::options_description& options, bool tableOptions) {
    auto init = options.add_options();
    init("batch", po::value<std::string>()->default_value("1:256:x2"),
         "batches per replica to try: 1,8,64 or 1:256:x2")(
        "prompt-len", po::value<std::int64_t>()->default_value(1024), "prompt tokens per sequence")(
        "gen-len", po::value<std::int64_t>()->default_value(128), "generated tokens per sequence")(
        "flash-attention", po::bool_switch(), "fused attention (FlashAttention IO model)")(
        "ttft-ms", po::value<double>(), "time-to-first-token target (ms)")(
        "tpot-ms", po::value<double>(), "time-per-output-token target (ms)")(
        "tp-across-nodes", po::bool_switch(), "let TP leave the scale-up domain")(
        "any-size", po::bool_switch(),
        "try replicas that leave devices idle (default: DP fills the system)");
    if (tableOptions) {
        init("all", po::bool_switch(), "list every candidate, not only the Pareto front")(
            "report", po::bool_switch(), "print the best plan's per-rank report after the table");
    }
    init("serving", po::bool_switch(),
         "optimise the steady state of continuous batching (docs/serving.md) instead of a "
         "fixed batch: each plan at its best concurrency under the targets")(
        "threads", po::value<unsigned>()->default_value(0), "worker threads (0 = all cores)");
}

core::PlanSearchSpec planSearchSpec(const po::variables_map& vm,
                                    const std::function<void(core::PlanSearchSpec&)>& resolve) {
    core::PlanSearchSpec spec;
    spec.settings.phase = core::Phase::request;
    spec.settings.promptLength = requirePositive(vm, "prompt-len");
    spec.settings.generateLength = requirePositive(vm, "gen-len");
    spec.settings.flashAttention = vm["flash-attention"].as<bool>();
    auto batches = core::parseRange(vm["batch"].as<std::string>());
    if (!batches) {
        throw CliError{kUsage, "--batch: " + batches.error().message};
    }
    spec.batches = std::move(batches).value();
    resolve(spec);
    spec.base = withPlanOptions(vm, core::Deployment{});
    spec.ttftTarget = target(vm, "ttft-ms");
    spec.tpotTarget = target(vm, "tpot-ms");
    spec.tensorAcrossNodes = vm["tp-across-nodes"].as<bool>();
    spec.useAllDevices = !vm["any-size"].as<bool>();
    spec.tensor = restriction(vm, "tp");
    spec.expert = restriction(vm, "ep");
    spec.pipeline = restriction(vm, "pp");
    spec.serving = vm["serving"].as<bool>();
    return spec;
}

core::Json planJson(const core::PlanSearchResult& r, const core::PlanSearchSpec& spec,
                    const std::string& model) {
    core::Json list = core::Json::array();
    for (const auto& c : r.candidates) {
        list.push_back(candidateJson(c));
    }
    core::Json doc{{"schema_version", 1},
                   {"model", model},
                   {"system", spec.system.id},
                   {"devices", spec.system.devices()},
                   {"prompt_len", spec.settings.promptLength},
                   {"gen_len", spec.settings.generateLength},
                   {"plans", r.plans},
                   {"refused_plans", r.refused},
                   {"refusals", r.refusals},
                   {"candidates", std::move(list)}};
    doc["ttft_target_s"] = spec.ttftTarget ? core::Json(*spec.ttftTarget) : core::Json();
    doc["tpot_target_s"] = spec.tpotTarget ? core::Json(*spec.tpotTarget) : core::Json();
    doc["winner"] = r.winner ? core::Json(*r.winner) : core::Json();
    return doc;
}

}  // namespace rooflens::cli
