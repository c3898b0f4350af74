#include "core/compare.h"

#include <map>

namespace rooflens::core {

namespace {

Result<Workload> buildPass(const CompareBuilder& build, const std::optional<Scenario>& scenario,
                           RunSettings settings) {
    auto workload = build(settings);
    if (!workload || !scenario) {
        return workload;
    }
    return applyScenario(*scenario, workload.value());
}

// Adds a pass's per-group times for scenario `s` into `groups` (ordered by first appearance).
void collect(const Report& report, std::size_t s, std::size_t scenarios, Phase phase,
             std::vector<std::string>& order, std::map<std::string, std::vector<double>>& groups) {
    for (std::size_t i = 0; i < report.layers.size(); ++i) {
        if (report.results[i].phase != phase) {
            continue;
        }
        const std::string name = groupName(report.layers[i]);
        auto [it, inserted] = groups.try_emplace(name, std::vector<double>(scenarios, 0.0));
        if (inserted) {
            order.push_back(name);
        }
        it->second[s] += report.results[i].timeSeconds * report.layers[i].repeat;
    }
}

}  // namespace

std::string groupName(const Layer& layer) {
    return layer.block < 0 ? std::string(layer.op) : "blocks.*." + std::string(layer.op);
}

Result<Comparison> compareScenarios(const CompareBuilder& build,
                                    const std::vector<Hardware>& devices,
                                    const std::vector<std::optional<Scenario>>& scenarios,
                                    const RunSettings& settings, bool singlePass) {
    Comparison c;
    c.settings = settings;
    c.singlePass = singlePass;
    for (const auto& hw : devices) {
        c.deviceIds.push_back(hw.id);
    }
    for (const auto& s : scenarios) {
        c.scenarioNames.push_back(s ? s->name : std::string("uncompressed"));
    }
    RunSettings prefill = settings;
    prefill.phase = Phase::prefill;
    RunSettings decode = settings;
    decode.phase = Phase::decode;
    RunSettings request = settings;
    request.phase = Phase::request;

    for (std::size_t d = 0; d < devices.size(); ++d) {
        const Hardware& hw = devices[d];
        std::vector<std::string> prefillOrder;
        std::vector<std::string> decodeOrder;
        std::map<std::string, std::vector<double>> prefillGroups;
        std::map<std::string, std::vector<double>> decodeGroups;
        const std::size_t first = c.rows.size();
        for (std::size_t s = 0; s < scenarios.size(); ++s) {
            CompareRow row;
            row.device = d;
            row.scenario = s;
            row.scenarioName = c.scenarioNames[s];
            auto prefillWorkload = buildPass(build, scenarios[s], prefill);
            if (!prefillWorkload) {
                return prefillWorkload.error();
            }
            const Report prefillReport = analyze(prefillWorkload.value(), hw);
            row.prefillSeconds = prefillReport.totals.timeSeconds;
            collect(prefillReport, s, scenarios.size(), Phase::prefill, prefillOrder,
                    prefillGroups);
            if (singlePass) {
                row.request.ttftSeconds = row.prefillSeconds;
                row.request.e2eSeconds = row.prefillSeconds;
                row.weightBytes = prefillReport.totals.memory.weights;
                row.kvCacheBytes = prefillReport.totals.memory.kvCache;
                row.totalMemoryBytes = prefillReport.totals.memory.total();
                row.fitsInMemory = prefillReport.totals.fitsInMemory;
                c.rows.push_back(row);
                continue;
            }

            auto decodeWorkload = buildPass(build, scenarios[s], decode);
            if (!decodeWorkload) {
                return decodeWorkload.error();
            }
            const Report decodeReport = analyze(decodeWorkload.value(), hw);
            row.decodeStepSeconds = decodeReport.totals.timeSeconds;
            collect(decodeReport, s, scenarios.size(), Phase::decode, decodeOrder, decodeGroups);

            auto pass = [&](Phase phase, std::int64_t context) {
                RunSettings one = settings;
                one.phase = phase;
                one.promptLength = context;
                one.contextLength = context;
                return buildPass(build, scenarios[s], one);
            };
            auto requestReport = analyzeRequest(request, pass, hw);
            if (!requestReport) {
                return requestReport.error();
            }
            row.request = *requestReport->totals.request;
            row.weightBytes = requestReport->totals.memory.weights;
            row.kvCacheBytes = requestReport->totals.memory.kvCache;
            row.totalMemoryBytes = requestReport->totals.memory.total();
            row.fitsInMemory = requestReport->totals.fitsInMemory;
            c.rows.push_back(row);
        }
        const CompareRow& base = c.rows[first];
        for (std::size_t r = first; r < c.rows.size(); ++r) {
            CompareRow& row = c.rows[r];
            row.prefillSpeedup = base.prefillSeconds / row.prefillSeconds;
            row.decodeSpeedup = singlePass ? 1.0 : base.decodeStepSeconds / row.decodeStepSeconds;
            row.e2eSpeedup = base.request.e2eSeconds / row.request.e2eSeconds;
            const double baseMemory = base.weightBytes + base.kvCacheBytes;
            row.memorySaved = 1 - (row.weightBytes + row.kvCacheBytes) / baseMemory;
        }
        for (const auto& name : prefillOrder) {
            c.layers.push_back({d, Phase::prefill, name, prefillGroups[name]});
        }
        for (const auto& name : decodeOrder) {
            c.layers.push_back({d, Phase::decode, name, decodeGroups[name]});
        }
    }
    return c;
}

}  // namespace rooflens::core
