// rooflens plan: every TP x EP x PP x DP plan of a model on a system at every batch, the Pareto
// front of tokens/s per GPU against TPOT, and the best plan under the latency targets.
#include <algorithm>
#include <cstdio>
#include <iostream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "cli_common.h"
#include "core/json_io.h"
#include "core/plan.h"
#include "core/sweep.h"
#include "core/units.h"
#include "progress_bar.h"
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
            {"fits_in_memory", c.fits},
            {"meets_targets", c.meetsTargets},
            {"pareto", c.pareto}};
}

std::string tableRow(const core::PlanCandidate& c, bool winner) {
    char line[320];
    std::snprintf(line, sizeof line,
                  "%-2s %-20s %6lld %10s %10s %13.5g %13.5g %10s %6.1f%%  %s\n",
                  winner ? "*" : "", core::planName(c.deployment).c_str(),
                  static_cast<long long>(c.batch), core::formatSeconds(c.ttftSeconds).c_str(),
                  core::formatSeconds(c.tpotSeconds).c_str(), c.tokensPerSecondPerDevice,
                  c.tokensPerSecond, core::formatSi(c.memoryPerDevice, "B").c_str(),
                  100 * c.networkShare,
                  !c.fits ? "OUT OF MEMORY" : (c.meetsTargets ? "meets targets" : "misses"));
    return line;
}

std::string render(const core::PlanSearchResult& r, const core::PlanSearchSpec& spec,
                   const std::string& model, core::ReportFormat format, bool all) {
    if (format == core::ReportFormat::json) {
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
        return doc.dump(2) + "\n";
    }
    std::ostringstream out;
    char line[512];
    std::snprintf(line, sizeof line,
                  "%s on %s (%d x %s): prompt %lld, generate %lld tokens per sequence\n"
                  "%zu plans x %zu batches = %zu candidates priced (%zu plans refused)\n\n",
                  model.c_str(), spec.system.id.c_str(), spec.system.devices(),
                  spec.system.device.id.c_str(),
                  static_cast<long long>(spec.settings.promptLength),
                  static_cast<long long>(spec.settings.generateLength), r.plans,
                  spec.batches.size(), r.candidates.size(), r.refused);
    out << line;
    std::snprintf(line, sizeof line, "%-2s %-20s %6s %10s %10s %13s %13s %10s %7s  %s\n", "",
                  "plan", "batch", "TTFT", "TPOT", "tok/s/GPU", "tok/s (all)", "mem/GPU",
                  "comm", all ? "" : "(Pareto front: max tokens/s per GPU vs TPOT)");
    out << line;
    // The front by TPOT (then every candidate, with --all, in the same order).
    std::vector<std::size_t> rows;
    for (std::size_t i = 0; i < r.candidates.size(); ++i) {
        if (all || r.candidates[i].pareto) {
            rows.push_back(i);
        }
    }
    std::stable_sort(rows.begin(), rows.end(), [&](std::size_t a, std::size_t b) {
        return r.candidates[a].tpotSeconds < r.candidates[b].tpotSeconds;
    });
    for (std::size_t i : rows) {
        out << tableRow(r.candidates[i], r.winner == i);
    }
    out << '\n';
    if (r.winner) {
        const auto& w = r.candidates[*r.winner];
        out << "best plan" << (spec.ttftTarget || spec.tpotTarget ? " meeting the targets" : "")
            << ": " << core::planName(w.deployment) << " at batch " << w.batch << " ("
            << core::formatSi(w.tokensPerSecondPerDevice, "tokens/s") << " per GPU, TPOT "
            << core::formatSeconds(w.tpotSeconds) << ", TTFT " << core::formatSeconds(w.ttftSeconds)
            << "); --report prints its per-rank report\n";
    } else {
        out << "no plan fits in memory"
            << (spec.ttftTarget || spec.tpotTarget ? " and meets the targets" : "") << '\n';
    }
    const std::size_t shown = all ? r.refusals.size() : std::min<std::size_t>(3, r.refusals.size());
    for (std::size_t i = 0; i < shown; ++i) {
        out << "refused: " << r.refusals[i] << '\n';
    }
    if (shown < r.refusals.size()) {
        out << "refused: ... " << r.refusals.size() - shown
            << " more reasons (--all lists them, --format json has them all)\n";
    }
    return out.str();
}

core::PlanSearchSpec searchSpec(const po::variables_map& vm, const BoundModel& model) {
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
    const core::ScenarioList scenarios = scenarioList(vm, *model.builder);
    spec.scenario = scenarios.front();
    const std::vector<core::Hardware> devices = deviceList(vm);
    spec.base = withPlanOptions(vm, core::Deployment{});
    core::Deployment sized;
    sized.dataParallel = std::max(1, vm["devices"].as<int>());
    const std::vector<core::System> systems = systemList(vm, devices, sized);
    if (systems.empty()) {
        throw CliError{kUsage, "plan needs a system: --system ID|FILE, or --hw ID --devices N"};
    }
    spec.system = systems.front();
    spec.ttftTarget = target(vm, "ttft-ms");
    spec.tpotTarget = target(vm, "tpot-ms");
    spec.tensorAcrossNodes = vm["tp-across-nodes"].as<bool>();
    spec.useAllDevices = !vm["any-size"].as<bool>();
    spec.tensor = restriction(vm, "tp");
    spec.expert = restriction(vm, "ep");
    spec.pipeline = restriction(vm, "pp");
    return spec;
}

}  // namespace

int runPlan(const std::vector<std::string>& args) {
    po::options_description options("plan options");
    addModelOptions(options, false, false);
    options.add_options()("batch", po::value<std::string>()->default_value("1:256:x2"),
                          "batches per replica to try: 1,8,64 or 1:256:x2")(
        "prompt-len", po::value<std::int64_t>()->default_value(1024), "prompt tokens per sequence")(
        "gen-len", po::value<std::int64_t>()->default_value(128), "generated tokens per sequence")(
        "flash-attention", po::bool_switch(), "fused attention (FlashAttention IO model)")(
        "ttft-ms", po::value<double>(), "time-to-first-token target (ms)")(
        "tpot-ms", po::value<double>(), "time-per-output-token target (ms)")(
        "tp-across-nodes", po::bool_switch(), "let TP leave the scale-up domain")(
        "any-size", po::bool_switch(),
        "try replicas that leave devices idle (default: DP fills the system)")(
        "all", po::bool_switch(), "list every candidate, not only the Pareto front")(
        "report", po::bool_switch(), "print the best plan's per-rank report after the table")(
        "threads", po::value<unsigned>()->default_value(0), "worker threads (0 = all cores)");
    addOutputOptions(options, "table|json|csv");
    addFamilyOptions(options);
    addDeploymentOptions(options, true);
    auto parsed = parseOptions(args, options,
                               "usage: rooflens plan --model M --system S [--ttft-ms X] "
                               "[--tpot-ms Y] [--batch 1:256:x2] [--scenario S] [options]\n"
                               "       (--tp/--ep/--pp lists restrict the search)");
    if (!parsed) {
        return kOk;
    }
    const po::variables_map& vm = *parsed;
    const auto format = formatOption(
        vm, {core::ReportFormat::table, core::ReportFormat::json, core::ReportFormat::csv});
    const BoundModel model = bindModel(vm);
    const core::PlanSearchSpec spec = searchSpec(vm, model);
    const core::CancelToken& cancel = installInterruptHandler();
    ProgressBar bar;
    auto searched = core::searchPlans(*model.builder, spec, vm["threads"].as<unsigned>(),
                                      bar.callback(), &cancel);
    bar.finish();
    const core::PlanSearchResult result = unwrap(std::move(searched));
    if (result.cancelled) {
        throw CliError{kRuntime, "cancelled (Ctrl-C); nothing written"};
    }
    std::string text;
    if (format == core::ReportFormat::csv) {
        text = "plan,tp,ep,pp,dp,batch,ttft_s,tpot_s,e2e_s,tokens_per_s,tokens_per_s_per_device,"
               "memory_bytes_per_device,network_share,fits_in_memory,meets_targets,pareto,winner\n";
        for (std::size_t i = 0; i < result.candidates.size(); ++i) {
            const auto& c = result.candidates[i];
            const auto& d = c.deployment;
            char line[400];
            std::snprintf(line, sizeof line,
                          "%s,%d,%d,%d,%d,%lld,%.9g,%.9g,%.9g,%.9g,%.9g,%.17g,%.6g,%s,%s,%s,%s\n",
                          core::planName(d).c_str(), d.tensorParallel, d.expertParallel,
                          d.pipelineParallel, d.dataParallel, static_cast<long long>(c.batch),
                          c.ttftSeconds, c.tpotSeconds, c.e2eSeconds, c.tokensPerSecond,
                          c.tokensPerSecondPerDevice, c.memoryPerDevice, c.networkShare,
                          c.fits ? "true" : "false", c.meetsTargets ? "true" : "false",
                          c.pareto ? "true" : "false", result.winner == i ? "true" : "false");
            text += line;
        }
    } else {
        text = render(result, spec, model.builder->id(), format, vm["all"].as<bool>());
    }
    if (vm["report"].as<bool>() && result.winner && format == core::ReportFormat::table) {
        const core::Report report =
            unwrap(core::candidateReport(*model.builder, spec, result.candidates[*result.winner]));
        text += "\n" + core::renderReport(report, core::ReportFormat::table);
    }
    emit(text, outputOption(vm));
    return kOk;
}

}  // namespace rooflens::cli
