// Fitting the ceilings from the recorded kernels (calibration.md 4.3) and the quality gates of
// 4.2 (noise, results above the per-cycle peak, library GEMM below 70 % of the FMA roof).
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "suite.h"

namespace rooflens::calibrate::detail {

namespace {

std::string percent(double fraction) {
    char text[32];
    std::snprintf(text, sizeof text, "%.1f %%", 100 * fraction);
    return text;
}

bool isMemoryGroup(const std::string& group) {
    return group == "sweep" || group == "gather" || group == "spmm" || group == "attention";
}

// Per probe (run): the p90 of its trials, the same statistic as the achievable peaks, so a
// descheduled trial does not lower the clock the peaks are compared with.
std::vector<double> probeClocks(const KernelResult& k) {
    std::vector<double> out;
    for (const auto& run : k.measurement.runs) {
        std::vector<double> rates;
        for (double seconds : run) {
            rates.push_back(seconds > 0 ? k.workPerIteration / seconds : 0);
        }
        if (!rates.empty()) {
            out.push_back(quantile(rates, 0.9));
        }
    }
    return out;
}

void fitClock(Calibration& c) {
    std::vector<double> one;
    std::vector<double> all;
    for (const auto& k : c.kernels) {
        if (k.group == "clock") {
            const auto clocks = probeClocks(k);
            (k.threads == 1 ? one : all)
                .insert((k.threads == 1 ? one : all).end(), clocks.begin(), clocks.end());
        }
    }
    if (!one.empty()) {
        c.clockHz = quantile(one, 0.5);
        c.clockMinHz = *std::min_element(one.begin(), one.end());
        c.clockMaxHz = *std::max_element(one.begin(), one.end());
        if (c.clockHz > 0 && (c.clockMaxHz - c.clockMinHz) / c.clockHz > 0.05) {
            c.warnings.push_back("the clock moved by " +
                                 percent((c.clockMaxHz - c.clockMinHz) / c.clockHz) +
                                 " during the run (limit 5 %)");
        }
    }
    const double allHz = all.empty() ? c.clockHz : quantile(all, 0.5);
    for (auto& k : c.kernels) {
        k.clockHz = k.group == "clock" ? quantile(probeClocks(k), 0.5)
                    : k.threads == 1   ? c.clockHz
                                       : allHz;
    }
}

void flagKernels(Calibration& c) {
    int noisy = 0;
    for (auto& k : c.kernels) {
        const double limit = isMemoryGroup(k.group) ? kMemoryCvLimit : kComputeCvLimit;
        if (k.rate.cv > limit) {
            k.flags.push_back("noisy: CV " + percent(k.rate.cv) + " > " + percent(limit));
            ++noisy;
        }
        if (k.theoreticalPerCycle > 0 && k.clockHz > 0) {
            k.theoretical = k.theoreticalPerCycle * k.clockHz;
            if (k.rate.typical > 1.02 * k.theoretical) {
                k.flags.push_back("above the per-cycle peak at the measured clock (" +
                                  percent(k.rate.typical / k.theoretical) +
                                  "): counting error or clock change");
            }
        }
    }
    if (noisy > 0) {
        c.warnings.push_back(std::to_string(noisy) +
                             " kernel(s) exceeded the noise limits (CV > 5 % compute, 10 % "
                             "memory): the machine was busy; repeat when it is quieter");
    }
}

void fitCompute(Calibration& c) {
    for (const auto& k : c.kernels) {
        if (k.group != "peak") {
            continue;
        }
        ComputeCeiling* existing = nullptr;
        for (auto& e : c.compute) {
            if (e.type == k.type && e.threads == k.threads) {
                existing = &e;
            }
        }
        if (existing != nullptr && existing->opsPerSecond >= k.rate.achievable) {
            continue;
        }
        if (existing == nullptr) {
            c.compute.emplace_back();
            existing = &c.compute.back();
        }
        ComputeCeiling& e = *existing;
        e.type = k.type;
        e.threads = k.threads;
        e.kernel = k.name.substr(k.name.find(' ') + 1);
        e.instruction = k.isa;
        e.vectorBits = k.vectorBits;
        e.opsPerSecond = k.rate.achievable;
        e.typicalOpsPerSecond = k.rate.typical;
        e.opsPerCycle = k.clockHz > 0 ? k.rate.achievable / k.clockHz / k.threads : 0;
        e.theoreticalOpsPerCycle = k.theoreticalPerCycle / k.threads;
        e.theoreticalAtMeasuredClock = k.theoreticalPerCycle * k.clockHz;
        e.theoreticalAtNominalClock = k.theoreticalPerCycle * c.machine.nominalHz;
    }
}

const Sweep* findSweep(const Calibration& c, const std::string& kernel, int threads) {
    for (const auto& s : c.sweeps) {
        if (s.kernel == kernel && s.threads == threads) {
            return &s;
        }
    }
    return nullptr;
}

void fitMemory(Calibration& c) {
    const int all = c.threads();
    const std::vector<int> counts = all > 1 ? std::vector<int>{1, all} : std::vector<int>{1};
    const double llc = c.machine.caches.empty()
                           ? 0
                           : c.machine.cacheBytesFor(c.machine.caches.back().level, c.cpus);
    for (int threads : counts) {
        const std::vector<int> cpus(c.cpus.begin(), c.cpus.begin() + threads);
        std::vector<LevelCapacity> levels;
        for (const auto& cache : c.machine.caches) {
            std::string name = "L";
            name += std::to_string(cache.level);
            levels.push_back({name, c.machine.cacheBytesFor(cache.level, cpus) / threads});
        }
        const Sweep* read = findSweep(c, "read", threads);
        if (read == nullptr || read->points.empty()) {
            continue;
        }
        auto plateaus = findPlateaus(read->points, levels, llc, threads);
        if (plateaus.empty() || plateaus.back().level != "DRAM") {
            Plateau last;
            last.level = "DRAM";
            last.fromBytes = last.toBytes = read->points.back().bytes;
            last.bytesPerSecond = last.bestBytesPerSecond = read->points.back().bytesPerSecond;
            last.points = 1;
            last.grouped = false;
            plateaus.push_back(last);
            if (threads == all) {
                c.warnings.push_back(
                    "the sweep did not reach 4x the last-level cache: the main memory value is "
                    "the largest working set measured, not DRAM");
            }
        }
        PlateauOptions rwOptions;
        rwOptions.minPoints = c.mode == Mode::full ? 3 : 1;
        auto rw = [&](const char* kernel) {
            const Sweep* s = findSweep(c, kernel, threads);
            return s != nullptr ? findPlateaus(s->points, levels, llc, threads, rwOptions)
                                : std::vector<Plateau>{};
        };
        const auto triad = rw("triad");
        const auto triadNt = rw("triad-nt");
        auto valueAt = [](const std::vector<Plateau>& list, const std::string& level) {
            for (const auto& p : list) {
                if (p.level == level) {
                    return p.bytesPerSecond;
                }
            }
            return list.empty() || level != "DRAM" ? 0.0 : list.back().bytesPerSecond;
        };
        for (const auto& p : plateaus) {
            MemoryCeiling m;
            m.level = p.level;
            m.threads = threads;
            m.fromBytes = p.fromBytes;
            m.toBytes = p.toBytes;
            m.points = p.points;
            m.readBytesPerSecond = p.bytesPerSecond;
            m.readBestBytesPerSecond = p.bestBytesPerSecond;
            m.triadBytesPerSecond = valueAt(triad, p.level);
            m.triadNtBytesPerSecond = valueAt(triadNt, p.level);
            if (p.level == "DRAM") {
                m.capacityBytes = c.machine.memoryBytes;
            } else {
                m.capacityBytes = c.machine.cacheBytesFor(std::stoi(p.level.substr(1)), c.cpus);
            }
            c.memory.push_back(m);
        }
    }
}

void fitGemm(Calibration& c) {
    for (auto& k : c.kernels) {
        if (k.group != "gemm" && k.group != "gemm-shape") {
            continue;
        }
        const ComputeCeiling* roof = c.computeCeiling(k.type, k.threads);
        const double efficiency =
            roof != nullptr && roof->opsPerSecond > 0 ? k.rate.achievable / roof->opsPerSecond : 0;
        if (k.group == "gemm" && efficiency > 0 && efficiency < 0.7) {
            k.flags.push_back("below 70 % of the " + std::string(core::nameOf(k.type)) +
                              " FMA roof (" + percent(efficiency) + "): probable ISA fallback");
        }
        GemmCeiling g;
        g.type = k.type == core::DataType::int8   ? GemmType::int8
                 : k.type == core::DataType::bf16 ? GemmType::bf16
                                                  : GemmType::fp32;
        g.implementation = k.isa;
        g.threads = k.threads;
        g.opsPerSecond = k.rate.achievable;
        g.typicalOpsPerSecond = k.rate.typical;
        g.efficiency = efficiency;
        // The shape is in the name: "gemm fp32 MxNxK".
        const std::string dims = k.name.substr(k.name.rfind(' ') + 1);
        long long m = 0;
        long long n = 0;
        long long kk = 0;
        if (std::sscanf(dims.c_str(), "%lldx%lldx%lld", &m, &n, &kk) == 3) {
            g.shape = GemmShape{m, n, kk};
        }
        c.gemm.push_back(g);
    }
}

}  // namespace

void fitCeilings(Calibration& c) {
    fitClock(c);
    flagKernels(c);
    fitCompute(c);
    fitMemory(c);
    fitGemm(c);
    for (const auto& w : c.machine.warnings()) {
        c.warnings.push_back(w);
    }
    if (c.budgetScale < 1) {
        c.warnings.push_back(
            "budget scale below 1: short trials and small working sets; the "
            "results are not representative");
    }
}

}  // namespace rooflens::calibrate::detail
