#pragma once
// Helpers shared by the widget tests.
#include <chrono>
#include <memory>
#include <string>

#include <QSignalSpy>
#include <QString>
#include <QTest>

#include "core/analysis.h"
#include "hwdb/hwdb.h"
#include "models/presets.h"
#include "ui/main_window.h"

namespace rooflens::testing {

inline QString testData(const char* relative) {
    return QStringLiteral(ROOFLENS_TEST_DATA_DIR "/") + QString::fromUtf8(relative);
}

inline const core::Hardware& device(const std::string& id) {
    static const hwdb::Database db = hwdb::Database::load();
    return db.find(id)->hardware;
}

// A decode report of a small real model on a real device.
inline std::shared_ptr<const core::Report> llamaReport(
    const std::string& deviceId = "a100-80gb-sxm", core::Phase phase = core::Phase::decode) {
    core::RunSettings s;
    s.phase = phase;
    s.batch = 4;
    s.promptLength = 512;
    s.contextLength = 512;
    auto config = models::resolveLlm("llama-2-7b");
    auto workload = models::buildLlm(config.value(), s);
    return std::make_shared<const core::Report>(core::analyze(workload.value(), device(deviceId)));
}

// Waits until the window shows a result of a request made after this call.
class ResultWaiter {
public:
    explicit ResultWaiter(ui::MainWindow& window)
        : m_window(window), m_after(window.runner()->requestedGeneration()) {}
    bool wait(int timeoutMs = 10000) {
        return QTest::qWaitFor(
            [&] {
                return m_window.runner()->deliveredGeneration() > m_after &&
                       m_window.runner()->deliveredGeneration() ==
                           m_window.runner()->requestedGeneration();
            },
            timeoutMs);
    }

private:
    ui::MainWindow& m_window;
    std::uint64_t m_after;
};

}  // namespace rooflens::testing
