// rooflens analyze: build a model's workload for a phase and price it on a device.
#include <iostream>

#include "cli_common.h"
#include "core/analysis.h"
#include "workload_sources.h"

namespace rooflens::cli {

namespace {

int requireBits(const po::variables_map& vm, const char* name) {
    const int bits = vm[name].as<int>();
    if (!((bits >= 2 && bits <= 8) || bits == 16 || bits == 32)) {
        throw CliError{kUsage, std::string("--") + name + ": expected 2..8, 16 or 32, got " +
                                   std::to_string(bits)};
    }
    return bits;
}

}  // namespace

int runAnalyze(const std::vector<std::string>& args) {
    po::options_description options("analyze options");
    // clang-format off
    options.add_options()
        ("model", po::value<std::string>()->required(), "preset id or path to a config.json")
        ("hw", po::value<std::string>()->required(), "device id or path to a profile .json")
        ("phase", po::value<std::string>()->default_value("prefill"), "prefill|decode|request")
        ("batch", po::value<std::int64_t>()->default_value(1), "sequences per batch")
        ("prompt-len", po::value<std::int64_t>()->default_value(1024),
         "prompt tokens per sequence (prefill, request)")
        ("context-len", po::value<std::int64_t>()->default_value(1024),
         "tokens in the KV cache including the new one (decode)")
        ("gen-len", po::value<std::int64_t>()->default_value(128),
         "generated tokens per sequence (request)")
        ("wbits", po::value<int>()->default_value(16), "bits per linear-layer weight")
        ("abits", po::value<int>()->default_value(16), "bits per GEMM input activation")
        ("kvbits", po::value<int>()->default_value(16), "bits per KV-cache element")
        ("scenario", po::value<std::string>()->default_value(""),
         "compression: a scenario preset (rooflens scenarios list) or a scenario .json; "
         "replaces --wbits/--abits/--kvbits")
        ("flash-attention", po::bool_switch(), "fused attention (FlashAttention IO model)")
        ("format", po::value<std::string>()->default_value("table"), "table|json|csv|md")
        ("output,o", po::value<std::string>()->default_value(""), "write to FILE instead of stdout");
    // clang-format on
    addVitOptions(options);
    addGnnOptions(options);
    auto parsed =
        parseOptions(args, options,
                     "usage: rooflens analyze --model ID|config.json --hw ID|profile.json "
                     "[options]");
    if (!parsed) {
        return kOk;
    }
    const po::variables_map& vm = *parsed;

    core::RunSettings settings;
    settings.phase = requirePhase(vm);
    settings.batch = requirePositive(vm, "batch");
    settings.promptLength = requirePositive(vm, "prompt-len");
    settings.contextLength = requirePositive(vm, "context-len");
    settings.generateLength = requirePositive(vm, "gen-len");
    settings.weightBits = requireBits(vm, "wbits");
    settings.activationBits = requireBits(vm, "abits");
    settings.kvBits = requireBits(vm, "kvbits");
    settings.flashAttention = vm["flash-attention"].as<bool>();
    const auto format = parseFormat(vm["format"].as<std::string>(),
                                    {core::ReportFormat::table, core::ReportFormat::json,
                                     core::ReportFormat::csv, core::ReportFormat::md});

    const std::optional<core::Scenario> scenario = scenarioFromOptions(vm);
    const WorkloadSource source =
        compressed(resolveWorkloadSource(vm["model"].as<std::string>(), vm), scenario);
    const hwdb::Database db = loadDatabase(false);
    const core::Hardware hw = resolveHardware(db, vm["hw"].as<std::string>());

    core::Report report;
    if (settings.phase == core::Phase::request) {
        auto build = [&](core::Phase pass, std::int64_t context) {
            core::RunSettings s = settings;
            s.phase = pass;
            s.promptLength = context;
            s.contextLength = context;
            return source.build(s);
        };
        auto result = core::analyzeRequest(settings, build, hw);
        if (!result) {
            throw CliError{kUsage, result.error().message};
        }
        report = std::move(result).value();
    } else {
        auto workload = source.build(settings);
        if (!workload) {
            throw CliError{kUsage, workload.error().message};
        }
        report = core::analyze(workload.value(), hw);
    }
    emit(core::renderReport(report, format), vm["output"].as<std::string>());
    return kOk;
}

}  // namespace rooflens::cli
