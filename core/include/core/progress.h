#pragma once
// Progress reporting and cancellation for long work (sweeps, calibration). Core calls the
// callback and polls the token; the CLI turns it into a progress bar, the GUI into signals.
#include <atomic>
#include <functional>
#include <string_view>

namespace rooflens::core {

class CancelToken {
public:
    void cancel() { m_cancelled.store(true, std::memory_order_relaxed); }
    bool cancelled() const { return m_cancelled.load(std::memory_order_relaxed); }

private:
    std::atomic<bool> m_cancelled{false};
};

// fraction in [0, 1]; label names the current step; secondsLeft < 0 when unknown.
using ProgressCallback =
    std::function<void(double fraction, std::string_view label, double secondsLeft)>;

}  // namespace rooflens::core
