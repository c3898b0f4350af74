#pragma once
// The label rules of the roofline (issue 17), checked on a plot's own geometry (canvas pixels
// read back from the drawn items, not from a screenshot): no two labels overlap; none covers a
// marker or the legend; all stay inside the axis rectangle; a point label is within
// kMaxLabelDistance (+ the 6 px within which close points share a label) of every point it
// names; a ceiling label lies along its line (its centre half its height plus the 2 px gap
// from the line, turned to the line's slope). Returns how many labels were checked.
#include <cmath>
#include <string>

#include <gtest/gtest.h>

#include "plot/roofline_plot.h"

namespace rooflens::testing {

inline double lineDistance(core::Vec2 p, core::Vec2 a, core::Vec2 b) {
    const double dx = b.x - a.x;
    const double dy = b.y - a.y;
    return std::fabs(dy * (p.x - a.x) - dx * (p.y - a.y)) / std::hypot(dx, dy);
}

inline int checkLabelGeometry(const plot::RooflinePlot& plot, const std::string& name) {
    SCOPED_TRACE(name);
    const auto labels = plot.drawnLabels();
    const auto markers = plot.markerBoxes();
    const core::AxisBox area = plot.plotArea();
    const core::AxisBox legend = plot.legendBox();
    const auto& spec = plot.spec();
    constexpr double kTolerance = 0.75;  // pixel rounding of the drawn text boxes
    auto shrunk = [&](core::TurnedBox b) {
        b.width -= 2 * kTolerance;
        b.height -= 2 * kTolerance;
        return b;
    };
    for (std::size_t i = 0; i < labels.size(); ++i) {
        const auto& label = labels[i];
        const std::string text = label.text.toStdString();
        const core::TurnedBox box = shrunk(label.box);
        EXPECT_TRUE(area.contains(box.bounds())) << "'" << text << "' leaves the plot area";
        for (std::size_t j = i + 1; j < labels.size(); ++j) {
            EXPECT_FALSE(core::overlaps(box, shrunk(labels[j].box)))
                << "'" << text << "' overlaps '" << labels[j].text.toStdString() << "'";
        }
        for (const auto& m : markers) {
            EXPECT_FALSE(core::overlaps(box, core::TurnedBox::fromAxisBox(m)))
                << "'" << text << "' covers the marker at " << (m.left + m.right) / 2 << ","
                << (m.top + m.bottom) / 2;
        }
        if (legend.width() > 0) {
            EXPECT_FALSE(core::overlaps(box, core::TurnedBox::fromAxisBox(legend)))
                << "'" << text << "' is under the legend";
        }
        if (label.kind == plot::DrawnLabel::Kind::point) {
            EXPECT_FALSE(label.points.empty()) << text;
            // Close points share a label: "q_proj, k_proj, v_proj +4" names the first three.
            if (label.points.size() > 3) {
                EXPECT_TRUE(
                    label.text.endsWith(QStringLiteral(" +%1").arg(label.points.size() - 3)))
                    << text;
            }
            for (std::size_t k = 0; k < label.points.size(); ++k) {
                const std::size_t p = label.points[k];
                const QPoint at = plot.pixelOf(p);
                EXPECT_LE(label.box.distanceTo({double(at.x()), double(at.y())}),
                          plot::kMaxLabelDistance + 6 + 1)
                    << "'" << text << "' is far from " << spec.points[p].name;
                if (k < 3) {
                    EXPECT_NE(label.text.indexOf(QString::fromStdString(spec.points[p].label)), -1)
                        << "'" << text << "' does not name " << spec.points[p].name;
                }
            }
        } else {
            const core::RoofSegment& roof = spec.roofs[label.roof];
            EXPECT_EQ(text, roof.label);
            const QPointF pa = plot.canvasPosition(roof.x0, roof.y0);
            const QPointF pb = plot.canvasPosition(roof.x1, roof.y1);
            const core::Vec2 a{pa.x(), pa.y()};
            const core::Vec2 b{pb.x(), pb.y()};
            // Beside its line (2 px gap), or lifted clear of the markers on it (core's
            // placeLine: by the marker's half-size, 4.5 px).
            const double gap = lineDistance(label.box.centre, a, b) - label.box.height / 2;
            EXPECT_TRUE(std::abs(gap - 2) <= 1.5 || std::abs(gap - 6.5) <= 1.5)
                << "'" << text << "' is not along its line (" << gap << " px from it)";
            const double slope = std::atan2(b.y - a.y, b.x - a.x) * 180 / M_PI;
            EXPECT_NEAR(label.box.angleDegrees, slope, 1.0) << "'" << text << "' is not turned";
        }
    }
    // Markers are obstacles: every point drawn inside the area has one.
    for (std::size_t p = 0; p < spec.points.size(); p += 7) {
        const QPoint at = plot.pixelOf(p);
        const core::Vec2 v{double(at.x()), double(at.y())};
        if (!area.contains({v.x, v.y, v.x, v.y}) || at.x() <= area.left + 1 ||
            at.y() <= area.top + 1 || at.x() >= area.right - 1 || at.y() >= area.bottom - 1) {
            continue;
        }
        bool covered = false;
        for (const auto& m : markers) {
            covered = covered || m.distanceTo(v) < 1.0;
        }
        EXPECT_TRUE(covered) << spec.points[p].name << " has no marker box";
    }
    return static_cast<int>(labels.size());
}

}  // namespace rooflens::testing
