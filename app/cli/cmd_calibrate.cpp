// rooflens calibrate: measure this machine's ceilings and write a hardware profile.
// Exit codes: 0 written, 1 usage, 2 bad input (no CUDA GPU, unwritable --out), 3 runtime
// failure, 130 cancelled by SIGINT (Ctrl-C); a cancelled run writes nothing.
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <sstream>
#include <vector>

#include "calibrate/calibration.h"
#include "calibrate/cuda_backend.h"
#include "calibrate/profile.h"
#include "cli_common.h"
#include "core/json_io.h"
#include "core/units.h"
#include "validate_whole.h"

namespace rooflens::cli {

namespace {

constexpr int kCancelled = 130;  // 128 + SIGINT, as shells report it

const char* kUsageText =
    "usage: rooflens calibrate [--quick|--full] [--threads N] [--device cpu|cuda] --out FILE\n"
    "Measures compute and memory ceilings with reference kernels and writes a hardware profile\n"
    "(hwdb schema; import it with 'rooflens hw import FILE' or use it with --hw FILE) plus a\n"
    "sidecar FILE.calibration.json with the ceilings the schema cannot hold and all statistics.\n"
    "Ctrl-C cancels cleanly: nothing is written and the exit code is 130.";

core::CancelToken* g_cancel = nullptr;

void onCalibrateInterrupt(int) {
    if (g_cancel != nullptr) {
        g_cancel->cancel();  // a lock-free atomic store: async-signal-safe
    }
}

// Installs the SIGINT handler for the lifetime of the object; a second Ctrl-C kills the process
// (SA_RESETHAND restores the default action).
class InterruptGuard {
public:
    explicit InterruptGuard(core::CancelToken& token) {
        g_cancel = &token;
        struct sigaction action {};
        action.sa_handler = onCalibrateInterrupt;
        sigemptyset(&action.sa_mask);
        action.sa_flags = SA_RESETHAND;
        sigaction(SIGINT, &action, &m_previous);
    }
    ~InterruptGuard() {
        sigaction(SIGINT, &m_previous, nullptr);
        g_cancel = nullptr;
    }
    InterruptGuard(const InterruptGuard&) = delete;
    InterruptGuard& operator=(const InterruptGuard&) = delete;

private:
    struct sigaction m_previous {};
};

// A progress bar on a terminal, one line per step otherwise.
class ProgressPrinter {
public:
    ProgressPrinter() : m_tty(::isatty(STDERR_FILENO) == 1) {}
    ~ProgressPrinter() { finish(); }
    ProgressPrinter(const ProgressPrinter&) = delete;
    ProgressPrinter& operator=(const ProgressPrinter&) = delete;

    void operator()(double fraction, std::string_view label, double secondsLeft) {
        const int percent = static_cast<int>(std::lround(100 * fraction));
        std::string left;
        if (secondsLeft >= 0) {
            left = secondsLeft >= 60
                       ? std::to_string(static_cast<int>(secondsLeft / 60)) + " min " +
                             std::to_string(static_cast<int>(secondsLeft) % 60) + " s left"
                       : std::to_string(static_cast<int>(std::ceil(secondsLeft))) + " s left";
        }
        if (m_tty) {
            constexpr int kWidth = 30;
            const int filled = std::clamp(percent * kWidth / 100, 0, kWidth);
            std::cerr << "\r\033[K[" << std::string(static_cast<std::size_t>(filled), '#')
                      << std::string(static_cast<std::size_t>(kWidth - filled), '-') << "] "
                      << percent << "%  " << label << (left.empty() ? "" : "  ~" + left)
                      << std::flush;
            m_open = true;
        } else {
            // One line per kernel: a working-set size (" @ 48 KiB") is not a new kernel.
            const std::string_view kernel = label.substr(0, label.find(" @ "));
            if (kernel != m_label) {
                std::cerr << "calibrate: " << percent << "% " << kernel
                          << (left.empty() ? "" : " (about " + left + ")") << '\n';
                m_label = std::string(kernel);
            }
        }
    }
    void finish() {
        if (m_open) {
            std::cerr << "\r\033[K" << std::flush;
            m_open = false;
        }
    }

private:
    bool m_tty;
    bool m_open = false;
    std::string m_label;
};

// Pulls a hidden option (for tests) out of the arguments: "--name VALUE" or "--name=VALUE".
std::string takeHidden(std::vector<std::string>& args, const std::string& name) {
    for (std::size_t i = 0; i < args.size(); ++i) {
        if (args[i] == name && i + 1 < args.size()) {
            std::string value = args[i + 1];
            args.erase(args.begin() + static_cast<std::ptrdiff_t>(i),
                       args.begin() + static_cast<std::ptrdiff_t>(i) + 2);
            return value;
        }
        if (args[i].rfind(name + "=", 0) == 0) {
            std::string value = args[i].substr(name.size() + 1);
            args.erase(args.begin() + static_cast<std::ptrdiff_t>(i));
            return value;
        }
    }
    return "";
}

std::string rate(double value, const std::string& unit) {
    return value > 0 ? core::formatSi(value, unit) : std::string("-");
}

std::string pad(std::string text, std::size_t width) {
    return text.size() >= width ? text + " " : text + std::string(width - text.size(), ' ');
}

// The efficiency model written into the profile (issue 14), one line per part.
std::string efficiencySummary(const core::Hardware& hw) {
    if (!hw.efficiency) {
        return "";
    }
    const core::EfficiencyModel& e = *hw.efficiency;
    std::ostringstream s;
    char line[64];
    s << "\nefficiency model (expected time)\n";
    for (const auto& g : e.gemm) {
        s << "  GEMM " << pad(g.type ? std::string(core::nameOf(*g.type)) : "any", 6) << "m =";
        for (std::size_t i = 0; i < g.m.size(); ++i) {
            std::snprintf(line, sizeof line, " %g: %.2f", g.m[i],
                          g.values[i * g.k.size() * g.n.size()]);
            s << line << (i + 1 < g.m.size() ? "," : "");
        }
        std::snprintf(line, sizeof line, " (k = %g, n = %g)\n", g.k.front(), g.n.front());
        s << line;
    }
    if (e.memory) {
        s << "  memory vs bytes moved:";
        for (std::size_t i = 0; i < e.memory->bytes.size(); ++i) {
            std::snprintf(line, sizeof line, ": %.2f", e.memory->values[i]);
            s << ' ' << core::formatSi(e.memory->bytes[i], "B") << line;
        }
        s << '\n';
    }
    for (const auto& k : e.kinds) {
        s << "  " << pad(std::string(core::nameOf(k.kind)), 12) << "vs bytes moved:";
        for (std::size_t i = 0; i < k.curve.bytes.size(); ++i) {
            std::snprintf(line, sizeof line, ": %.2f", k.curve.values[i]);
            s << ' ' << core::formatSi(k.curve.bytes[i], "B") << line;
        }
        s << '\n';
    }
    std::snprintf(line, sizeof line, "  kernel overhead: %.2f us\n", e.kernelOverheadSeconds * 1e6);
    s << line;
    return s.str();
}

std::string fixed(double value) {
    char text[32];
    std::snprintf(text, sizeof text, "%.0f", value);
    return text;
}

std::string summary(const calibrate::Calibration& c, const core::Hardware& hw,
                    const std::string& out, const std::string& sidecar) {
    using calibrate::nameOf;
    std::ostringstream s;
    const int all = c.threads();
    char line[256];
    std::snprintf(
        line, sizeof line,
        "%s: %s, %d thread(s), clock %.2f GHz measured (%.2f-%.2f), nominal %.2f GHz, "
        "%s mode, %.1f s%s\n",
        hw.id.c_str(), c.machine.cpuModel.c_str(), all, c.clockHz / 1e9, c.clockMinHz / 1e9,
        c.clockMaxHz / 1e9, c.machine.nominalHz / 1e9, std::string(nameOf(c.mode)).c_str(),
        c.durationSeconds,
        c.timeBudgetSeconds > 0 ? (" (budget " + fixed(c.timeBudgetSeconds) + " s)").c_str() : "");
    s << line << "\ncompute (achievable; theoretical at the measured clock)\n";
    for (const auto& e : c.compute) {
        if (e.threads != all && all > 1) {
            continue;
        }
        const auto* one = c.computeCeiling(e.type, 1);
        const std::string unit = core::isInteger(e.type) ? "OP/s" : "FLOP/s";
        std::snprintf(line, sizeof line, "%3.0f%%",
                      100 * e.opsPerSecond / std::max(1.0, e.theoreticalAtMeasuredClock));
        s << "  " << pad(std::string(core::nameOf(e.type)), 6) << pad(e.instruction, 18) << "1T "
          << pad(rate(one ? one->opsPerSecond : 0, unit), 14) << all << "T "
          << pad(rate(e.opsPerSecond, unit), 14) << "of "
          << pad(rate(e.theoreticalAtMeasuredClock, unit), 14) << line << '\n';
    }
    s << "\nmemory (read-only plateau; read+write)\n";
    for (const auto& m : c.memory) {
        s << "  " << pad(m.level, 6) << pad(std::to_string(m.threads) + "T", 4)
          << pad(rate(m.readBytesPerSecond, "B/s"), 14) << rate(m.readWriteBytesPerSecond(), "B/s")
          << '\n';
    }
    if (!c.gather.empty()) {
        s << "\nrandom gather (useful bytes)\n";
        for (const auto& g : c.gather) {
            s << "  " << pad(std::to_string(g.granuleBytes) + " B", 7)
              << pad(std::to_string(g.threads) + "T", 4) << rate(g.usefulBytesPerSecond, "B/s")
              << '\n';
        }
    }
    if (!c.gemm.empty()) {
        s << "\noneDNN GEMM\n";
        for (const auto& g : c.gemm) {
            std::snprintf(line, sizeof line, "%3.0f%% of the FMA roof", 100 * g.efficiency);
            s << "  " << pad(std::string(nameOf(g.type)), 6)
              << pad(std::to_string(g.shape.m) + "x" + std::to_string(g.shape.n) + "x" +
                         std::to_string(g.shape.k),
                     16)
              << pad(std::to_string(g.threads) + "T", 4)
              << pad(rate(g.opsPerSecond, g.type == calibrate::GemmType::int8 ? "OP/s" : "FLOP/s"),
                     14)
              << line << '\n';
        }
    }
    s << efficiencySummary(hw);
    s << "\ntime per part\n";
    for (const auto& step : c.steps) {
        // The pace shows where the budget shortened the trials (1: as planned).
        std::snprintf(
            line, sizeof line, "  %-52s %6.2f s%s\n", step.label.c_str(), step.seconds,
            step.pace < 0.995 ? ("  (trials at " + fixed(100 * step.pace) + " %)").c_str() : "");
        s << line;
    }
    for (const auto& w : c.warnings) {
        s << "\nwarning: " << w;
    }
    s << (c.warnings.empty() ? "" : "\n") << "\nwrote " << out;
    if (!sidecar.empty()) {
        s << " and " << sidecar;
    }
    s << '\n';
    return s.str();
}

void requireWritableDirectory(const std::filesystem::path& file) {
    const std::filesystem::path dir =
        file.parent_path().empty() ? std::filesystem::path(".") : file.parent_path();
    std::error_code ec;
    if (!std::filesystem::is_directory(dir, ec) || ::access(dir.c_str(), W_OK) != 0) {
        throw CliError{kBadInput, "--out: cannot write into " + dir.string()};
    }
}

// Validates the profile the way `hw import` will, then writes profile and sidecar together: both
// are written and flushed before either is renamed over its target, so a failure or a kill while
// writing leaves the old pair (core::writeFilesAtomic).
void writeProfile(const core::Hardware& hw, const std::string& sidecarText, const std::string& out,
                  const std::string& sidecar) {
    const std::string text = hwdb::serializeDevice(hw);
    auto check = hwdb::parseDeviceText(text, out);
    if (!check) {
        throw CliError{kRuntime, "internal error: the calibrated profile does not validate: " +
                                     check.error().message};
    }
    std::vector<core::FileContent> files{{out, text}};
    if (!sidecar.empty()) {
        files.push_back({sidecar, sidecarText});
    }
    if (auto status = core::writeFilesAtomic(files); !status) {
        throw CliError{kRuntime, status.error().message};
    }
}

}  // namespace

int runCalibrate(const std::vector<std::string>& arguments) {
    std::vector<std::string> args = arguments;
    const std::string budget = takeHidden(args, "--budget-scale");
    po::options_description options("calibrate options");
    options.add_options()("quick", po::bool_switch(), "short run, about 30 s (default)")(
        "full", po::bool_switch(), "thorough run, under 3 min")(
        "time-budget", po::value<std::string>()->default_value("auto"),
        "wall-clock budget in seconds: trials shorten to end within it (auto: quick 27, full "
        "170; none: trials at full length)")(
        "threads", po::value<int>()->default_value(0),
        "threads for the all-core ceilings (0: one per physical core)")(
        "device", po::value<std::string>()->default_value("cpu"), "cpu|cuda")(
        "cuda-device", po::value<int>()->default_value(0), "CUDA device index")(
        "out,o", po::value<std::string>()->required(), "profile to write (JSON, hwdb schema)")(
        "id", po::value<std::string>()->default_value(""), "profile id (default calibrated-HOST)")(
        "name", po::value<std::string>()->default_value(""), "display name")(
        "sidecar", po::value<std::string>(),
        "where to write the calibration sidecar (default OUT.calibration.json; '' for none)");
    auto parsed = parseOptions(args, options, kUsageText);
    if (!parsed) {
        return kOk;
    }
    const po::variables_map& vm = *parsed;
    if (vm["quick"].as<bool>() && vm["full"].as<bool>()) {
        throw CliError{kUsage, "--quick and --full exclude each other"};
    }
    const int threads = vm["threads"].as<int>();
    if (threads < 0) {
        throw CliError{kUsage, "--threads: expected 0 or a positive integer"};
    }
    double scale = 1.0;
    if (!budget.empty()) {
        try {
            scale = std::stod(budget);
        } catch (...) {
            scale = 0;
        }
        if (!(scale > 0) || scale > 100) {
            throw CliError{kUsage, "--budget-scale: expected a number in (0, 100]"};
        }
    }
    double timeBudget = 0;  // the mode's default
    if (const std::string text = vm["time-budget"].as<std::string>(); text == "none") {
        timeBudget = -1;
    } else if (text != "auto") {
        char* end = nullptr;
        timeBudget = std::strtod(text.c_str(), &end);
        if (end == text.c_str() || *end != '\0' || !(timeBudget >= 1) || timeBudget > 86400) {
            throw CliError{kUsage,
                           "--time-budget: expected seconds in [1, 86400], auto or none, "
                           "got '" +
                               text + "'"};
        }
    }
    const std::string device = vm["device"].as<std::string>();
    if (device != "cpu" && device != "cuda") {
        throw CliError{kUsage, "--device: expected cpu|cuda, got '" + device + "'"};
    }
    const std::string out = vm["out"].as<std::string>();
    const std::string sidecar = vm.count("sidecar") != 0U ? vm["sidecar"].as<std::string>()
                                                          : calibrate::sidecarPathFor(out).string();
    requireWritableDirectory(out);
    if (!sidecar.empty()) {
        requireWritableDirectory(sidecar);
    }
    const calibrate::Mode mode =
        vm["full"].as<bool>() ? calibrate::Mode::full : calibrate::Mode::quick;
    calibrate::ProfileOptions profile{vm["id"].as<std::string>(), vm["name"].as<std::string>()};

    core::CancelToken cancel;
    InterruptGuard guard(cancel);
    ProgressPrinter printer;
    core::ProgressCallback progress = [&](double f, std::string_view label, double left) {
        printer(f, label, left);
    };
    auto cancelled = [&] {
        printer.finish();
        std::cerr << "rooflens calibrate: cancelled; " << out << " was not written\n";
        return kCancelled;
    };

    if (device == "cuda") {
        auto count = calibrate::cudaDeviceCount();
        if (!count) {
            throw CliError{kBadInput, count.error().message};
        }
        auto result = calibrate::runCudaCalibration(mode, scale, vm["cuda-device"].as<int>(),
                                                    progress, cancel);
        if (cancel.cancelled()) {
            return cancelled();
        }
        if (!result) {
            throw CliError{kRuntime, result.error().message};
        }
        printer.finish();
        const core::Hardware hw = calibrate::toHardware(result.value(), profile);
        writeProfile(hw, calibrate::calibrationJson(result.value(), hw.id), out, sidecar);
        std::cout << "wrote " << out << (sidecar.empty() ? "" : " and " + sidecar) << '\n'
                  << efficiencySummary(hw);
        return kOk;
    }

    calibrate::CalibrationOptions calibration;
    calibration.mode = mode;
    calibration.threads = threads;
    calibration.budgetScale = scale;
    calibration.timeBudgetSeconds = timeBudget;
    auto result = calibrate::runCalibration(calibration, progress, cancel);
    if (cancel.cancelled()) {
        return cancelled();
    }
    if (!result) {
        throw CliError{kRuntime, result.error().message};
    }
    core::Hardware hw = calibrate::toHardware(result.value(), profile);
    // Kernel classes (issue 14 item 5): reference passes priced on the new profile.
    const auto classesStart = std::chrono::steady_clock::now();
    auto classes = calibrate::addKernelClassEfficiency(
        hw, calibrate::detectMachine(), referencePassPredictor(), mode, cancel,
        [&](double f, std::string_view label) { printer(f, label, -1); });
    if (cancel.cancelled()) {
        return cancelled();
    }
    printer.finish();
    std::string classNote;
    if (!classes) {
        classNote = "kernel classes: not measured (" + classes.error().message + ")\n";
    } else {
        const double seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - classesStart).count();
        char line[96];
        std::snprintf(line, sizeof line, "kernel classes: %zu thread count(s) in %.1f s\n",
                      classes.value().size(), seconds);
        classNote = line;
    }
    writeProfile(hw, calibrate::calibrationJson(result.value(), hw.id), out, sidecar);
    std::cout << summary(result.value(), hw, out, sidecar) << classNote;
    return kOk;
}

}  // namespace rooflens::cli
