#include "core/derived.h"

#include <string>

namespace rooflens::core {

HeadlineFigures headlineFigures(const Report& report, const CompareRow* row) {
    HeadlineFigures f;
    const Totals& t = report.totals;
    const bool generator = report.model.family == ModelFamily::llm;
    f.itemsUnit = std::string(itemName(report.model.family)) + "/s";
    f.itemsPerSecond = t.itemsPerSecond;
    if (!generator) {
        f.prefillSeconds = t.timeSeconds;  // the one forward pass
        return f;
    }
    if (t.request) {
        f.prefillSeconds = t.request->prefillSeconds;
        f.ttftSeconds = t.request->ttftSeconds;
        f.tpotSeconds = t.request->tpotSeconds;
        f.decodeStepSeconds = t.request->tpotSeconds;
    } else if (report.settings.phase == Phase::decode) {
        f.decodeStepSeconds = t.timeSeconds;
        f.tpotSeconds = t.timeSeconds;
    } else {
        f.prefillSeconds = t.timeSeconds;
        f.ttftSeconds = t.timeSeconds;
    }
    if (row != nullptr) {
        f.prefillSeconds = row->prefillSeconds;
        f.decodeStepSeconds = row->decodeStepSeconds;
        f.ttftSeconds = row->request.ttftSeconds;
        f.tpotSeconds = row->request.tpotSeconds;
        if (report.settings.phase == Phase::request) {
            f.itemsPerSecond = row->request.tokensPerSecond;
        }
    }
    return f;
}

double speedup(const Report& baseline, const Report& report) {
    return report.totals.timeSeconds > 0 ? baseline.totals.timeSeconds / report.totals.timeSeconds
                                         : 0;
}

double memorySaved(const Report& baseline, const Report& report) {
    const double base = baseline.totals.memory.weights + baseline.totals.memory.kvCache;
    const double mine = report.totals.memory.weights + report.totals.memory.kvCache;
    return base > 0 ? 1 - mine / base : 0;
}

}  // namespace rooflens::core
