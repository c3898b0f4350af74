#include "progress_bar.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <string>

namespace rooflens::cli {

ProgressBar::ProgressBar() : m_enabled(::isatty(STDERR_FILENO) == 1) {}

ProgressBar::~ProgressBar() {
    finish();
}

void ProgressBar::update(double fraction, std::string_view label, double secondsLeft) {
    if (!m_enabled) {
        return;
    }
    const std::lock_guard<std::mutex> lock(m_mutex);
    const auto now = std::chrono::steady_clock::now();
    if (m_drawn && fraction < 1 && now - m_last < std::chrono::milliseconds(100)) {
        return;
    }
    m_last = now;
    constexpr int kWidth = 30;
    const double f = std::clamp(fraction, 0.0, 1.0);
    const int filled = static_cast<int>(f * kWidth);
    std::string bar(static_cast<std::size_t>(filled), '=');
    if (filled < kWidth) {
        bar += '>';
        bar += std::string(static_cast<std::size_t>(kWidth - filled - 1), ' ');
    }
    char left[32] = "";
    if (secondsLeft >= 0 && f < 1) {
        std::snprintf(left, sizeof left, "  %.1f s left", secondsLeft);
    }
    std::fprintf(stderr, "\r[%s] %3.0f%%  %.*s%s\033[K", bar.c_str(), f * 100,
                 static_cast<int>(label.size()), label.data(), left);
    std::fflush(stderr);
    m_drawn = true;
}

void ProgressBar::finish() {
    const std::lock_guard<std::mutex> lock(m_mutex);
    if (m_enabled && m_drawn) {
        std::fprintf(stderr, "\r\033[K");
        std::fflush(stderr);
        m_drawn = false;
    }
}

core::ProgressCallback ProgressBar::callback() {
    return [this](double fraction, std::string_view label, double secondsLeft) {
        update(fraction, label, secondsLeft);
    };
}

}  // namespace rooflens::cli
