#pragma once
// Label placement for charts: a pure function over boxes and anchor points in a chart's canvas
// coordinates (pixels, y pointing down), shared by the GUI's roofline, `rooflens plot` exports
// and the tests, which check its geometry without looking at pixels. Greedy and deterministic:
// line labels (the roofline's ceilings) first, each at the first free spot along its line, then
// point labels in the order given (their priority), each at the nearest free spot around its
// anchor no farther than maxDistance. No label overlaps an obstacle (markers, the legend) or a
// label placed before it; one that finds no free spot stays unplaced (the caller hides it).
#include <array>
#include <cstddef>
#include <span>
#include <vector>

namespace rooflens::core {

struct Vec2 {
    double x = 0;
    double y = 0;
};

// An axis-aligned box; empty when right <= left or bottom <= top.
struct AxisBox {
    double left = 0;
    double top = 0;
    double right = 0;
    double bottom = 0;

    double width() const { return right - left; }
    double height() const { return bottom - top; }
    bool contains(const AxisBox& other) const;
    // Open intersection: boxes that only touch along an edge do not intersect.
    bool intersects(const AxisBox& other) const;
    // Distance from p to the nearest point of the box (0 inside).
    double distanceTo(Vec2 p) const;
    Vec2 nearestPoint(Vec2 p) const;
};

// A width x height box centred on `centre`, turned by angleDegrees about it (clockwise on the
// screen, as QPainter::rotate with y down): a label along a sloped line.
struct TurnedBox {
    Vec2 centre;
    double width = 0;
    double height = 0;
    double angleDegrees = 0;

    static TurnedBox fromAxisBox(const AxisBox& box);
    // top-left, top-right, bottom-right, bottom-left of the unturned box, turned.
    std::array<Vec2, 4> corners() const;
    AxisBox bounds() const;
    double distanceTo(Vec2 p) const;
};

// Separating-axis test; boxes that only touch do not overlap.
bool overlaps(const TurnedBox& a, const TurnedBox& b);

// A label along a straight line (a ceiling): `from` is the end it prefers to sit near.
struct LineLabelRequest {
    Vec2 from;
    Vec2 to;
    double width = 0;
    double height = 0;
};

// A label beside a point (a marker's centre).
struct PointLabelRequest {
    Vec2 anchor;
    double width = 0;
    double height = 0;
};

struct LabelLayoutOptions {
    AxisBox area;               // every label stays inside (the plot's axis rectangle)
    double lineGap = 2;         // from a line to the near edge of its label
    double lineStep = 8;        // between candidate spots along a line
    double markerRadius = 4;    // a point label keeps at least this + 2 from its anchor
    double maxDistance = 40;    // anchor to the nearest point of its label, at most
    double distanceStep = 4;    // between candidate rings around an anchor
    double leaderDistance = 9;  // labels farther than this get a leader line
};

struct LabelSpot {
    bool placed = false;
    TurnedBox box;        // where the label is drawn (when placed)
    bool leader = false;  // a point label far enough from its anchor to need a leader line
};

struct LabelLayout {
    std::vector<LabelSpot> lines;   // parallel to the line requests
    std::vector<LabelSpot> points;  // parallel to the point requests
};

// Places line labels along their lines (above first, then below, each side beside the line
// before lifted by markerRadius clear of markers on it; text never upside down) and
// point labels around their anchors (8 directions on rings of growing distance), clear of the
// obstacles, of each other and inside options.area. Linear in the number of obstacles plus
// labels times candidates (obstacles go into a uniform grid).
LabelLayout layoutLabels(std::span<const LineLabelRequest> lines,
                         std::span<const PointLabelRequest> points,
                         std::span<const AxisBox> obstacles, const LabelLayoutOptions& options);

}  // namespace rooflens::core
