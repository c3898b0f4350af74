#include "core/derived.h"

#include <string>

namespace rooflens::core {

HeadlineFigures headlineFigures(const Report& report, const CompareRow* row) {
    HeadlineFigures f;
    const Totals& t = report.totals;
    const TimeBasis basis = report.timeBasis;
    const bool expected = basis == TimeBasis::expected;
    const bool generator = report.model.family == ModelFamily::llm;
    f.itemsUnit = std::string(itemName(report.model.family)) + "/s";
    f.itemsPerSecond = t.itemsPerSecondAt(basis);
    const double seconds = t.seconds(basis);
    if (!generator) {
        f.prefillSeconds = seconds;  // the one forward pass
        return f;
    }
    if (t.request) {
        const RequestMetrics& m = *t.request;
        f.prefillSeconds = expected ? m.expectedTtftSeconds : m.prefillSeconds;
        f.ttftSeconds = f.prefillSeconds;
        f.tpotSeconds = expected ? m.expectedTpotSeconds : m.tpotSeconds;
        f.decodeStepSeconds = f.tpotSeconds;
    } else if (report.settings.phase == Phase::decode) {
        f.decodeStepSeconds = seconds;
        f.tpotSeconds = seconds;
    } else {
        f.prefillSeconds = seconds;
        f.ttftSeconds = seconds;
    }
    if (row != nullptr) {
        const RequestMetrics& m = row->request;
        f.prefillSeconds = expected ? row->expectedPrefillSeconds : row->prefillSeconds;
        f.decodeStepSeconds = expected ? row->expectedDecodeStepSeconds : row->decodeStepSeconds;
        f.ttftSeconds = expected ? m.expectedTtftSeconds : m.ttftSeconds;
        f.tpotSeconds = expected ? m.expectedTpotSeconds : m.tpotSeconds;
        if (report.settings.phase == Phase::request) {
            f.itemsPerSecond = expected ? m.expectedTokensPerSecond : m.tokensPerSecond;
        }
    }
    return f;
}

double speedup(const Report& baseline, const Report& report) {
    const TimeBasis basis = report.timeBasis;
    return report.totals.seconds(basis) > 0
               ? baseline.totals.seconds(basis) / report.totals.seconds(basis)
               : 0;
}

double memorySaved(const Report& baseline, const Report& report) {
    const double base = baseline.totals.memory.weights + baseline.totals.memory.kvCache;
    const double mine = report.totals.memory.weights + report.totals.memory.kvCache;
    return base > 0 ? 1 - mine / base : 0;
}

}  // namespace rooflens::core
