#pragma once
// A terminal progress bar on stderr: "[=====>     ] 45%  sweep  3.1 s left". Drawn in place when
// stderr is a terminal, otherwise nothing (no noise in logs). Thread-safe, rate-limited.
#include <chrono>
#include <mutex>
#include <string_view>

#include "core/progress.h"

namespace rooflens::cli {

class ProgressBar {
public:
    ProgressBar();
    ~ProgressBar();
    ProgressBar(const ProgressBar&) = delete;
    ProgressBar& operator=(const ProgressBar&) = delete;

    void update(double fraction, std::string_view label, double secondsLeft);
    void finish();
    core::ProgressCallback callback();

private:
    bool m_enabled;
    bool m_drawn = false;
    std::mutex m_mutex;
    std::chrono::steady_clock::time_point m_last;
};

}  // namespace rooflens::cli
