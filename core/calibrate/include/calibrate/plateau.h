#pragma once
// Bandwidth plateaus of a working-set sweep (calibration.md 4.3 item 2, an ERT-like finder):
// 3-point median smoothing, consecutive points grouped within +-10 % of the group median, groups
// of >= 3 points accepted, each assigned to the cache level whose capacity range it sits in;
// main memory is the median of the points at or above 4x the last-level cache.
#include <string>
#include <vector>

namespace rooflens::calibrate {

struct SweepPoint {
    double bytes = 0;           // working set per thread
    double bytesPerSecond = 0;  // all threads together
};

// A cache level as the sweep sees it: its capacity per thread (a private cache's size, or a
// shared cache's size divided by the threads sharing it).
struct LevelCapacity {
    std::string name;  // "L1", "L2", "L3"
    double bytesPerThread = 0;
};

struct Plateau {
    std::string level;  // a LevelCapacity name, or "DRAM"
    double fromBytes = 0;
    double toBytes = 0;
    double bytesPerSecond = 0;      // median of the plateau (the roof)
    double bestBytesPerSecond = 0;  // its best point (the optimistic value)
    int points = 0;
    bool grouped = true;  // false: no accepted group; the median of the points in range
};

struct PlateauOptions {
    double tolerance = 0.10;
    int minPoints = 3;
    double dramFactor = 4.0;  // main memory: working set x threads >= 4 x LLC
};

// Smoothing step alone (exposed for tests): each point replaced by the median of itself and its
// neighbours; the end points use their one neighbour and themselves (median of two = mean).
std::vector<double> medianSmooth3(const std::vector<double>& values);

// Groups of consecutive smoothed values within tolerance of the running group median, as
// [first, last] index pairs, in order, including groups shorter than minPoints.
std::vector<std::pair<std::size_t, std::size_t>> groupPlateaus(const std::vector<double>& values,
                                                               double tolerance);

// One plateau per level that has sweep points in its range [1.2 C_prev, 0.8 C] (L1:
// [0.1 C, 0.8 C]), then DRAM. `points` sorted by bytes; `lastLevelBytes` is the total LLC and
// `threads` the thread count of the sweep. Levels without points in range are left out.
std::vector<Plateau> findPlateaus(const std::vector<SweepPoint>& points,
                                  const std::vector<LevelCapacity>& levels, double lastLevelBytes,
                                  int threads, const PlateauOptions& options = {});

}  // namespace rooflens::calibrate
