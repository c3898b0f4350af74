// Plateau detection on synthetic working-set sweeps (calibration.md 4.3 item 2).
#include <gtest/gtest.h>

#include <cmath>

#include "calibrate/plateau.h"

namespace rooflens::calibrate {
namespace {

constexpr double kKiB = 1024;
constexpr double kMiB = 1024 * 1024;

// A sweep from 8 KiB to `top` at sqrt(2) steps over a staircase: L1 48 KiB at 460 GB/s, L2
// 1 MiB at 172, L3 32 MiB at 100, DRAM at 38; transitions between levels and a deterministic
// +-4 % ripple, plus one spike.
std::vector<SweepPoint> staircase(double top) {
    std::vector<SweepPoint> points;
    for (int i = 0;; ++i) {
        const double bytes = 8 * kKiB * std::pow(2.0, i * 0.5);  // exact at even i
        if (bytes > top * 1.0001) {
            break;
        }
        double bw = 0;
        if (bytes <= 40 * kKiB) {
            bw = 460e9;
        } else if (bytes < 64 * kKiB) {
            bw = 300e9;  // transition
        } else if (bytes <= 800 * kKiB) {
            bw = 172e9;
        } else if (bytes < 1.5 * kMiB) {
            bw = 135e9;
        } else if (bytes <= 24 * kMiB) {
            bw = 100e9;
        } else if (bytes < 128 * kMiB) {
            bw = 60e9;
        } else {
            bw = 38e9;
        }
        const double ripple = (i % 3 == 0 ? 0.04 : i % 3 == 1 ? -0.03 : 0.01);
        points.push_back({bytes, bw * (1 + ripple)});
    }
    points[3].bytesPerSecond *= 1.8;  // a single outlier the smoothing must absorb
    return points;
}

const std::vector<LevelCapacity> kLevels = {{"L1", 48 * kKiB}, {"L2", 1 * kMiB}, {"L3", 32 * kMiB}};

const Plateau* find(const std::vector<Plateau>& plateaus, const std::string& level) {
    for (const auto& p : plateaus) {
        if (p.level == level) {
            return &p;
        }
    }
    return nullptr;
}

TEST(MedianSmooth, RemovesSingleSpikesAndKeepsSteps) {
    const auto s = medianSmooth3({1, 1, 9, 1, 1, 5, 5, 5});
    EXPECT_DOUBLE_EQ(s[2], 1);
    EXPECT_DOUBLE_EQ(s[4], 1);
    EXPECT_DOUBLE_EQ(s[5], 5);
    EXPECT_DOUBLE_EQ(s[0], 1);
    EXPECT_DOUBLE_EQ(s[7], 5);
    EXPECT_EQ(medianSmooth3({3, 4}), (std::vector<double>{3, 4}));
}

TEST(GroupPlateaus, SplitsWhereAPointLeavesTenPercent) {
    const auto groups = groupPlateaus({100, 105, 97, 102, 60, 58, 61, 30}, 0.10);
    ASSERT_EQ(groups.size(), 3U);
    EXPECT_EQ(groups[0], (std::pair<std::size_t, std::size_t>{0, 3}));
    EXPECT_EQ(groups[1], (std::pair<std::size_t, std::size_t>{4, 6}));
    EXPECT_EQ(groups[2], (std::pair<std::size_t, std::size_t>{7, 7}));
}

TEST(FindPlateaus, OneRoofPerLevelAndDram) {
    const auto points = staircase(512 * kMiB);
    const auto plateaus = findPlateaus(points, kLevels, 32 * kMiB, 1);
    ASSERT_EQ(plateaus.size(), 4U);
    const Plateau* l1 = find(plateaus, "L1");
    const Plateau* l2 = find(plateaus, "L2");
    const Plateau* l3 = find(plateaus, "L3");
    const Plateau* dram = find(plateaus, "DRAM");
    ASSERT_TRUE(l1 && l2 && l3 && dram);
    EXPECT_NEAR(l1->bytesPerSecond / 460e9, 1, 0.04);
    EXPECT_NEAR(l2->bytesPerSecond / 172e9, 1, 0.04);
    EXPECT_NEAR(l3->bytesPerSecond / 100e9, 1, 0.04);
    EXPECT_NEAR(dram->bytesPerSecond / 38e9, 1, 0.04);
    EXPECT_TRUE(l1->grouped && l2->grouped && l3->grouped);
    EXPECT_GE(l2->points, 3);
    // Plateaus sit inside their capacity ranges.
    EXPECT_GE(l2->fromBytes, 1.2 * 48 * kKiB);
    EXPECT_LE(l2->toBytes, 0.8 * kMiB);
    EXPECT_GE(dram->fromBytes, 128 * kMiB);
    EXPECT_GE(l1->bestBytesPerSecond, l1->bytesPerSecond);
    EXPECT_EQ(dram->level, plateaus.back().level);
}

TEST(FindPlateaus, DramThresholdCountsAllThreads) {
    // Two threads: 64 MiB per thread is already 4x a 32 MiB LLC.
    const auto points = staircase(256 * kMiB);
    const auto plateaus = findPlateaus(points, kLevels, 32 * kMiB, 2);
    const Plateau* dram = find(plateaus, "DRAM");
    ASSERT_NE(dram, nullptr);
    EXPECT_LE(dram->fromBytes, 64 * kMiB * 1.01);
}

TEST(FindPlateaus, NoDramWhenTheSweepStopsShortAndFallbackWithoutGroups) {
    const auto points = staircase(16 * kMiB);
    const auto plateaus = findPlateaus(points, kLevels, 32 * kMiB, 1);
    EXPECT_EQ(find(plateaus, "DRAM"), nullptr);

    // Every point differs by 30 %: no accepted group; levels take the median of their points.
    std::vector<SweepPoint> zigzag;
    for (int i = 0; i < 12; ++i) {
        zigzag.push_back({8 * kKiB * std::pow(std::sqrt(2.0), i), i % 2 == 0 ? 100e9 : 170e9});
    }
    PlateauOptions strict;
    strict.tolerance = 0.01;
    const auto loose = findPlateaus(zigzag, kLevels, 32 * kMiB, 1, strict);
    const Plateau* l1 = find(loose, "L1");
    ASSERT_NE(l1, nullptr);
    EXPECT_FALSE(l1->grouped);
    EXPECT_GT(l1->bytesPerSecond, 0);
}

TEST(FindPlateaus, MergedLevelsShareOneGroup) {
    // L2 and L3 at the same bandwidth (large L2, victim L3): both levels get the same roof.
    std::vector<SweepPoint> points;
    for (double b = 8 * kKiB; b <= 512 * kMiB; b *= std::sqrt(2.0)) {
        points.push_back({b, b <= 40 * kKiB ? 400e9 : b <= 24 * kMiB ? 150e9 : 40e9});
    }
    const auto plateaus = findPlateaus(points, kLevels, 32 * kMiB, 1);
    const Plateau* l2 = find(plateaus, "L2");
    const Plateau* l3 = find(plateaus, "L3");
    ASSERT_TRUE(l2 && l3);
    EXPECT_DOUBLE_EQ(l2->bytesPerSecond, 150e9);
    EXPECT_DOUBLE_EQ(l3->bytesPerSecond, 150e9);
}

}  // namespace
}  // namespace rooflens::calibrate
