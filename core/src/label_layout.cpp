#include "core/label_layout.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numbers>

namespace rooflens::core {

namespace {

constexpr double kTouch = 1e-9;  // overlaps smaller than this count as touching

double radians(double degrees) {
    return degrees * std::numbers::pi / 180.0;
}

// Rotates p about c by `degrees` (clockwise on the screen).
Vec2 turn(Vec2 p, Vec2 c, double degrees) {
    const double a = radians(degrees);
    const double dx = p.x - c.x;
    const double dy = p.y - c.y;
    return {c.x + dx * std::cos(a) - dy * std::sin(a), c.y + dx * std::sin(a) + dy * std::cos(a)};
}

bool separated(const std::array<Vec2, 4>& a, const std::array<Vec2, 4>& b, Vec2 axis) {
    double minA = INFINITY, maxA = -INFINITY, minB = INFINITY, maxB = -INFINITY;
    for (const Vec2& p : a) {
        const double v = p.x * axis.x + p.y * axis.y;
        minA = std::min(minA, v);
        maxA = std::max(maxA, v);
    }
    for (const Vec2& p : b) {
        const double v = p.x * axis.x + p.y * axis.y;
        minB = std::min(minB, v);
        maxB = std::max(maxB, v);
    }
    return maxA <= minB + kTouch || maxB <= minA + kTouch;
}

// Obstacles and placed labels, bucketed in square cells for the overlap queries.
class Grid {
public:
    Grid(const AxisBox& area, double cell)
        : m_area(area),
          m_cell(cell),
          m_columns(std::max(1, static_cast<int>(std::ceil(area.width() / cell)))),
          m_rows(std::max(1, static_cast<int>(std::ceil(area.height() / cell)))),
          m_cells(static_cast<std::size_t>(m_columns) * static_cast<std::size_t>(m_rows)) {}

    void add(const TurnedBox& box) {
        const std::size_t id = m_boxes.size();
        m_boxes.push_back(box);
        m_axisAligned.push_back(std::fmod(std::fabs(box.angleDegrees), 180.0) == 0);
        m_stamps.push_back(0);
        forCells(box.bounds(), [&](std::vector<std::size_t>& cell) { cell.push_back(id); });
    }

    bool free(const TurnedBox& box) {
        ++m_stamp;
        const AxisBox bounds = box.bounds();
        const bool aligned = std::fmod(std::fabs(box.angleDegrees), 180.0) == 0;
        bool hit = false;
        forCells(bounds, [&](std::vector<std::size_t>& cell) {
            for (std::size_t id : cell) {
                if (hit || m_stamps[id] == m_stamp) {
                    continue;
                }
                m_stamps[id] = m_stamp;
                if (!m_boxes[id].bounds().intersects(bounds)) {
                    continue;
                }
                hit = (aligned && m_axisAligned[id]) || overlaps(m_boxes[id], box);
            }
        });
        return !hit;
    }

private:
    template <typename F>
    void forCells(const AxisBox& b, F&& f) {
        auto column = [&](double x) {
            return std::clamp(static_cast<int>(std::floor((x - m_area.left) / m_cell)), 0,
                              m_columns - 1);
        };
        auto row = [&](double y) {
            return std::clamp(static_cast<int>(std::floor((y - m_area.top) / m_cell)), 0,
                              m_rows - 1);
        };
        for (int r = row(b.top); r <= row(b.bottom); ++r) {
            for (int c = column(b.left); c <= column(b.right); ++c) {
                f(m_cells[static_cast<std::size_t>(r) * static_cast<std::size_t>(m_columns) +
                          static_cast<std::size_t>(c)]);
            }
        }
    }

    AxisBox m_area;
    double m_cell;
    int m_columns;
    int m_rows;
    std::vector<std::vector<std::size_t>> m_cells;
    std::vector<TurnedBox> m_boxes;
    std::vector<bool> m_axisAligned;
    std::vector<std::uint64_t> m_stamps;
    std::uint64_t m_stamp = 0;
};

bool inside(const AxisBox& area, const TurnedBox& box) {
    return area.contains(box.bounds());
}

LabelSpot placeLine(const LineLabelRequest& r, const LabelLayoutOptions& o, Grid& grid) {
    const double dx = r.to.x - r.from.x;
    const double dy = r.to.y - r.from.y;
    const double length = std::hypot(dx, dy);
    if (!(length > 0) || !(r.width > 0) || !(r.height > 0)) {
        return {};
    }
    const Vec2 u{dx / length, dy / length};
    // Text runs left to right; "above" is the side of the line toward the top of the screen.
    const Vec2 d = u.x < 0 || (u.x == 0 && u.y > 0) ? Vec2{-u.x, -u.y} : u;
    const double angle = std::atan2(d.y, d.x) * 180.0 / std::numbers::pi;
    const Vec2 up{d.y, -d.x};
    constexpr double kEndMargin = 4;
    std::vector<double> along;
    if (length < r.width + 2 * kEndMargin) {
        along.push_back(length / 2);
    } else {
        for (double s = r.width / 2 + kEndMargin; s <= length - r.width / 2 - kEndMargin + 1e-9;
             s += o.lineStep) {
            along.push_back(s);
        }
    }
    // Beside the line first; then lifted clear of markers that sit on it (the points of a
    // compute-bound layer lie on their ceiling all along it).
    const double near = o.lineGap + r.height / 2;
    for (double offset : {near, near + o.markerRadius, -near, -near - o.markerRadius}) {
        for (double s : along) {
            TurnedBox box{{r.from.x + u.x * s + up.x * offset, r.from.y + u.y * s + up.y * offset},
                          r.width,
                          r.height,
                          angle};
            if (inside(o.area, box) && grid.free(box)) {
                grid.add(box);
                return {true, box, false};
            }
        }
    }
    return {};
}

LabelSpot placePoint(const PointLabelRequest& r, const LabelLayoutOptions& o, Grid& grid) {
    if (!(r.width > 0) || !(r.height > 0)) {
        return {};
    }
    const double w = r.width;
    const double h = r.height;
    const Vec2 a = r.anchor;
    // Top-left corner of the box whose nearest point is at distance `at` in each direction:
    // above right, below right, above left, below left, right, left, above, below.
    auto topLeft = [&](int direction, double at) -> Vec2 {
        const double q = at / std::numbers::sqrt2;
        switch (direction) {
            case 0:
                return {a.x + q, a.y - q - h};
            case 1:
                return {a.x + q, a.y + q};
            case 2:
                return {a.x - q - w, a.y - q - h};
            case 3:
                return {a.x - q - w, a.y + q};
            case 4:
                return {a.x + at, a.y - h / 2};
            case 5:
                return {a.x - at - w, a.y - h / 2};
            case 6:
                return {a.x - w / 2, a.y - at - h};
            default:
                return {a.x - w / 2, a.y + at};
        }
    };
    const double first = o.markerRadius + 2;
    for (double at = first; at <= o.maxDistance + 1e-9; at += o.distanceStep) {
        for (int direction = 0; direction < 8; ++direction) {
            const Vec2 tl = topLeft(direction, at);
            const TurnedBox box = TurnedBox::fromAxisBox({tl.x, tl.y, tl.x + w, tl.y + h});
            if (inside(o.area, box) && grid.free(box)) {
                grid.add(box);
                return {true, box, at > o.leaderDistance};
            }
        }
    }
    return {};
}

}  // namespace

bool AxisBox::contains(const AxisBox& o) const {
    return o.left >= left - kTouch && o.right <= right + kTouch && o.top >= top - kTouch &&
           o.bottom <= bottom + kTouch;
}

bool AxisBox::intersects(const AxisBox& o) const {
    return o.left < right - kTouch && left < o.right - kTouch && o.top < bottom - kTouch &&
           top < o.bottom - kTouch;
}

Vec2 AxisBox::nearestPoint(Vec2 p) const {
    return {std::clamp(p.x, left, right), std::clamp(p.y, top, bottom)};
}

double AxisBox::distanceTo(Vec2 p) const {
    const Vec2 n = nearestPoint(p);
    return std::hypot(p.x - n.x, p.y - n.y);
}

TurnedBox TurnedBox::fromAxisBox(const AxisBox& b) {
    return {{(b.left + b.right) / 2, (b.top + b.bottom) / 2}, b.width(), b.height(), 0};
}

std::array<Vec2, 4> TurnedBox::corners() const {
    const double hw = width / 2;
    const double hh = height / 2;
    const Vec2 c = centre;
    return {
        turn({c.x - hw, c.y - hh}, c, angleDegrees), turn({c.x + hw, c.y - hh}, c, angleDegrees),
        turn({c.x + hw, c.y + hh}, c, angleDegrees), turn({c.x - hw, c.y + hh}, c, angleDegrees)};
}

AxisBox TurnedBox::bounds() const {
    if (angleDegrees == 0) {
        return {centre.x - width / 2, centre.y - height / 2, centre.x + width / 2,
                centre.y + height / 2};
    }
    AxisBox b{INFINITY, INFINITY, -INFINITY, -INFINITY};
    for (const Vec2& p : corners()) {
        b.left = std::min(b.left, p.x);
        b.top = std::min(b.top, p.y);
        b.right = std::max(b.right, p.x);
        b.bottom = std::max(b.bottom, p.y);
    }
    return b;
}

double TurnedBox::distanceTo(Vec2 p) const {
    const Vec2 local = turn(p, centre, -angleDegrees);
    return AxisBox{centre.x - width / 2, centre.y - height / 2, centre.x + width / 2,
                   centre.y + height / 2}
        .distanceTo(local);
}

bool overlaps(const TurnedBox& a, const TurnedBox& b) {
    const auto ca = a.corners();
    const auto cb = b.corners();
    for (const auto* c : {&ca, &cb}) {
        for (int e = 0; e < 2; ++e) {
            const Vec2 p0 = (*c)[static_cast<std::size_t>(e)];
            const Vec2 p1 = (*c)[static_cast<std::size_t>(e + 1)];
            const double len = std::hypot(p1.x - p0.x, p1.y - p0.y);
            if (len == 0) {
                continue;
            }
            const Vec2 axis{-(p1.y - p0.y) / len, (p1.x - p0.x) / len};
            if (separated(ca, cb, axis)) {
                return false;
            }
        }
    }
    return true;
}

LabelLayout layoutLabels(std::span<const LineLabelRequest> lines,
                         std::span<const PointLabelRequest> points,
                         std::span<const AxisBox> obstacles, const LabelLayoutOptions& options) {
    LabelLayout layout;
    layout.lines.resize(lines.size());
    layout.points.resize(points.size());
    if (!(options.area.width() > 0) || !(options.area.height() > 0)) {
        return layout;
    }
    Grid grid(options.area, 32);
    for (const AxisBox& o : obstacles) {
        if (o.width() > 0 && o.height() > 0) {
            grid.add(TurnedBox::fromAxisBox(o));
        }
    }
    for (std::size_t i = 0; i < lines.size(); ++i) {
        layout.lines[i] = placeLine(lines[i], options, grid);
    }
    for (std::size_t i = 0; i < points.size(); ++i) {
        layout.points[i] = placePoint(points[i], options, grid);
    }
    return layout;
}

}  // namespace rooflens::core
