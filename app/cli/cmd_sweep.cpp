// rooflens sweep: a model over batch, length, device and scenario grids, ready to plot.
#include <cstdio>
#include <iostream>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "cli_common.h"
#include "core/json_io.h"
#include "core/sweep.h"
#include "core/units.h"
#include "progress_bar.h"
#include "workload_options.h"

namespace rooflens::cli {

namespace {

std::vector<std::int64_t> range(const po::variables_map& vm, const char* name) {
    auto values = core::parseRange(vm[name].as<std::string>());
    if (!values) {
        throw CliError{kUsage, std::string("--") + name + ": " + values.error().message};
    }
    return std::move(values).value();
}

struct Names {
    std::vector<std::string> devices;
    std::vector<std::string> scenarios;
    // Plan names when a plan spans devices (the plan columns are shown then), else empty.
    std::vector<std::string> plans;
};

void appendCsv(std::string& out, const core::SweepPoint& p, const Names& n, core::Phase phase) {
    char line[512];
    std::snprintf(line, sizeof line,
                  "%s,%s,%s,%lld,%lld,%lld,%.9g,%.9g,%.9g,%.9g,%s,%.17g,%.17g,%.17g,%s,%.9g,%.9g\n",
                  n.devices[p.device].c_str(), n.scenarios[p.scenario].c_str(),
                  std::string(core::nameOf(phase)).c_str(), static_cast<long long>(p.batch),
                  static_cast<long long>(p.promptLength), static_cast<long long>(p.contextLength),
                  p.timeSeconds, p.tokensPerSecond, p.ttftSeconds, p.tpotSeconds,
                  std::string(core::nameOf(p.bound)).c_str(), p.weightBytes, p.kvCacheBytes,
                  p.totalMemoryBytes, p.fitsInMemory ? "true" : "false", p.expectedSeconds,
                  p.expectedTokensPerSecond);
    out += line;
    if (!n.plans.empty()) {  // the plan columns close the line
        out.pop_back();
        std::snprintf(line, sizeof line, ",%s,%.9g,%.9g\n", n.plans[p.deployment].c_str(),
                      p.tokensPerSecondPerDevice, p.networkSeconds);
        out += line;
    }
}

std::string render(const core::SweepResult& r, const Names& n, core::Phase phase,
                   core::ReportFormat format, const std::string& model, core::TimeBasis basis) {
    const bool expected = basis == core::TimeBasis::expected;
    if (format == core::ReportFormat::csv) {
        std::string out =
            "hardware,scenario,phase,batch,prompt_len,context_len,time_s,tokens_per_s,ttft_s,"
            "tpot_s,bound,weight_bytes,kv_cache_bytes,memory_bytes,fits_in_memory,expected_s,"
            "expected_tokens_per_s";
        out += n.plans.empty() ? "\n" : ",plan,tokens_per_s_per_device,network_s\n";
        out.reserve(r.points.size() * 160);
        for (const auto& p : r.points) {
            appendCsv(out, p, n, phase);
        }
        return out;
    }
    if (format == core::ReportFormat::json) {
        core::Json doc = core::sweepJson(r, n.devices, n.scenarios, n.plans, phase, model);
        doc["time_basis"] = core::nameOf(basis);
        return doc.dump(2) + "\n";
    }
    std::ostringstream out;
    char line[320];
    const char* lengthName = phase == core::Phase::decode ? "context" : "prompt";
    if (!n.plans.empty()) {
        std::snprintf(line, sizeof line, "%-20s %12s %10s  ", "plan", "tokens/s/GPU", "comm");
        out << line;
    }
    std::snprintf(line, sizeof line, "%-16s %-18s %7s %8s %11s %12s %-8s %10s %10s %s\n", "device",
                  "scenario", "batch", lengthName, expected ? "expected" : "time", "tokens/s",
                  "bound", "weights", "KV cache", "memory");
    out << line;
    for (const auto& p : r.points) {
        const auto length = phase == core::Phase::decode ? p.contextLength : p.promptLength;
        if (!n.plans.empty()) {
            std::snprintf(line, sizeof line, "%-20s %12.5g %10s  ", n.plans[p.deployment].c_str(),
                          p.tokensPerSecondPerDevice,
                          core::formatSeconds(p.networkSeconds).c_str());
            out << line;
        }
        std::snprintf(
            line, sizeof line, "%-16s %-18s %7lld %8lld %11s %12.5g %-8s %10s %10s %s\n",
            n.devices[p.device].c_str(), n.scenarios[p.scenario].c_str(),
            static_cast<long long>(p.batch), static_cast<long long>(length),
            core::formatSeconds(expected ? p.expectedSeconds : p.timeSeconds).c_str(),
            expected ? p.expectedTokensPerSecond : p.tokensPerSecond,
            std::string(core::nameOf(p.bound)).c_str(), core::formatSi(p.weightBytes, "B").c_str(),
            core::formatSi(p.kvCacheBytes, "B").c_str(), p.fitsInMemory ? "fits" : "OUT OF MEMORY");
        out << line;
    }
    return out.str();
}

}  // namespace

int runSweep(const std::vector<std::string>& args) {
    po::options_description options("sweep options");
    addModelOptions(options, true, true);
    addRunOptions(options, RunOptionStyle{"decode", true, false});
    options.add_options()("threads", po::value<unsigned>()->default_value(0),
                          "worker threads (0 = all cores)");
    addOutputOptions(options, "table|json|csv");
    addFamilyOptions(options);
    addDeviceThreadsOption(options, "device-threads");
    addDeploymentOptions(options, true);
    auto parsed = parseOptions(args, options,
                               "usage: rooflens sweep --model M --hw H [--hw H2 ...] "
                               "[--scenario S ...] [--batch 1:256:x2] [--context-len ...] "
                               "[options]");
    if (!parsed) {
        return kOk;
    }
    const po::variables_map& vm = *parsed;
    const auto format = formatOption(
        vm, {core::ReportFormat::table, core::ReportFormat::json, core::ReportFormat::csv});
    core::SweepSpec spec;
    spec.batches = range(vm, "batch");
    spec.promptLengths = range(vm, "prompt-len");
    spec.contextLengths = range(vm, "context-len");
    spec.generateLength = requirePositive(vm, "gen-len");
    spec.flashAttention = vm["flash-attention"].as<bool>();
    const BoundModel model = bindModel(vm);
    spec.scenarios = scenarioList(vm, *model.builder);
    spec.phase = phaseOption(vm, *model.builder);
    spec.devices = deviceList(vm);
    spec.deployments = deploymentList(vm);
    if (!vm["system"].empty() || vm["devices"].as<int>() > 0) {
        spec.systems = systemList(vm, spec.devices, spec.deployments.front());
    }
    spec.options.timeBasis = timeBasisOption(vm);
    Names names;
    for (const auto& plan : spec.deployments) {
        if (!plan.single()) {
            for (const auto& each : spec.deployments) {
                names.plans.push_back(core::planName(each));
            }
            break;
        }
    }
    for (const auto& hw : spec.devices) {
        names.devices.push_back(hw.id);
    }
    for (const auto& s : spec.scenarios) {
        names.scenarios.push_back(core::scenarioName(s));
    }
    const std::size_t size = core::sweepSize(spec);
    if (size > 50'000'000) {
        throw CliError{kUsage, "the sweep has " + std::to_string(size) +
                                   " points; at most 50,000,000 are allowed"};
    }
    const core::CancelToken& cancel = installInterruptHandler();
    ProgressBar bar;
    auto result =
        core::runSweep(*model.builder, spec, vm["threads"].as<unsigned>(), bar.callback(), &cancel);
    bar.finish();
    const core::SweepResult sweep = unwrap(std::move(result));
    if (sweep.cancelled) {
        throw CliError{kRuntime, "cancelled (Ctrl-C); nothing written"};
    }
    printWarnings(sweep.warnings);
    emit(render(sweep, names, spec.phase, format, model.builder->id(), spec.options.timeBasis),
         outputOption(vm));
    return kOk;
}

}  // namespace rooflens::cli
