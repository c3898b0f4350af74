#include "calibrate/plateau.h"

#include <algorithm>

#include "calibrate/harness.h"

namespace rooflens::calibrate {

std::vector<double> medianSmooth3(const std::vector<double>& values) {
    const std::size_t n = values.size();
    if (n < 3) {
        return values;
    }
    std::vector<double> out(n);
    out[0] = (values[0] + values[1]) / 2;
    out[n - 1] = (values[n - 2] + values[n - 1]) / 2;
    for (std::size_t i = 1; i + 1 < n; ++i) {
        double a = values[i - 1];
        double b = values[i];
        double c = values[i + 1];
        out[i] = std::max(std::min(a, b), std::min(std::max(a, b), c));
    }
    return out;
}

std::vector<std::pair<std::size_t, std::size_t>> groupPlateaus(const std::vector<double>& values,
                                                               double tolerance) {
    std::vector<std::pair<std::size_t, std::size_t>> groups;
    std::size_t start = 0;
    for (std::size_t i = 1; i <= values.size(); ++i) {
        if (i < values.size()) {
            const std::vector<double> group(values.begin() + static_cast<std::ptrdiff_t>(start),
                                            values.begin() + static_cast<std::ptrdiff_t>(i));
            const double median = quantile(group, 0.5);
            if (median > 0 && std::abs(values[i] - median) <= tolerance * median) {
                continue;
            }
        }
        if (!values.empty()) {
            groups.emplace_back(start, i - 1);
        }
        start = i;
    }
    return groups;
}

std::vector<Plateau> findPlateaus(const std::vector<SweepPoint>& points,
                                  const std::vector<LevelCapacity>& levels, double lastLevelBytes,
                                  int threads, const PlateauOptions& options) {
    std::vector<double> raw;
    raw.reserve(points.size());
    for (const auto& p : points) {
        raw.push_back(p.bytesPerSecond);
    }
    const std::vector<double> smooth = medianSmooth3(raw);
    auto groups = groupPlateaus(smooth, options.tolerance);
    std::erase_if(groups, [&](const auto& g) {
        return static_cast<int>(g.second - g.first + 1) < options.minPoints;
    });

    std::vector<Plateau> out;
    double previous = 0;
    for (const auto& level : levels) {
        const double lo = previous > 0 ? 1.2 * previous : 0.1 * level.bytesPerThread;
        const double hi = 0.8 * level.bytesPerThread;
        previous = level.bytesPerThread;
        auto inRange = [&](std::size_t i) {
            return points[i].bytes >= lo && points[i].bytes <= hi;
        };
        // The accepted group with the most points in this level's range.
        std::size_t bestCount = 0;
        const std::pair<std::size_t, std::size_t>* best = nullptr;
        for (const auto& g : groups) {
            std::size_t count = 0;
            for (std::size_t i = g.first; i <= g.second; ++i) {
                count += inRange(i) ? 1 : 0;
            }
            if (count > bestCount) {
                bestCount = count;
                best = &g;
            }
        }
        Plateau p;
        p.level = level.name;
        std::vector<double> values;
        double bestRaw = 0;
        for (std::size_t i = 0; i < points.size(); ++i) {
            const bool member = best != nullptr
                                    ? (i >= best->first && i <= best->second && inRange(i))
                                    : inRange(i);
            if (!member) {
                continue;
            }
            if (values.empty()) {
                p.fromBytes = points[i].bytes;
            }
            p.toBytes = points[i].bytes;
            values.push_back(smooth[i]);
            bestRaw = std::max(bestRaw, raw[i]);
        }
        if (values.empty()) {
            continue;
        }
        p.grouped = best != nullptr;
        p.points = static_cast<int>(values.size());
        p.bytesPerSecond = quantile(values, 0.5);
        p.bestBytesPerSecond = bestRaw;
        out.push_back(p);
    }

    Plateau dram;
    dram.level = "DRAM";
    dram.grouped = false;
    std::vector<double> values;
    for (std::size_t i = 0; i < points.size(); ++i) {
        if (points[i].bytes * threads >= options.dramFactor * lastLevelBytes) {
            if (values.empty()) {
                dram.fromBytes = points[i].bytes;
            }
            dram.toBytes = points[i].bytes;
            values.push_back(raw[i]);
            dram.bestBytesPerSecond = std::max(dram.bestBytesPerSecond, raw[i]);
        }
    }
    if (!values.empty()) {
        dram.points = static_cast<int>(values.size());
        dram.bytesPerSecond = quantile(values, 0.5);
        out.push_back(dram);
    }
    return out;
}

}  // namespace rooflens::calibrate
