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
#include "plan_options.h"
#include "progress_bar.h"
#include "workload_options.h"

namespace rooflens::cli {

namespace {

std::string tableRow(const core::PlanCandidate& c, bool winner, bool serving) {
    char comm[32];
    std::snprintf(comm, sizeof comm, "%6.1f%%", 100 * c.networkShare);
    char line[320];
    std::snprintf(line, sizeof line, "%-2s %-20s %6lld %10s %10s %13.5g %13.5g %10s %7s  %s\n",
                  winner ? "*" : "", core::planName(c.deployment).c_str(),
                  static_cast<long long>(c.batch), core::formatSeconds(c.ttftSeconds).c_str(),
                  core::formatSeconds(c.tpotSeconds).c_str(), c.tokensPerSecondPerDevice,
                  c.tokensPerSecond, core::formatSi(c.memoryPerDevice, "B").c_str(),
                  serving ? c.binding.c_str() : comm,
                  !c.fits ? "OUT OF MEMORY" : (c.meetsTargets ? "meets targets" : "misses"));
    return line;
}

std::string render(const core::PlanSearchResult& r, const core::PlanSearchSpec& spec,
                   const std::string& model, core::ReportFormat format, bool all) {
    if (format == core::ReportFormat::json) {
        return planJson(r, spec, model).dump(2) + "\n";
    }
    std::ostringstream out;
    char line[512];
    std::snprintf(line, sizeof line,
                  "%s on %s (%d x %s): prompt %lld, generate %lld tokens per sequence\n",
                  model.c_str(), spec.system.id.c_str(), spec.system.devices(),
                  spec.system.device.id.c_str(), static_cast<long long>(spec.settings.promptLength),
                  static_cast<long long>(spec.settings.generateLength));
    out << line;
    if (spec.serving) {
        std::snprintf(line, sizeof line,
                      "serving (continuous batching, docs/serving.md): %zu plans priced at the "
                      "concurrency with the most output tokens/s per GPU under the targets "
                      "(%zu plans refused)\n\n",
                      r.plans, r.refused);
    } else {
        std::snprintf(line, sizeof line,
                      "%zu plans x %zu batches = %zu candidates priced (%zu plans refused)\n\n",
                      r.plans, spec.batches.size(), r.candidates.size(), r.refused);
    }
    out << line;
    std::snprintf(line, sizeof line, "%-2s %-20s %6s %10s %10s %13s %13s %10s %7s  %s\n", "",
                  "plan", spec.serving ? "conc." : "batch", "TTFT", "TPOT", "tok/s/GPU",
                  "tok/s (all)", "mem/GPU", spec.serving ? "binds" : "comm",
                  all ? "" : "(Pareto front: max tokens/s per GPU vs TPOT)");
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
        out << tableRow(r.candidates[i], r.winner == i, spec.serving);
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
    return planSearchSpec(vm, [&](core::PlanSearchSpec& spec) {
        const core::ScenarioList scenarios = scenarioList(vm, *model.builder);
        spec.scenario = scenarios.front();
        const std::vector<core::Hardware> devices = deviceList(vm);
        core::Deployment sized;
        sized.dataParallel = std::max(1, vm["devices"].as<int>());
        const std::vector<core::System> systems = systemList(vm, devices, sized);
        if (systems.empty()) {
            throw CliError{kUsage, "plan needs a system: --system ID|FILE, or --hw ID --devices N"};
        }
        spec.system = systems.front();
    });
}

}  // namespace

int runPlan(const std::vector<std::string>& args) {
    po::options_description options("plan options");
    addModelOptions(options, false, false);
    addPlanOptions(options, true);
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
        text =
            "plan,tp,ep,pp,dp,batch,ttft_s,tpot_s,e2e_s,tokens_per_s,tokens_per_s_per_device,"
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
