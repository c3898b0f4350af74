// rooflens compare: scenarios (and devices) side by side for one model.
#include <cstdio>
#include <sstream>

#include <nlohmann/json.hpp>

#include "cli_common.h"
#include "core/compare.h"
#include "core/json_io.h"
#include "core/units.h"
#include "workload_options.h"

namespace rooflens::cli {

namespace {

std::string fmt(const char* format, double value) {
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, format, value);
    return buffer;
}

std::vector<std::string> header() {
    return {"device",  "scenario", "prefill", "decode step", "TTFT",     "TPOT",  "tokens/s",
            "weights", "KV cache", "fits",    "prefill x",   "decode x", "e2e x", "memory saved"};
}

// The row's times on the comparison's basis (the roofline bound unless --time expected).
core::CompareRow onBasis(const core::Comparison& c, core::CompareRow r) {
    if (c.timeBasis == core::TimeBasis::expected) {
        r.prefillSeconds = r.expectedPrefillSeconds;
        r.decodeStepSeconds = r.expectedDecodeStepSeconds;
        r.request.ttftSeconds = r.request.expectedTtftSeconds;
        r.request.tpotSeconds = r.request.expectedTpotSeconds;
        r.request.e2eSeconds = r.request.expectedE2eSeconds;
        r.request.tokensPerSecond = r.request.expectedTokensPerSecond;
    }
    return r;
}

std::vector<std::vector<std::string>> cells(const core::Comparison& c) {
    std::vector<std::vector<std::string>> out;
    for (const auto& row : c.rows) {
        const core::CompareRow r = onBasis(c, row);
        if (c.singlePass) {
            out.push_back({c.deviceIds[r.device], r.scenarioName,
                           core::formatSeconds(r.prefillSeconds), "n/a", "n/a", "n/a", "n/a",
                           core::formatSi(r.weightBytes, "B"), core::formatSi(r.kvCacheBytes, "B"),
                           r.fitsInMemory ? "yes" : "NO", fmt("%.2fx", r.prefillSpeedup), "n/a",
                           "n/a", fmt("%.1f%%", 100 * r.memorySaved)});
            continue;
        }
        out.push_back({c.deviceIds[r.device], r.scenarioName, core::formatSeconds(r.prefillSeconds),
                       core::formatSeconds(r.decodeStepSeconds),
                       core::formatSeconds(r.request.ttftSeconds),
                       r.request.tpotSeconds ? core::formatSeconds(*r.request.tpotSeconds) : "n/a",
                       fmt("%.4g", r.request.tokensPerSecond), core::formatSi(r.weightBytes, "B"),
                       core::formatSi(r.kvCacheBytes, "B"), r.fitsInMemory ? "yes" : "NO",
                       fmt("%.2fx", r.prefillSpeedup), fmt("%.2fx", r.decodeSpeedup),
                       fmt("%.2fx", r.e2eSpeedup), fmt("%.1f%%", 100 * r.memorySaved)});
    }
    return out;
}

std::string title(const core::Comparison& c, const std::string& model) {
    const auto& s = c.settings;
    if (c.singlePass) {
        return model + ": one forward pass, batch " + std::to_string(s.batch) + "; baseline " +
               c.scenarioNames.front() +
               (c.timeBasis == core::TimeBasis::expected ? "; expected times (efficiency model)"
                                                         : "");
    }
    return model + ": batch " + std::to_string(s.batch) + ", prompt " +
           std::to_string(s.promptLength) + ", generate " + std::to_string(s.generateLength) +
           "; decode step at context " + std::to_string(s.contextLength) +
           (s.flashAttention ? ", FlashAttention" : ", unfused attention") + "; baseline " +
           c.scenarioNames.front() +
           (c.timeBasis == core::TimeBasis::expected ? "; expected times (efficiency model)" : "");
}

// Per-layer decode-step deltas, one block per device.
std::vector<std::vector<std::string>> layerCells(const core::Comparison& c, std::size_t device,
                                                 core::Phase phase) {
    std::vector<std::vector<std::string>> out;
    for (const auto& l : c.layers) {
        if (l.device != device || l.phase != phase) {
            continue;
        }
        std::vector<std::string> line{l.layer};
        for (std::size_t s = 0; s < l.seconds.size(); ++s) {
            std::string text = core::formatSeconds(l.seconds[s]);
            if (s > 0 && l.seconds[0] > 0) {
                text += fmt(" (%+.0f%%)", 100 * (l.seconds[s] / l.seconds[0] - 1));
            }
            line.push_back(text);
        }
        out.push_back(line);
    }
    return out;
}

std::string renderText(const core::Comparison& c, const std::string& model, bool markdown) {
    std::ostringstream out;
    auto table = [&](const std::vector<std::string>& head,
                     const std::vector<std::vector<std::string>>& rows) {
        if (markdown) {
            out << '|';
            for (const auto& h : head) {
                out << ' ' << h << " |";
            }
            out << "\n|";
            for (std::size_t i = 0; i < head.size(); ++i) {
                out << (i < 2 ? "---|" : "---:|");
            }
            out << '\n';
            for (const auto& row : rows) {
                out << '|';
                for (const auto& cell : row) {
                    out << ' ' << cell << " |";
                }
                out << '\n';
            }
            return;
        }
        std::vector<std::size_t> width(head.size());
        for (std::size_t i = 0; i < head.size(); ++i) {
            width[i] = head[i].size();
            for (const auto& row : rows) {
                width[i] = std::max(width[i], row[i].size());
            }
        }
        auto line = [&](const std::vector<std::string>& row) {
            for (std::size_t i = 0; i < row.size(); ++i) {
                const std::string pad(width[i] - row[i].size(), ' ');
                out << (i < 2 ? row[i] + pad : pad + row[i]) << (i + 1 < row.size() ? "  " : "\n");
            }
        };
        line(head);
        for (const auto& row : rows) {
            line(row);
        }
    };
    out << (markdown ? "# " : "") << title(c, model) << "\n\n";
    table(header(), cells(c));
    for (std::size_t d = 0; d < c.deviceIds.size(); ++d) {
        out << '\n'
            << (markdown ? "## " : "")
            << (c.singlePass ? "forward pass per layer on " : "decode step per layer on ")
            << c.deviceIds[d] << " (summed over blocks; change against " << c.scenarioNames.front()
            << ")\n\n";
        std::vector<std::string> head{"layer"};
        head.insert(head.end(), c.scenarioNames.begin(), c.scenarioNames.end());
        table(head, layerCells(c, d, c.singlePass ? core::Phase::prefill : core::Phase::decode));
    }
    return out.str();
}

std::string renderCsv(const core::Comparison& c) {
    std::ostringstream out;
    out << "hardware,scenario,prefill_s,decode_step_s,ttft_s,tpot_s,e2e_s,tokens_per_s,"
           "weight_bytes,kv_cache_bytes,memory_bytes,fits_in_memory,speedup_prefill,"
           "speedup_decode,speedup_e2e,memory_saved,expected_prefill_s,expected_decode_step_s,"
           "expected_ttft_s,expected_tpot_s,expected_e2e_s,expected_tokens_per_s\n";
    for (const auto& r : c.rows) {
        char line[512];
        std::snprintf(line, sizeof line,
                      "%s,%s,%.9g,%.9g,%.9g,%.9g,%.9g,%.9g,%.17g,%.17g,%.17g,%s,%.6g,%.6g,%.6g,"
                      "%.6g,%.9g,%.9g,%.9g,%.9g,%.9g,%.9g\n",
                      c.deviceIds[r.device].c_str(), r.scenarioName.c_str(), r.prefillSeconds,
                      r.decodeStepSeconds, r.request.ttftSeconds, r.request.tpotSeconds.value_or(0),
                      r.request.e2eSeconds, r.request.tokensPerSecond, r.weightBytes,
                      r.kvCacheBytes, r.totalMemoryBytes, r.fitsInMemory ? "true" : "false",
                      r.prefillSpeedup, r.decodeSpeedup, r.e2eSpeedup, r.memorySaved,
                      r.expectedPrefillSeconds, r.expectedDecodeStepSeconds,
                      r.request.expectedTtftSeconds, r.request.expectedTpotSeconds.value_or(0),
                      r.request.expectedE2eSeconds, r.request.expectedTokensPerSecond);
        out << line;
    }
    return out.str();
}

}  // namespace

int runCompare(const std::vector<std::string>& args) {
    po::options_description options("compare options");
    addModelOptions(options, true, true);
    addRunOptions(options, RunOptionStyle{"prefill", false, true});
    addOutputOptions(options, "table|json|csv|md");
    addFamilyOptions(options);
    addDeviceThreadsOption(options, "threads");
    addDeploymentOptions(options, true);
    auto parsed = parseOptions(args, options,
                               "usage: rooflens compare --model M --hw H [--hw H2 ...] "
                               "--scenario A --scenario B ... [--tp 1,2,4,8 ...] [options]");
    if (!parsed) {
        return kOk;
    }
    const po::variables_map& vm = *parsed;
    const auto format = formatOption(vm, {core::ReportFormat::table, core::ReportFormat::json,
                                          core::ReportFormat::csv, core::ReportFormat::md});
    const BoundModel model = bindModel(vm);
    const core::ScenarioList scenarios = scenarioList(vm, *model.builder);
    const std::vector<core::Hardware> devices = deviceList(vm);
    core::CompareInput input;
    input.settings = runSettings(vm, *model.builder);
    if (input.settings.contextLength == 0) {
        input.settings.contextLength = input.settings.promptLength + input.settings.generateLength;
    }
    input.devices = devices;
    input.scenarios = scenarios;
    const std::vector<core::Deployment> plans = deploymentList(vm);
    input.deployment = plans.front();
    if (plans.size() > 1) {  // plans as columns beside the scenarios
        input.plans = plans;
    }
    // A list of plans of different sizes takes a system sized to each unless one is named.
    const bool named = !vm["system"].empty() || vm["devices"].as<int>() > 0;
    const std::vector<core::System> systems = plans.size() == 1 || named
                                                  ? systemList(vm, devices, input.deployment)
                                                  : std::vector<core::System>{};
    input.options.timeBasis = timeBasisOption(vm);
    input.systems = systems;
    const core::Comparison comparison = unwrap(core::compareScenarios(*model.builder, input));
    const std::string& id = model.builder->id();
    std::string text;
    switch (format) {
        case core::ReportFormat::json:
            text = core::comparisonJson(comparison, id).dump(2) + "\n";
            break;
        case core::ReportFormat::csv:
            text = renderCsv(comparison);
            break;
        case core::ReportFormat::md:
            text = renderText(comparison, id, true);
            break;
        case core::ReportFormat::table:
            text = renderText(comparison, id, false);
            break;
    }
    if (format != core::ReportFormat::json) {
        printWarnings(comparison.warnings);
    }
    emit(text, outputOption(vm));
    return kOk;
}

}  // namespace rooflens::cli
