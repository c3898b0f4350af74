// Cancellation: the library stops between trials and returns no partial result; Ctrl-C on
// `rooflens calibrate` exits 130 and leaves the previous profile intact (no temporary files).
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <thread>

#include "calibrate/calibration.h"
#include "core/json_io.h"
#include "test_support/cli_process.h"

namespace rooflens::calibrate {
namespace {

using testing::scratch;
using testing::slurp;

TEST(Cancel, TheLibraryStopsAndReturnsNothingPartial) {
    core::CancelToken cancel;
    int reports = 0;
    CalibrationOptions options;
    options.budgetScale = 0.01;
    const auto start = std::chrono::steady_clock::now();
    auto result = runCalibration(
        options,
        [&](double, std::string_view, double) {
            if (++reports == 2) {
                cancel.cancel();
            }
        },
        cancel);
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().message, "cancelled");
    EXPECT_GE(reports, 2);
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(60));
}

TEST(Cancel, AlreadyCancelledTokenRunsNoKernel) {
    core::CancelToken cancel;
    cancel.cancel();
    auto result = runCalibration({}, nullptr, cancel);
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().message, "cancelled");
}

TEST(Cancel, CtrlCLeavesThePreviousProfileIntact) {
    const auto dir = scratch() / "cancel";
    std::filesystem::create_directories(dir);
    const auto out = dir / "cpu.json";
    const std::string previous = "{\"previous\": true}\n";
    ASSERT_TRUE(core::writeFileAtomic(out, previous));
    const auto errFile = dir / "stderr.txt";

    const pid_t pid =
        testing::spawnRooflens({"calibrate", "--quick", "--out", out.string()}, errFile);
    ASSERT_GT(pid, 0);

    // Wait until it is measuring (a progress line), then press Ctrl-C.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (slurp(errFile).find("calibrate:") == std::string::npos &&
           std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    ASSERT_EQ(::kill(pid, SIGINT), 0);
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFEXITED(status)) << "killed by signal " << WTERMSIG(status);
    EXPECT_EQ(WEXITSTATUS(status), 130) << slurp(errFile);
    EXPECT_NE(slurp(errFile).find("cancelled"), std::string::npos) << slurp(errFile);
    EXPECT_EQ(slurp(out), previous);
    EXPECT_FALSE(std::filesystem::exists(dir / "cpu.calibration.json"));
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
        const std::string name = entry.path().filename().string();
        EXPECT_TRUE(name == "cpu.json" || name == "stderr.txt") << "left behind: " << name;
    }
}

}  // namespace
}  // namespace rooflens::calibrate
