#include "core/compare.h"

#include <algorithm>
#include <map>

namespace rooflens::core {

namespace {

// Adds a pass's per-group times for scenario `s` into `groups` (ordered by first appearance).
void collect(const Report& report, std::size_t s, std::size_t scenarios, Phase phase,
             std::vector<std::string>& order, std::map<std::string, std::vector<double>>& groups) {
    const bool expected = report.timeBasis == TimeBasis::expected;
    for (std::size_t i = 0; i < report.layers.size(); ++i) {
        if (report.results[i].phase != phase) {
            continue;
        }
        const std::string name = groupName(report.layers[i]);
        auto [it, inserted] = groups.try_emplace(name, std::vector<double>(scenarios, 0.0));
        if (inserted) {
            order.push_back(name);
        }
        const LayerResult& r = report.results[i];
        it->second[s] += (expected ? r.expectedSeconds : r.timeSeconds) * report.layers[i].repeat;
    }
}

void addWarnings(const Report& report, std::vector<std::string>& warnings) {
    for (const auto& w : report.warnings) {
        if (std::find(warnings.begin(), warnings.end(), w) == warnings.end()) {
            warnings.push_back(w);
        }
    }
}

void setMemory(CompareRow& row, const Report& report) {
    row.weightBytes = report.totals.memory.weights;
    row.kvCacheBytes = report.totals.memory.kvCache;
    row.totalMemoryBytes = report.totals.memory.total();
    row.fitsInMemory = report.totals.fitsInMemory;
}

// Speed-ups and memory saved of every row against the first scenario on the same device.
void setRelative(std::vector<CompareRow>& rows, std::size_t first, bool singlePass,
                 TimeBasis basis) {
    const bool expected = basis == TimeBasis::expected;
    auto prefill = [&](const CompareRow& r) {
        return expected ? r.expectedPrefillSeconds : r.prefillSeconds;
    };
    auto decode = [&](const CompareRow& r) {
        return expected ? r.expectedDecodeStepSeconds : r.decodeStepSeconds;
    };
    auto e2e = [&](const CompareRow& r) {
        return expected ? r.request.expectedE2eSeconds : r.request.e2eSeconds;
    };
    const CompareRow& base = rows[first];
    for (std::size_t r = first; r < rows.size(); ++r) {
        CompareRow& row = rows[r];
        row.prefillSpeedup = prefill(base) / prefill(row);
        row.decodeSpeedup = singlePass ? 1.0 : decode(base) / decode(row);
        row.e2eSpeedup = e2e(base) / e2e(row);
        const double baseMemory = base.weightBytes + base.kvCacheBytes;
        row.memorySaved = 1 - (row.weightBytes + row.kvCacheBytes) / baseMemory;
    }
}

Result<Evaluation> evaluatePhase(const WorkloadBuilder& builder, const CompareInput& in,
                                 const Deployment& plan, Phase phase) {
    EvaluationInput input;
    input.settings = in.settings;
    input.settings.phase = phase;
    input.devices = in.devices;
    input.scenarios = in.scenarios;
    input.deployment = plan;
    input.systems = in.systems;
    input.options = in.options;
    ROOFLENS_TRY(Evaluation evaluation, evaluate(builder, input));
    if (auto error = evaluation.firstError()) {
        if (!plan.single()) {
            error->message = "plan " + planName(plan) + ": " + error->message;
        }
        return *error;
    }
    return evaluation;
}

// The three passes of one plan (one, for single-pass families).
struct PlanEvaluations {
    Evaluation prefill;
    std::optional<Evaluation> decode;
    std::optional<Evaluation> request;
};

Result<PlanEvaluations> evaluatePlan(const WorkloadBuilder& builder, const CompareInput& in,
                                     const Deployment& plan, bool singlePass) {
    PlanEvaluations e;
    ROOFLENS_TRY(e.prefill, evaluatePhase(builder, in, plan, Phase::prefill));
    if (!singlePass) {
        ROOFLENS_TRY(e.decode, evaluatePhase(builder, in, plan, Phase::decode));
        ROOFLENS_TRY(e.request, evaluatePhase(builder, in, plan, Phase::request));
    }
    return e;
}

}  // namespace

std::string groupName(const Layer& layer) {
    return layer.block < 0 ? std::string(layer.op) : "blocks.*." + std::string(layer.op);
}

Result<Comparison> compareScenarios(const WorkloadBuilder& builder, const CompareInput& in) {
    Comparison c;
    c.settings = in.settings;
    c.singlePass = !builder.hasDecode();
    c.timeBasis = in.options.timeBasis;
    for (const auto& hw : in.devices) {
        c.deviceIds.push_back(hw.id);
    }
    const std::vector<Deployment> plans =
        in.plans.empty() ? std::vector<Deployment>{in.deployment} : in.plans;
    std::vector<PlanEvaluations> evaluations;
    for (const Deployment& plan : plans) {
        c.planNames.push_back(planName(plan));
        ROOFLENS_TRY(PlanEvaluations e, evaluatePlan(builder, in, plan, c.singlePass));
        evaluations.push_back(std::move(e));
    }
    for (std::size_t p = 0; p < plans.size(); ++p) {
        for (const auto& s : in.scenarios) {
            c.scenarioNames.push_back(plans.size() > 1 ? c.planNames[p] + " / " + scenarioName(s)
                                                       : scenarioName(s));
        }
    }
    const std::size_t scenarios = in.scenarios.size();
    const std::size_t columns = plans.size() * scenarios;
    for (std::size_t d = 0; d < in.devices.size(); ++d) {
        std::vector<std::string> prefillOrder;
        std::vector<std::string> decodeOrder;
        std::map<std::string, std::vector<double>> prefillGroups;
        std::map<std::string, std::vector<double>> decodeGroups;
        const std::size_t first = c.rows.size();
        for (std::size_t column = 0; column < columns; ++column) {
            const std::size_t p = column / scenarios;
            const std::size_t s = column % scenarios;
            const PlanEvaluations& e = evaluations[p];
            CompareRow row;
            row.device = d;
            row.scenario = column;
            row.plan = p;
            row.scenarioName = c.scenarioNames[column];
            const Report& prefillReport = *e.prefill.at(d, s).report;
            row.prefillSeconds = prefillReport.totals.timeSeconds;
            row.expectedPrefillSeconds = prefillReport.totals.expectedSeconds;
            collect(prefillReport, column, columns, Phase::prefill, prefillOrder, prefillGroups);
            addWarnings(prefillReport, c.warnings);
            if (c.singlePass) {
                row.request.ttftSeconds = row.prefillSeconds;
                row.request.e2eSeconds = row.prefillSeconds;
                row.request.expectedTtftSeconds = row.expectedPrefillSeconds;
                row.request.expectedE2eSeconds = row.expectedPrefillSeconds;
                setMemory(row, prefillReport);
                c.rows.push_back(row);
                continue;
            }
            const Report& decodeReport = *e.decode->at(d, s).report;
            row.decodeStepSeconds = decodeReport.totals.timeSeconds;
            row.expectedDecodeStepSeconds = decodeReport.totals.expectedSeconds;
            collect(decodeReport, column, columns, Phase::decode, decodeOrder, decodeGroups);
            addWarnings(decodeReport, c.warnings);
            const Report& requestReport = *e.request->at(d, s).report;
            row.request = *requestReport.totals.request;
            setMemory(row, requestReport);
            addWarnings(requestReport, c.warnings);
            c.rows.push_back(row);
        }
        setRelative(c.rows, first, c.singlePass, c.timeBasis);
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
