#include "calibrate/profile.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <map>
#include <optional>
#include <set>

namespace rooflens::calibrate {

namespace {

const char* kSysfsSource =
    "Linux sysfs /sys/devices/system/cpu/cpu*/cache on the calibrated "
    "machine";
const char* kMeminfoSource = "Linux /proc/meminfo MemTotal on the calibrated machine";

std::string fixed(double value, const char* format) {
    char text[64];
    std::snprintf(text, sizeof text, format, value);
    return text;
}

std::string giga(double value, const char* unit) {
    return fixed(value / 1e9, "%.1f ") + unit;
}

std::string cpuList(const std::vector<int>& cpus) {
    std::string out;
    for (int cpu : cpus) {
        if (!out.empty()) {
            out += ',';
        }
        out += std::to_string(cpu);
    }
    return out;
}

std::string threadsText(int threads) {
    return std::to_string(threads) + (threads == 1 ? " thread" : " threads");
}

// The GEMM grid of one data type at `threads`: the distinct m, k and n of the shape series
// (group "gemm-shape"; the square GEMM only when a type has nothing else) form the axes; a cell
// that was not measured takes the measured point nearest in (log m, log k, log n) (the full
// suite measures k = d/4 only at n = d). Monotone, clamped to (0, 1].
std::optional<core::GemmEfficiencyGrid> gemmGrid(const Calibration& c, GemmType type, int threads) {
    std::vector<const GemmCeiling*> points;
    for (const GemmCeiling& g : c.gemm) {
        if (g.type == type && g.threads == threads && g.efficiency > 0 && g.shape.m > 0) {
            points.push_back(&g);
        }
    }
    if (points.empty()) {
        return std::nullopt;
    }
    const auto isSquare = [](const GemmCeiling* g) {
        return g->shape.m == g->shape.n && g->shape.n == g->shape.k;
    };
    if (std::any_of(points.begin(), points.end(), [&](auto* g) { return !isSquare(g); })) {
        std::erase_if(points, isSquare);
    }
    std::map<std::array<std::int64_t, 3>, double> measured;  // (m, k, n) -> best efficiency
    std::set<std::int64_t> ms;
    std::set<std::int64_t> ks;
    std::set<std::int64_t> ns;
    for (const GemmCeiling* g : points) {
        auto& v = measured[{g->shape.m, g->shape.k, g->shape.n}];
        v = std::max(v, std::min(1.0, g->efficiency));
        ms.insert(g->shape.m);
        ks.insert(g->shape.k);
        ns.insert(g->shape.n);
    }
    core::GemmEfficiencyGrid grid;
    grid.unit = core::ExecUnit::vector;  // calibrated CPU profiles publish vector peaks only
    grid.type = dataTypeOf(type);
    grid.m.assign(ms.begin(), ms.end());
    grid.k.assign(ks.begin(), ks.end());
    grid.n.assign(ns.begin(), ns.end());
    const auto distance = [](const std::array<std::int64_t, 3>& a,
                             const std::array<std::int64_t, 3>& b) {
        double d = 0;
        for (int i = 0; i < 3; ++i) {
            const double l = std::log(static_cast<double>(a[i]) / static_cast<double>(b[i]));
            d += l * l;
        }
        return d;
    };
    for (std::int64_t m : ms) {
        for (std::int64_t k : ks) {
            for (std::int64_t n : ns) {
                const std::array<std::int64_t, 3> cell = {m, k, n};
                auto it = measured.find(cell);
                double value = 0;
                if (it != measured.end()) {
                    value = it->second;
                } else {
                    double best = std::numeric_limits<double>::infinity();
                    for (const auto& [shape, e] : measured) {
                        const double d = distance(shape, cell);
                        if (d < best) {
                            best = d;
                            value = e;
                        }
                    }
                }
                grid.values.push_back(roundSignificant(value, 3));
            }
        }
    }
    core::makeMonotone(grid);
    return grid;
}

}  // namespace

// The vector peaks, the bandwidth of every level of `hw.memory` and the efficiency model at
// `threads` (issue 14, 7c: one profile answers 1-thread and all-thread questions).
core::ThreadCeilings threadCeilings(const Calibration& c, const core::Hardware& hw, int threads) {
    core::ThreadCeilings t;
    t.threads = threads;
    for (const auto& ceiling : c.compute) {
        if (ceiling.threads == threads && ceiling.opsPerSecond > 0) {
            t.vector.set(ceiling.type, roundSignificant(ceiling.opsPerSecond));
        }
    }
    for (const core::MemoryLevel& level : hw.memory) {
        const MemoryCeiling* m = c.memoryCeiling(level.name, threads);
        t.memoryBytesPerSecond.push_back(m != nullptr && m->readBytesPerSecond > 0
                                             ? roundSignificant(m->readBytesPerSecond)
                                             : 0);
    }
    t.efficiency = efficiencyModel(c, threads);
    return t;
}

core::EfficiencyModel efficiencyModel(const Calibration& c, int threads) {
    core::EfficiencyModel model;
    model.origin = core::EfficiencyOrigin::measured;
    model.source = "rooflens calibrate --" + std::string(nameOf(c.mode)) + " on " + c.startedAt +
                   ", " + threadsText(threads) +
                   (c.machine.dnnlVersion.empty() ? "" : ", oneDNN " + c.machine.dnnlVersion);
    for (GemmType type : {GemmType::fp32, GemmType::bf16, GemmType::int8}) {
        if (auto grid = gemmGrid(c, type, threads)) {
            model.gemm.push_back(std::move(*grid));
        }
    }
    // Small transfers against the largest one (the streaming end): the profile's DRAM
    // bandwidth is already the achievable streaming rate, so the curve carries only the
    // fall-off below it and reaches 1 at the largest transfer.
    double largest = 0;
    double largestBytes = 0;
    for (const ColdRead& r : c.coldReads) {
        if (r.threads == threads && r.bytes > largestBytes) {
            largest = r.bytesPerSecond;
            largestBytes = r.bytes;
        }
    }
    if (largest > 0) {
        core::MemoryEfficiencyCurve curve;
        for (const ColdRead& r : c.coldReads) {
            if (r.threads == threads && r.bytesPerSecond > 0) {
                curve.bytes.push_back(r.bytes);
                curve.values.push_back(
                    roundSignificant(std::min(1.0, r.bytesPerSecond / largest), 3));
            }
        }
        core::makeMonotone(curve);
        model.memory = std::move(curve);
    }
    const MemoryCeiling* dram = c.memoryCeiling("DRAM", threads);
    if (dram != nullptr && dram->readBytesPerSecond > 0) {
        std::map<double, double> byGranule;  // prefetching variant, the faster per granule
        for (const GatherCeiling& g : c.gather) {
            if (g.threads == threads && g.usefulBytesPerSecond > 0) {
                auto& v = byGranule[g.granuleBytes];
                v = std::max(v, std::min(1.0, g.usefulBytesPerSecond / dram->readBytesPerSecond));
            }
        }
        if (!byGranule.empty()) {
            core::MemoryEfficiencyCurve curve;
            for (const auto& [granule, e] : byGranule) {
                curve.bytes.push_back(granule);
                curve.values.push_back(roundSignificant(e, 3));
            }
            core::makeMonotone(curve);
            model.gather = std::move(curve);
        }
    }
    for (const KernelOverhead& o : c.overheads) {
        if (o.threads == threads) {
            model.kernelOverheadSeconds = roundSignificant(o.seconds, 3);
        }
    }
    return model;
}

double roundSignificant(double value, int digits) {
    if (!(value > 0) || !std::isfinite(value)) {
        return value;
    }
    char text[64];
    std::snprintf(text, sizeof text, "%.*g", digits, value);
    return std::strtod(text, nullptr);
}

std::string defaultProfileId(const Calibration& calibration) {
    std::string host;
    for (char ch : calibration.machine.hostname) {
        const char lower = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        const bool ok = (lower >= 'a' && lower <= 'z') || (lower >= '0' && lower <= '9') ||
                        lower == '.' || lower == '_' || lower == '-';
        host += ok ? lower : '-';
    }
    return host.empty() ? "calibrated-cpu" : "calibrated-" + host;
}

std::filesystem::path sidecarPathFor(const std::filesystem::path& profile) {
    std::filesystem::path out = profile;
    if (out.extension() == ".json") {
        out.replace_extension();
    }
    out += ".calibration.json";
    return out;
}

core::Hardware toHardware(const Calibration& c, const ProfileOptions& options) {
    const int all = c.threads();
    core::Hardware hw;
    hw.id = options.id.empty() ? defaultProfileId(c) : options.id;
    hw.name = options.name.empty() ? c.machine.cpuModel + " (calibrated, " + threadsText(all) + ")"
                                   : options.name;
    hw.vendor = c.machine.vendor.empty() ? "unknown" : c.machine.vendor;
    hw.kind = core::DeviceKind::cpu;
    auto addProvenance = [&](std::string path, core::Provenance status, std::string source,
                             std::string note) {
        hw.provenance.push_back({std::move(path), status, std::move(source), std::move(note)});
    };

    for (const auto& ceiling : c.compute) {
        if (ceiling.threads != all || ceiling.opsPerSecond <= 0) {
            continue;
        }
        const char* unit = core::isInteger(ceiling.type) ? "GOP/s" : "GFLOP/s";
        std::string note = ceiling.instruction + " x 12 accumulators, " + threadsText(all) +
                           ", p90 of the best run";
        if (const ComputeCeiling* one = c.computeCeiling(ceiling.type, 1); one && all > 1) {
            note += "; 1 thread: " + giga(one->opsPerSecond, unit);
        }
        note += "; theoretical " + giga(ceiling.theoreticalAtMeasuredClock, unit) + " at the " +
                fixed(c.clockHz / 1e9, "%.2f") + " GHz measured clock, " +
                giga(ceiling.theoreticalAtNominalClock, unit) + " at the nominal " +
                fixed(c.machine.nominalHz / 1e9, "%.2f") + " GHz";
        hw.vector.set(ceiling.type, roundSignificant(ceiling.opsPerSecond));
        addProvenance("/compute/vector/" + std::string(core::nameOf(ceiling.type)) + "/dense",
                      core::Provenance::measured, "", note);
    }

    for (const auto& cache : c.machine.caches) {
        std::string name = "L";
        name += std::to_string(cache.level);
        core::MemoryLevel level;
        level.name = name;
        const MemoryCeiling* measured = c.memoryCeiling(name, all);
        level.capacityBytes = measured != nullptr && measured->capacityBytes > 0
                                  ? measured->capacityBytes
                                  : cache.totalBytes();
        const std::string path = "/memory/" + std::to_string(hw.memory.size());
        addProvenance(path + "/capacity", core::Provenance::derived, kSysfsSource,
                      fixed(cache.bytes / 1024, "%.0f KiB") + " per instance x " +
                          std::to_string(static_cast<int>(level.capacityBytes / cache.bytes)) +
                          " in use by the calibrated CPUs");
        if (const MemoryCeiling* m = measured; m && m->readBytesPerSecond > 0) {
            level.bytesPerSecond = roundSignificant(m->readBytesPerSecond);
            level.measured = true;
            std::string note = "read-only sweep plateau, " + threadsText(all) + ", " +
                               std::to_string(m->points) + " points";
            if (m->readWriteBytesPerSecond() > 0) {
                note += "; read+write (triad) " + giga(m->readWriteBytesPerSecond(), "GB/s");
            }
            if (const MemoryCeiling* one = c.memoryCeiling(name, 1); one && all > 1) {
                note += "; 1 thread: read " + giga(one->readBytesPerSecond, "GB/s");
            }
            addProvenance(path + "/bandwidth", core::Provenance::measured, "", note);
        }
        hw.memory.push_back(level);
    }
    core::MemoryLevel dram;
    dram.name = "DRAM";
    dram.capacityBytes = c.machine.memoryBytes > 0 ? c.machine.memoryBytes : 1;
    dram.measured = true;
    const std::string path = "/memory/" + std::to_string(hw.memory.size());
    addProvenance(path + "/capacity", core::Provenance::derived, kMeminfoSource,
                  "installed memory visible to the OS");
    if (const MemoryCeiling* m = c.memoryCeiling("DRAM", all); m && m->readBytesPerSecond > 0) {
        dram.bytesPerSecond = roundSignificant(m->readBytesPerSecond);
        std::string note = "read-only, median of the sweep points >= 4x LLC, " + threadsText(all);
        if (m->readWriteBytesPerSecond() > 0) {
            note += "; read+write (triad, non-temporal stores) " +
                    giga(m->readWriteBytesPerSecond(), "GB/s");
        }
        if (const MemoryCeiling* one = c.memoryCeiling("DRAM", 1); one && all > 1) {
            note += "; 1 thread: read " + giga(one->readBytesPerSecond, "GB/s");
        }
        addProvenance(path + "/bandwidth", core::Provenance::measured, "", note);
    } else {
        dram.bytesPerSecond = 1e9;  // the schema requires a main-memory bandwidth
        addProvenance(path + "/bandwidth", core::Provenance::measured, "",
                      "not measured (the sweep was skipped); placeholder");
    }
    hw.memory.push_back(dram);

    if (const CacheLevel* l2 = c.machine.cache(2)) {
        hw.sramPerCoreBytes = l2->bytes;
        addProvenance("/sram_per_core", core::Provenance::derived, kSysfsSource, "L2 per core");
    }
    hw.efficiency = efficiencyModel(c, all);
    hw.threads = all;
    for (int threads : all > 1 ? std::vector<int>{1, all} : std::vector<int>{1}) {
        hw.threadCeilings.push_back(threadCeilings(c, hw, threads));
    }
    hw.notes = std::string("Calibrated by rooflens calibrate --");
    hw.notes += std::string(nameOf(c.mode)) + " on " + c.startedAt + ": " + c.machine.cpuModel +
                ", " + threadsText(all) + " (CPUs " + cpuList(c.cpus) + "), measured clock " +
                fixed(c.clockHz / 1e9, "%.2f") + " GHz (nominal " +
                fixed(c.machine.nominalHz / 1e9, "%.2f") + " GHz)" +
                (c.machine.debugBuild ? ", DEBUG BUILD" : "") +
                (c.machine.dnnlVersion.empty() ? "" : ", oneDNN " + c.machine.dnnlVersion) +
                ". Read+write, 1-thread, gather and GEMM ceilings and all statistics are in the "
                "calibration sidecar.";
    return hw;
}

}  // namespace rooflens::calibrate
