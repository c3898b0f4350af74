// rooflens serve: a deployment's steady state under a load (core/serving.h, docs/serving.md):
// TTFT, TPOT, E2E, requests/s and tokens/s per device, the targets, the per-step breakdown, the
// binding memory tier, energy and cost; or a rate/concurrency sweep as CSV or JSON.
#include <charconv>
#include <cmath>
#include <cstdio>
#include <sstream>

#include <nlohmann/json.hpp>

#include "cli_common.h"
#include "core/serving.h"
#include "core/units.h"
#include "workload_options.h"

namespace rooflens::cli {

namespace {

void addServeOptions(po::options_description& options) {
    po::options_description serve("load and serving (docs/serving.md)");
    // clang-format off
    serve.add_options()
        ("prompt-len", po::value<std::string>()->default_value("1024"),
         "prompt tokens: N, uniform:MIN:MAX, normal:MEAN:SD or file:PATH (one length a line)")
        ("gen-len", po::value<std::string>()->default_value("128"),
         "generated tokens per request, same forms")
        ("rate", po::value<double>(), "offered requests/s (open loop, Poisson arrivals)")
        ("concurrency", po::value<double>(), "requests in flight per replica (closed loop)")
        ("ttft-ms", po::value<double>(), "TTFT target in ms")
        ("tpot-ms", po::value<double>(), "TPOT target in ms")
        ("chunk", po::value<std::int64_t>()->default_value(0),
         "chunked prefill: tokens per step (decodes + a prompt chunk)")
        ("disaggregate", po::value<std::string>(), "P:D prefill and decode replicas")
        ("speculative", po::value<std::string>(), "draft=ID,alpha=A,gamma=G")
        ("prefix-len", po::value<std::int64_t>()->default_value(0),
         "tokens of a prefix every request shares")
        ("offload", po::value<std::string>(),
         "weights|kv|experts=hbm|host|nvme,hit=H,overlap=on|off,host-bw=B,nvme-bw=B,csd-bw=B")
        ("price", po::value<double>(), "dollars per device-hour (default: docs/serving.md table)")
        ("requests", po::value<std::int64_t>()->default_value(10000),
         "requests of the workload (totals; the prefix is cached for all but the first)")
        ("sweep-rate", po::value<std::string>(), "rates: A,B,C or LO:HI:N (N points)")
        ("sweep-concurrency", po::value<std::string>(), "concurrencies: A,B,C or LO:HI:N")
        ("goodput", po::bool_switch(),
         "the concurrency with the most output tokens/s per device meeting --ttft-ms/--tpot-ms")
        ("flash-attention", po::bool_switch(), "fused attention (FlashAttention IO model)");
    // clang-format on
    options.add(serve);
}

std::optional<double> toDouble(std::string_view text) {
    double v = 0;
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || ptr != text.data() + text.size() || !std::isfinite(v)) {
        return std::nullopt;
    }
    return v;
}

std::vector<double> sweepValues(const std::string& text, const char* flag) {
    auto bad = [&] {
        return CliError{kUsage, std::string("--") + flag +
                                    ": expected values > 0 as A,B,C or LO:HI:N, got '" + text +
                                    "'"};
    };
    std::vector<double> out;
    std::vector<std::string> parts;
    std::stringstream in(text);
    const bool range = text.find(':') != std::string::npos;
    for (std::string part; std::getline(in, part, range ? ':' : ',');) {
        parts.push_back(part);
    }
    std::vector<double> numbers;
    for (const auto& p : parts) {
        const auto v = toDouble(p);
        if (!v || *v <= 0) {
            throw bad();
        }
        numbers.push_back(*v);
    }
    if (!range) {
        return numbers.empty() ? throw bad() : numbers;
    }
    if (numbers.size() != 3 || numbers[1] < numbers[0] || numbers[2] != std::floor(numbers[2]) ||
        numbers[2] > 100000) {
        throw bad();
    }
    const int n = static_cast<int>(numbers[2]);
    for (int i = 0; i < n; ++i) {
        out.push_back(n == 1 ? numbers[0] : numbers[0] + (numbers[1] - numbers[0]) * i / (n - 1));
    }
    return out;
}

core::ServingOptions servingOptions(const po::variables_map& vm) {
    core::ServingOptions o;
    o.load.prompt =
        unwrap(core::parseLengthDistribution(vm["prompt-len"].as<std::string>(), "prompt-len"));
    o.load.output =
        unwrap(core::parseLengthDistribution(vm["gen-len"].as<std::string>(), "gen-len"));
    auto positive = [&](const char* name) -> std::optional<double> {
        if (vm.count(name) == 0U) {
            return std::nullopt;
        }
        const double v = vm[name].as<double>();
        if (!(v > 0)) {
            throw CliError{kUsage, std::string("--") + name + ": expected a number > 0, got " +
                                       std::to_string(v)};
        }
        return v;
    };
    o.load.rate = positive("rate");
    o.load.concurrency = positive("concurrency");
    if (const auto t = positive("ttft-ms"))
        o.ttftTarget = *t / 1e3;
    if (const auto t = positive("tpot-ms"))
        o.tpotTarget = *t / 1e3;
    o.dollarsPerDeviceHour = positive("price");
    o.chunkTokens = vm["chunk"].as<std::int64_t>();
    o.prefixTokens = vm["prefix-len"].as<std::int64_t>();
    o.load.requests = vm["requests"].as<std::int64_t>();
    if (o.chunkTokens < 0 || o.prefixTokens < 0 || o.load.requests < 1) {
        throw CliError{kUsage, "--chunk and --prefix-len must be >= 0, --requests >= 1"};
    }
    if (vm.count("disaggregate") != 0U) {
        const std::string text = vm["disaggregate"].as<std::string>();
        int p = 0;
        int d = 0;
        char colon = 0;
        std::istringstream in(text);
        if (!(in >> p >> colon >> d) || colon != ':' || p < 1 || d < 1 || !in.eof()) {
            throw CliError{kUsage,
                           "--disaggregate: expected P:D replicas (>= 1 each), got '" + text + "'"};
        }
        o.prefillReplicas = p;
        o.decodeReplicas = d;
    }
    if (vm.count("speculative") != 0U) {
        o.speculative = unwrap(core::parseSpeculative(vm["speculative"].as<std::string>()));
    }
    if (vm.count("offload") != 0U) {
        o.offload = unwrap(core::parseOffload(vm["offload"].as<std::string>()));
    }
    return o;
}

nlohmann::json toJson(const core::ServingMetrics& m) {
    nlohmann::json j = {
        {"concurrency", m.concurrency},
        {"max_concurrency", std::isfinite(m.maxConcurrency) ? nlohmann::json(m.maxConcurrency)
                                                            : nlohmann::json(nullptr)},
        {"kv_limited", m.kvLimited},
        {"saturated", m.saturated},
        {"ttft_s", m.ttftSeconds},
        {"tpot_s", m.tpotSeconds},
        {"e2e_s", m.e2eSeconds},
        {"requests_per_s", m.requestsPerSecond},
        {"output_tokens_per_s", m.outputTokensPerSecond},
        {"input_tokens_per_s", m.inputTokensPerSecond},
        {"output_tokens_per_s_per_device", m.outputTokensPerSecondPerDevice},
        {"tokens_per_s_per_user", m.tokensPerSecondPerUser},
        {"devices", m.devices},
        {"steps",
         {{"prefill_s", m.prefillSeconds},
          {"decode_step_s", m.decodeStepSeconds},
          {"mixed_step_s", m.mixedStepSeconds},
          {"prefill_time_share", m.prefillTimeShare},
          {"kv_transfer_s", m.kvTransferSeconds}}},
        {"memory",
         {{"kv_bytes_per_device", m.kvBytesPerDevice},
          {"hbm_bytes_per_device", m.memoryBytesPerDevice},
          {"binding_tier", m.bindingTier},
          {"binding_share", m.bindingShare}}},
        {"energy",
         {{"watts_per_device", m.wattsPerDevice},
          {"joules_per_output_token", m.joulesPerOutputToken}}},
        {"cost",
         {{"dollars_per_hour", m.dollarsPerHour},
          {"dollars_per_million_input", m.dollarsPerMillionInput},
          {"dollars_per_million_output", m.dollarsPerMillionOutput}}},
        {"workload_s", m.workloadSeconds},
    };
    if (m.ttftMet)
        j["ttft_met"] = *m.ttftMet;
    if (m.tpotMet)
        j["tpot_met"] = *m.tpotMet;
    return j;
}

std::string target(const std::optional<bool>& met, const std::optional<double>& goal) {
    if (!met || !goal) {
        return "";
    }
    return "   [target " + core::formatSeconds(*goal) + ": " + (*met ? "met" : "MISSED") + "]";
}

std::string renderText(const core::ServingMetrics& m, const core::ServingOptions& o,
                       const std::string& title) {
    std::ostringstream out;
    char line[256];
    auto row = [&](const char* name, const std::string& value) {
        std::snprintf(line, sizeof line, "  %-26s %s\n", name, value.c_str());
        out << line;
    };
    auto num = [&](double v, const char* unit) {
        std::snprintf(line, sizeof line, *unit != 0 ? "%.4g %s" : "%.4g", v, unit);
        return std::string(line);
    };
    out << title << "\nload: prompt " << o.load.prompt.describe() << ", output "
        << o.load.output.describe() << ", "
        << (o.load.rate ? num(*o.load.rate, "requests/s offered")
                        : num(*o.load.concurrency, "in flight per replica"))
        << "\nsteady state (mean-field continuous batching, docs/serving.md):\n";
    row("decode batch", num(m.concurrency, "") + " (KV limit " +
                            (std::isfinite(m.maxConcurrency) ? num(m.maxConcurrency, "") + ")"
                                                             : std::string("none)")) +
                            (m.kvLimited ? "  KV-LIMITED" : "") +
                            (m.saturated ? "  SATURATED: the rate exceeds the capacity" : ""));
    row("TTFT", core::formatSeconds(m.ttftSeconds) + target(m.ttftMet, o.ttftTarget));
    row("TPOT", core::formatSeconds(m.tpotSeconds) + target(m.tpotMet, o.tpotTarget));
    row("E2E", core::formatSeconds(m.e2eSeconds));
    row("requests/s", num(m.requestsPerSecond, ""));
    row("output tokens/s", num(m.outputTokensPerSecond, "") + " (" +
                               num(m.outputTokensPerSecondPerDevice, "per device, ") +
                               std::to_string(m.devices) + " devices)");
    row("input tokens/s", num(m.inputTokensPerSecond, ""));
    row("tokens/s per user", num(m.tokensPerSecondPerUser, ""));
    out << "per-step breakdown:\n";
    row("prefill of one request", core::formatSeconds(m.prefillSeconds));
    row("decode step", core::formatSeconds(m.decodeStepSeconds));
    if (m.mixedStepSeconds > 0)
        row("mixed step (with a chunk)", core::formatSeconds(m.mixedStepSeconds));
    if (m.kvTransferSeconds > 0)
        row("KV transfer P -> D", core::formatSeconds(m.kvTransferSeconds));
    row("prefill share of time", num(100 * m.prefillTimeShare, "%"));
    row("HBM per device", core::formatBinary(m.memoryBytesPerDevice, "B") + " (KV " +
                              core::formatBinary(m.kvBytesPerDevice, "B") + ")");
    row("binding (decode step)",
        m.bindingTier + " (" + num(100 * m.bindingShare, "%") + " of the layer time)");
    out << "energy and cost:\n";
    row("power per device", num(m.wattsPerDevice, "W") + " (idle + (TDP - idle) x busy)");
    row("energy", num(m.joulesPerOutputToken, "J per output token"));
    row("cost", m.dollarsPerHour > 0 ? num(m.dollarsPerHour, "$/hour") : "no price (--price)");
    if (m.dollarsPerHour > 0) {
        row("$ per million input", num(m.dollarsPerMillionInput, "$"));
        row("$ per million output", num(m.dollarsPerMillionOutput, "$"));
    }
    row("the workload's requests", core::formatSeconds(m.workloadSeconds));
    return out.str();
}

std::string renderSweep(const std::vector<core::ServingSweepPoint>& points, bool rates,
                        core::ReportFormat format) {
    if (format == core::ReportFormat::json) {
        nlohmann::json j = nlohmann::json::array();
        for (const auto& p : points) {
            nlohmann::json x = toJson(p.metrics);
            x[rates ? "rate" : "offered_concurrency"] = p.value;
            j.push_back(std::move(x));
        }
        return j.dump(2) + "\n";
    }
    std::ostringstream out;
    out << (rates ? "rate" : "concurrency")
        << ",decode_batch,kv_limited,saturated,ttft_s,tpot_s,e2e_s,requests_per_s,"
           "output_tokens_per_s,output_tokens_per_s_per_device,joules_per_output_token,"
           "dollars_per_million_output\n";
    for (const auto& p : points) {
        const auto& m = p.metrics;
        out << p.value << ',' << m.concurrency << ',' << m.kvLimited << ',' << m.saturated << ','
            << m.ttftSeconds << ',' << m.tpotSeconds << ',' << m.e2eSeconds << ','
            << m.requestsPerSecond << ',' << m.outputTokensPerSecond << ','
            << m.outputTokensPerSecondPerDevice << ',' << m.joulesPerOutputToken << ','
            << m.dollarsPerMillionOutput << '\n';
    }
    return out.str();
}

std::string titleOf(const core::WorkloadBuilder& model, const std::string& where,
                    const core::Deployment& d, const std::optional<core::Scenario>& scenario) {
    return "serving " + model.id() + " on " + where + " (TP " + std::to_string(d.tensorParallel) +
           " x PP " + std::to_string(d.pipelineParallel) + " x EP " +
           std::to_string(d.expertParallel) + ", DP " + std::to_string(d.dataParallel) +
           "), scenario " + core::scenarioName(scenario);
}

// The bound models, devices and systems a ServingInput points into.
struct Bound {
    BoundModel model;
    std::shared_ptr<const core::WorkloadBuilder> draft;
    core::ScenarioList scenarios;
    std::vector<core::Hardware> devices;
    std::vector<core::System> systems;
    core::ServingInput input;
};

void bindServing(const po::variables_map& vm, const core::ServingOptions& serving, Bound& b) {
    b.model = bindModel(vm);
    if (serving.speculative) {
        models::WorkloadSpec spec;
        spec.model = serving.speculative->draft;
        b.draft = unwrap(models::bindWorkload(spec));
    }
    b.scenarios = scenarioList(vm, *b.model.builder);
    b.devices = deviceList(vm);
    core::ServingInput& in = b.input;
    in.builder = b.model.builder.get();
    in.draft = b.draft.get();
    in.evaluation.devices = b.devices;
    in.evaluation.scenarios = b.scenarios;
    in.evaluation.deployment = deploymentOption(vm);
    in.evaluation.settings.flashAttention = vm["flash-attention"].as<bool>();
    b.systems = systemList(vm, b.devices, in.evaluation.deployment);
    in.evaluation.systems = b.systems;
    in.options = serving;
}

// One operating point (--rate, --concurrency, --goodput) as text or JSON.
void emitPoint(const po::variables_map& vm, core::ServingOptions serving, const Bound& b,
               core::ReportFormat format) {
    core::ServingMetrics m;
    if (vm["goodput"].as<bool>()) {
        const auto best = unwrap(core::bestUnderTargets(b.input));
        if (!best) {
            emit("no concurrency meets the targets (even one request in flight misses them)\n",
                 outputOption(vm));
            return;
        }
        m = *best;
        serving.load.concurrency = m.concurrency;
    } else {
        m = unwrap(core::evaluateServing(b.input));
    }
    if (format == core::ReportFormat::json) {
        nlohmann::json j = toJson(m);
        j["model"] = b.model.builder->id();
        j["hardware"] = b.devices.front().id;
        j["scenario"] = core::scenarioName(b.scenarios.front());
        j["load"] = {{"prompt", serving.load.prompt.describe()},
                     {"output", serving.load.output.describe()},
                     {"prompt_mean", serving.load.prompt.mean()},
                     {"output_mean", serving.load.output.mean()}};
        if (serving.load.rate)
            j["load"]["rate"] = *serving.load.rate;
        if (serving.load.concurrency)
            j["load"]["concurrency"] = *serving.load.concurrency;
        if (serving.ttftTarget)
            j["targets"]["ttft_s"] = *serving.ttftTarget;
        if (serving.tpotTarget)
            j["targets"]["tpot_s"] = *serving.tpotTarget;
        emit(j.dump(2) + "\n", outputOption(vm));
        return;
    }
    const std::string where = b.systems.empty() ? b.devices.front().id : b.systems.front().id;
    emit(renderText(
             m, serving,
             titleOf(*b.model.builder, where, b.input.evaluation.deployment, b.scenarios.front())),
         outputOption(vm));
}

void checkModes(const po::variables_map& vm) {
    const int modes = static_cast<int>(vm.count("rate") + vm.count("concurrency") +
                                       vm.count("sweep-rate") + vm.count("sweep-concurrency")) +
                      static_cast<int>(vm["goodput"].as<bool>());
    if (modes != 1) {
        throw CliError{kUsage,
                       "give one of --rate, --concurrency, --sweep-rate, "
                       "--sweep-concurrency, --goodput"};
    }
    if (vm["goodput"].as<bool>() && vm.count("ttft-ms") + vm.count("tpot-ms") == 0U) {
        throw CliError{kUsage, "--goodput needs a target: --ttft-ms and/or --tpot-ms"};
    }
}

}  // namespace

int runServe(const std::vector<std::string>& args) {
    po::options_description options("serve options");
    addModelOptions(options, false, false);
    addServeOptions(options);
    addOutputOptions(options, "table|json|csv (csv: sweeps)");
    addFamilyOptions(options);
    addDeploymentOptions(options, false);
    auto parsed = parseOptions(
        args, options,
        "usage: rooflens serve --model ID --system S|--hw H [plan flags] --prompt-len DIST "
        "--gen-len DIST (--rate R | --concurrency C | --sweep-rate LIST | --sweep-concurrency "
        "LIST | --goodput) [--ttft-ms X --tpot-ms Y] [--chunk N] [--disaggregate P:D] "
        "[--speculative draft=ID,alpha=A,gamma=G] [--prefix-len N] [--offload ...]");
    if (!parsed) {
        return kOk;
    }
    const po::variables_map& vm = *parsed;
    const auto format = formatOption(
        vm, {core::ReportFormat::table, core::ReportFormat::json, core::ReportFormat::csv});
    checkModes(vm);
    const bool sweepRate = vm.count("sweep-rate") != 0U;
    const bool sweep = sweepRate || vm.count("sweep-concurrency") != 0U;
    if (!sweep && format == core::ReportFormat::csv) {
        throw CliError{kUsage, "--format csv is for sweeps (--sweep-rate, --sweep-concurrency)"};
    }
    const core::ServingOptions serving = servingOptions(vm);
    Bound bound;
    bindServing(vm, serving, bound);
    if (!sweep) {
        emitPoint(vm, serving, bound, format);
        return kOk;
    }
    const char* flag = sweepRate ? "sweep-rate" : "sweep-concurrency";
    const std::vector<double> values = sweepValues(vm[flag].as<std::string>(), flag);
    const auto points = unwrap(core::sweepServing(bound.input, sweepRate, values));
    emit(renderSweep(points, sweepRate,
                     format == core::ReportFormat::json ? format : core::ReportFormat::csv),
         outputOption(vm));
    return kOk;
}

}  // namespace rooflens::cli
