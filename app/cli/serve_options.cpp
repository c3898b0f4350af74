// The options, operating point and JSON documents of `rooflens serve` (serve_options.h).
#include "serve_options.h"

#include <charconv>
#include <cmath>
#include <sstream>

#include <nlohmann/json.hpp>

#include "cli_common.h"
#include "models/workload_spec.h"

namespace rooflens::cli {

namespace {

std::optional<double> toDouble(std::string_view text) {
    double v = 0;
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || ptr != text.data() + text.size() || !std::isfinite(v)) {
        return std::nullopt;
    }
    return v;
}

}  // namespace

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

void checkServeModes(const po::variables_map& vm) {
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

std::shared_ptr<const core::WorkloadBuilder> bindDraft(const core::ServingOptions& serving) {
    if (!serving.speculative) {
        return nullptr;
    }
    models::WorkloadSpec spec;
    spec.model = serving.speculative->draft;
    return unwrap(models::bindWorkload(spec));
}

core::ServingInput servingInput(const po::variables_map& vm, const core::ServingOptions& serving,
                                const core::WorkloadBuilder& model,
                                const core::WorkloadBuilder* draft) {
    core::ServingInput in;
    in.builder = &model;
    in.draft = draft;
    in.evaluation.settings.flashAttention = vm["flash-attention"].as<bool>();
    in.options = serving;
    return in;
}

const char* serveSweepFlag(const po::variables_map& vm) {
    if (vm.count("sweep-rate") != 0U) {
        return "sweep-rate";
    }
    return vm.count("sweep-concurrency") != 0U ? "sweep-concurrency" : nullptr;
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

std::optional<core::ServingMetrics> servePoint(const po::variables_map& vm,
                                               const core::ServingInput& input,
                                               core::ServingOptions& serving) {
    if (!vm["goodput"].as<bool>()) {
        return unwrap(core::evaluateServing(input));
    }
    auto best = unwrap(core::bestUnderTargets(input));
    if (best) {
        serving.load.concurrency = best->concurrency;
    }
    return best;
}

core::Json servingMetricsJson(const core::ServingMetrics& m) {
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

core::Json servePointJson(const core::ServingMetrics& m, const core::ServingOptions& serving,
                          const std::string& model, const std::string& hardware,
                          const std::string& scenario) {
    core::Json j = servingMetricsJson(m);
    j["model"] = model;
    j["hardware"] = hardware;
    j["scenario"] = scenario;
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
    return j;
}

core::Json serveSweepJson(const std::vector<core::ServingSweepPoint>& points, bool rates) {
    core::Json j = core::Json::array();
    for (const auto& p : points) {
        core::Json x = servingMetricsJson(p.metrics);
        x[rates ? "rate" : "offered_concurrency"] = p.value;
        j.push_back(std::move(x));
    }
    return j;
}

}  // namespace rooflens::cli
