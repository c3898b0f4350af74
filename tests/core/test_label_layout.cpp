// core::layoutLabels: the greedy label placer of the charts, on hand-computed geometry.
#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <random>

#include "core/label_layout.h"

namespace rooflens::core {
namespace {

constexpr double kEps = 1e-9;

LabelLayoutOptions options() {
    LabelLayoutOptions o;
    o.area = {0, 0, 400, 300};
    return o;
}

TEST(LabelGeometry, BoxesThatTouchDoNotOverlap) {
    const AxisBox a{0, 0, 10, 10};
    EXPECT_FALSE(a.intersects({10, 0, 20, 10}));
    EXPECT_TRUE(a.intersects({9, 9, 20, 20}));
    EXPECT_FALSE(overlaps(TurnedBox::fromAxisBox(a), TurnedBox::fromAxisBox({0, 10, 10, 20})));
    EXPECT_TRUE(overlaps(TurnedBox::fromAxisBox(a), TurnedBox::fromAxisBox({5, 5, 6, 6})));
    EXPECT_DOUBLE_EQ(a.distanceTo({13, 14}), 5.0);
    EXPECT_DOUBLE_EQ(a.distanceTo({5, 5}), 0.0);
}

TEST(LabelGeometry, TurnedBoxesUseTheirShapeNotTheirBounds) {
    // A 20 x 2 bar turned 45 degrees about (0, 0): its bounds reach (7.8, -7.8), its body does
    // not (the corner region above the diagonal is empty).
    const TurnedBox bar{{0, 0}, 20, 2, 45};
    const auto c = bar.corners();
    EXPECT_NEAR(c[1].x, (10 + 1) / std::numbers::sqrt2, kEps);  // (10, -1) turned clockwise
    EXPECT_NEAR(c[1].y, (10 - 1) / std::numbers::sqrt2, kEps);
    const TurnedBox corner = TurnedBox::fromAxisBox({4, -7, 6, -5});
    EXPECT_TRUE(bar.bounds().intersects(corner.bounds()));
    EXPECT_FALSE(overlaps(bar, corner));
    EXPECT_TRUE(overlaps(bar, TurnedBox::fromAxisBox({4, 3, 6, 5})));  // on the diagonal
    EXPECT_NEAR(bar.distanceTo({0, 0}), 0, kEps);
    EXPECT_NEAR(bar.distanceTo({-3, 3}), 3 * std::numbers::sqrt2 - 1, kEps);
}

TEST(LabelLayout, HorizontalLineLabelSitsAboveItsPreferredEnd) {
    // From the right end (300, 100) leftwards: centre 4 + 40/2 in from the end, 2 + 10/2 above.
    const LineLabelRequest line{{300, 100}, {20, 100}, 40, 10};
    const auto layout = layoutLabels(std::span(&line, 1), {}, {}, options());
    ASSERT_TRUE(layout.lines[0].placed);
    const TurnedBox& b = layout.lines[0].box;
    EXPECT_NEAR(b.centre.x, 276, kEps);
    EXPECT_NEAR(b.centre.y, 93, kEps);
    EXPECT_NEAR(b.angleDegrees, 0, kEps);
}

TEST(LabelLayout, DiagonalLabelIsTurnedAlongItsLineAndSteersAroundObstacles) {
    const LineLabelRequest line{{0, 300}, {300, 0}, 40, 10};  // rising at 45 degrees
    auto o = options();
    o.area = {-100, -100, 500, 400};  // the first spot fits
    const auto free = layoutLabels(std::span(&line, 1), {}, {}, o);
    ASSERT_TRUE(free.lines[0].placed);
    const TurnedBox& b = free.lines[0].box;
    EXPECT_NEAR(b.angleDegrees, -45, kEps);
    // 24 along the line from (0, 300), then 7 to its upper-left side.
    const double s = 24 / std::numbers::sqrt2;
    const double n = 7 / std::numbers::sqrt2;
    EXPECT_NEAR(b.centre.x, s - n, kEps);
    EXPECT_NEAR(b.centre.y, 300 - s - n, kEps);

    // An obstacle over that spot pushes the label further along, still on the line's side.
    const AxisBox block{0, 250, 60, 300};
    const auto moved = layoutLabels(std::span(&line, 1), {}, std::span(&block, 1), o);
    ASSERT_TRUE(moved.lines[0].placed);
    const TurnedBox& m = moved.lines[0].box;
    EXPECT_FALSE(overlaps(m, TurnedBox::fromAxisBox(block)));
    EXPECT_GT(m.centre.x, b.centre.x);
    // Its centre is 7 above the line x + y = 300: (x + y - 300) / sqrt(2) = -7.
    EXPECT_NEAR((m.centre.x + m.centre.y - 300) / std::numbers::sqrt2, -7, kEps);
}

TEST(LabelLayout, LineLabelIsLiftedOverMarkersOnItsLine) {
    // Markers (8 x 8, the default markerRadius 4) every 20 px along the whole line y = 100:
    // no spot 2 px beside it is free, so the label rises by markerRadius: its centre
    // 2 + 4 + 10/2 = 11 above the line, at the preferred end (276, as with no markers).
    std::vector<AxisBox> markers;
    for (double x = 20; x <= 300; x += 20) {
        markers.push_back({x - 4, 96, x + 4, 104});
    }
    const LineLabelRequest line{{300, 100}, {20, 100}, 40, 10};
    const auto layout = layoutLabels(std::span(&line, 1), {}, markers, options());
    ASSERT_TRUE(layout.lines[0].placed);
    const TurnedBox& b = layout.lines[0].box;
    EXPECT_NEAR(b.centre.x, 276, kEps);
    EXPECT_NEAR(b.centre.y, 89, kEps);
    for (const auto& m : markers) {
        EXPECT_FALSE(overlaps(b, TurnedBox::fromAxisBox(m)));
    }
    // Above taken as well (a band over the line): below the markers, 11 under the line.
    markers.push_back({0, 0, 400, 95});
    const auto below = layoutLabels(std::span(&line, 1), {}, markers, options());
    ASSERT_TRUE(below.lines[0].placed);
    EXPECT_NEAR(below.lines[0].box.centre.y, 111, kEps);
}

TEST(LabelLayout, TwoLabelsOfOneLineSpotDoNotOverlap) {
    // Two devices' memory roofs with the same slope two pixels apart: the second label moves.
    const LineLabelRequest lines[] = {{{0, 300}, {300, 0}, 60, 12}, {{2, 300}, {302, 0}, 60, 12}};
    const auto layout = layoutLabels(lines, {}, {}, options());
    ASSERT_TRUE(layout.lines[0].placed);
    ASSERT_TRUE(layout.lines[1].placed);
    EXPECT_FALSE(overlaps(layout.lines[0].box, layout.lines[1].box));
}

TEST(LabelLayout, PointLabelTakesTheFirstFreeCornerNearestItsAnchor) {
    const PointLabelRequest p{{100, 100}, 30, 10};
    auto o = options();
    const double q = (o.markerRadius + 2) / std::numbers::sqrt2;
    const auto free = layoutLabels({}, std::span(&p, 1), {}, o);
    ASSERT_TRUE(free.points[0].placed);
    const AxisBox b = free.points[0].box.bounds();
    EXPECT_NEAR(b.left, 100 + q, kEps);  // above right
    EXPECT_NEAR(b.bottom, 100 - q, kEps);
    EXPECT_NEAR(free.points[0].box.distanceTo(p.anchor), o.markerRadius + 2, kEps);
    EXPECT_FALSE(free.points[0].leader);

    // The upper right taken: below right at the same distance.
    const AxisBox upperRight{100, 50, 200, 100};
    const auto below = layoutLabels({}, std::span(&p, 1), std::span(&upperRight, 1), o);
    ASSERT_TRUE(below.points[0].placed);
    EXPECT_NEAR(below.points[0].box.bounds().top, 100 + q, kEps);
    EXPECT_NEAR(below.points[0].box.bounds().left, 100 + q, kEps);
}

TEST(LabelLayout, CrowdedAnchorsGetLeadersWithinTheMaximumDistance) {
    // Markers (8 x 8) packed around the anchor block the near rings; the label goes farther,
    // gets a leader line and stays within maxDistance.
    std::vector<AxisBox> markers;
    for (int i = -3; i <= 3; ++i) {
        for (int j = -3; j <= 3; ++j) {
            markers.push_back(
                {100 + i * 8 - 4.0, 100 + j * 8 - 4.0, 100 + i * 8 + 4.0, 100 + j * 8 + 4.0});
        }
    }
    const PointLabelRequest p{{100, 100}, 30, 10};
    const auto o = options();
    const auto layout = layoutLabels({}, std::span(&p, 1), markers, o);
    ASSERT_TRUE(layout.points[0].placed);
    EXPECT_TRUE(layout.points[0].leader);
    const double d = layout.points[0].box.distanceTo(p.anchor);
    EXPECT_GE(d, 28 - kEps);  // clear of the 7 x 7 block of markers (half-width 28)
    EXPECT_LE(d, o.maxDistance + kEps);
    for (const auto& m : markers) {
        EXPECT_FALSE(overlaps(layout.points[0].box, TurnedBox::fromAxisBox(m)));
    }
}

TEST(LabelLayout, LabelWithNoFreeSpotStaysUnplaced) {
    const AxisBox everything{0, 0, 400, 300};
    const PointLabelRequest p{{100, 100}, 30, 10};
    const LineLabelRequest line{{0, 100}, {400, 100}, 40, 10};
    const auto layout =
        layoutLabels(std::span(&line, 1), std::span(&p, 1), std::span(&everything, 1), options());
    EXPECT_FALSE(layout.lines[0].placed);
    EXPECT_FALSE(layout.points[0].placed);
    // Too wide for the area.
    const PointLabelRequest wide{{100, 100}, 500, 10};
    EXPECT_FALSE(layoutLabels({}, std::span(&wide, 1), {}, options()).points[0].placed);
}

// Random scenes: whatever is placed is inside the area, within maxDistance of its anchor and
// clear of every obstacle and every other label.
TEST(LabelLayout, RandomScenesKeepTheInvariants) {
    std::mt19937 rng(17);
    std::uniform_real_distribution<double> x(0, 400);
    std::uniform_real_distribution<double> y(0, 300);
    std::uniform_real_distribution<double> width(10, 80);
    int placed = 0;
    int total = 0;
    for (int scene = 0; scene < 50; ++scene) {
        std::vector<AxisBox> obstacles;
        for (int i = 0; i < 60; ++i) {
            const double cx = x(rng);
            const double cy = y(rng);
            obstacles.push_back({cx - 4, cy - 4, cx + 4, cy + 4});
        }
        std::vector<LineLabelRequest> lines = {{{x(rng), 300}, {400, y(rng)}, width(rng), 12},
                                               {{400, y(rng)}, {0, y(rng)}, width(rng), 12}};
        std::vector<PointLabelRequest> points;
        for (int i = 0; i < 25; ++i) {
            points.push_back({{x(rng), y(rng)}, width(rng), 12});
        }
        const auto o = options();
        const auto layout = layoutLabels(lines, points, obstacles, o);
        std::vector<TurnedBox> boxes;
        for (const auto& spot : layout.lines) {
            if (spot.placed) {
                boxes.push_back(spot.box);
            }
        }
        for (std::size_t i = 0; i < points.size(); ++i) {
            ++total;
            if (!layout.points[i].placed) {
                continue;
            }
            ++placed;
            EXPECT_LE(layout.points[i].box.distanceTo(points[i].anchor), o.maxDistance + kEps);
            boxes.push_back(layout.points[i].box);
        }
        for (std::size_t i = 0; i < boxes.size(); ++i) {
            EXPECT_TRUE(o.area.contains(boxes[i].bounds()));
            for (const auto& ob : obstacles) {
                EXPECT_FALSE(overlaps(boxes[i], TurnedBox::fromAxisBox(ob))) << scene;
            }
            for (std::size_t j = i + 1; j < boxes.size(); ++j) {
                EXPECT_FALSE(overlaps(boxes[i], boxes[j])) << scene << " " << i << " " << j;
            }
        }
    }
    EXPECT_GT(placed, total * 3 / 4) << "the placer gives up too easily";
}

}  // namespace
}  // namespace rooflens::core
