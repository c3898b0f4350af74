// RooflinePlot's layout pass (detail::layoutLabels): crowds of coincident points fanned out,
// the legend's corner, and every label placed by core::layoutLabels in canvas pixels.
#include <algorithm>
#include <cmath>
#include <numbers>
#include <unordered_map>
#include <unordered_set>

#include "roofline_private.h"

namespace rooflens::plot::detail {

namespace {

constexpr double kMergePixels = 6;   // labelled points closer than this share one label
constexpr double kCrowdPixels = 3;   // points of different series closer than this are a crowd
constexpr double kFanSpacing = 10;   // between the centres of a crowd's fanned-out markers
constexpr double kMarkerHalf = 4.5;  // half the side of a point marker's box (size 8, pen 1)
constexpr int kMaxNamesPerLabel = 3;

core::Vec2 vec(QPointF p) {
    return {p.x(), p.y()};
}

QPointF qpoint(core::Vec2 v) {
    return {v.x, v.y};
}

core::AxisBox box(const QRectF& r) {
    return {r.left(), r.top(), r.right(), r.bottom()};
}

core::AxisBox square(QPointF centre, double half) {
    return {centre.x() - half, centre.y() - half, centre.x() + half, centre.y() + half};
}

QPointF pixelOf(const QCustomPlot& plot, double x, double y) {
    return {plot.xAxis->coordToPixel(x), plot.yAxis->coordToPixel(y)};
}

// Offset of member k of an n-member crowd: side by side for two, else on a ring whose
// neighbours are kFanSpacing apart, starting at the top.
QPointF fanOffset(std::size_t k, std::size_t n) {
    if (n == 2) {
        return {k == 0 ? -kFanSpacing / 2 : kFanSpacing / 2, 0};
    }
    const double radius =
        std::max(kFanSpacing * 0.6, kFanSpacing / (2 * std::sin(std::numbers::pi / n)));
    const double angle = -std::numbers::pi / 2 + 2 * std::numbers::pi * k / n;
    return {radius * std::cos(angle), radius * std::sin(angle)};
}

// Groups the points by their exact coordinates (the same op in every block), once per spec.
// Sorts a compact copy of the coordinates (ties by index, so each spot lists its points in
// order) rather than indices into the 200-byte points: this runs on every parameter change.
void findSpots(RooflinePlot::Private& d) {
    const std::size_t n = d.spec->points.size();
    struct Key {
        double x;
        double y;
        std::size_t i;
        bool operator<(const Key& o) const {
            return x != o.x ? x < o.x : y != o.y ? y < o.y : i < o.i;
        }
    };
    std::vector<Key> keys(n);
    for (std::size_t i = 0; i < n; ++i) {
        keys[i] = {d.spec->points[i].intensity, d.spec->points[i].opsPerSecond, i};
    }
    std::sort(keys.begin(), keys.end());
    d.spots.clear();
    d.spotOf.assign(n, 0);
    for (std::size_t k = 0; k < n; ++k) {
        if (k == 0 || keys[k].x != keys[k - 1].x || keys[k].y != keys[k - 1].y) {
            d.spots.emplace_back();
        }
        d.spots.back().push_back(keys[k].i);
    }
    // Spots in point order, so crowds list their members as before.
    std::sort(d.spots.begin(), d.spots.end(),
              [](const auto& a, const auto& b) { return a.front() < b.front(); });
    for (std::size_t s = 0; s < d.spots.size(); ++s) {
        for (std::size_t i : d.spots[s]) {
            d.spotOf[i] = s;
        }
    }
}

// Finds points of different series drawn at one spot, gives each series its own position
// around the spot (d.drawn), and moves the graphs' data and the selection ring there, so hit
// tests, the ring and the markers agree.
void fanOutCrowds(RooflinePlot::Private& d, const QRectF& area) {
    const QCustomPlot& plot = *d.plot;
    const std::size_t n = d.spec->points.size();
    if (d.spotOf.size() != n) {
        findSpots(d);
    }
    d.drawn.resize(n);
    d.crowdIndex.assign(n, -1);
    d.crowds.clear();
    struct Cluster {
        QPointF centre;
        std::vector<std::size_t> points;
    };
    std::vector<Cluster> clusters;
    std::unordered_map<std::int64_t, std::vector<std::size_t>> cells;  // cell -> clusters
    auto key = [](std::int64_t cx, std::int64_t cy) { return (cx << 32) ^ (cy & 0xffffffff); };
    const QRectF near = area.adjusted(-20, -20, 20, 20);
    for (const auto& spot : d.spots) {
        const auto& p = d.spec->points[spot.front()];
        const QPointF pixel = pixelOf(plot, p.intensity, p.opsPerSecond);
        for (std::size_t i : spot) {
            d.drawn[i] = pixel;
        }
        if (!std::isfinite(pixel.x()) || !std::isfinite(pixel.y()) || !near.contains(pixel)) {
            continue;
        }
        const auto cx = static_cast<std::int64_t>(std::floor(pixel.x() / kCrowdPixels));
        const auto cy = static_cast<std::int64_t>(std::floor(pixel.y() / kCrowdPixels));
        std::optional<std::size_t> found;
        for (std::int64_t dx = -1; dx <= 1 && !found; ++dx) {
            for (std::int64_t dy = -1; dy <= 1 && !found; ++dy) {
                auto it = cells.find(key(cx + dx, cy + dy));
                if (it == cells.end()) {
                    continue;
                }
                for (std::size_t c : it->second) {
                    const QPointF delta = clusters[c].centre - pixel;
                    if (std::hypot(delta.x(), delta.y()) < kCrowdPixels) {
                        found = c;
                        break;
                    }
                }
            }
        }
        if (!found) {
            found = clusters.size();
            clusters.push_back({pixel, {}});
            cells[key(cx, cy)].push_back(*found);
        }
        auto& members = clusters[*found].points;
        members.insert(members.end(), spot.begin(), spot.end());
    }
    const auto seriesOf = [&](std::size_t i) { return d.spec->points[i].series; };
    std::vector<std::pair<int, std::size_t>> firsts;  // (series, its first point), by series
    for (const Cluster& c : clusters) {
        firsts.clear();
        for (std::size_t i : c.points) {
            const int series = seriesOf(i);
            if (std::none_of(firsts.begin(), firsts.end(),
                             [&](const auto& f) { return f.first == series; })) {
                firsts.emplace_back(series, i);
            }
        }
        if (firsts.size() < 2) {
            continue;
        }
        std::sort(firsts.begin(), firsts.end());
        std::vector<std::size_t> members;  // the first point of each series, by series
        for (const auto& f : firsts) {
            members.push_back(f.second);
        }
        const int crowd = static_cast<int>(d.crowds.size());
        for (std::size_t i : c.points) {
            const std::size_t k =
                static_cast<std::size_t>(std::lower_bound(firsts.begin(), firsts.end(),
                                                          std::pair{seriesOf(i), std::size_t{0}}) -
                                         firsts.begin());
            d.drawn[i] = c.centre + fanOffset(k, members.size());
            d.crowdIndex[i] = crowd;
        }
        d.crowds.push_back(std::move(members));
    }
    // Each graph gets one marker per spot (9616 points of 8 series draw as a few hundred): its
    // points at one spot share their series, so they are drawn at one position.
    std::vector<std::size_t> seenIn(d.spots.size(), d.pointGraphs.size());
    for (std::size_t g = 0; g < d.pointGraphs.size(); ++g) {
        auto& pg = d.pointGraphs[g];
        std::vector<std::pair<double, std::size_t>> order;
        order.reserve(pg.points.size());
        for (std::size_t i : pg.points) {
            if (seenIn[d.spotOf[i]] == g) {
                continue;
            }
            seenIn[d.spotOf[i]] = g;
            const double x = d.crowdIndex[i] < 0 ? d.spec->points[i].intensity
                                                 : plot.xAxis->pixelToCoord(d.drawn[i].x());
            order.emplace_back(x, i);
        }
        std::stable_sort(order.begin(), order.end(),
                         [](const auto& a, const auto& b) { return a.first < b.first; });
        QVector<double> xs;
        QVector<double> ys;
        xs.reserve(static_cast<int>(order.size()));
        ys.reserve(static_cast<int>(order.size()));
        pg.drawnPoints.clear();
        for (const auto& [x, i] : order) {
            pg.drawnPoints.push_back(i);
            xs << x;
            ys << (d.crowdIndex[i] < 0 ? d.spec->points[i].opsPerSecond
                                       : plot.yAxis->pixelToCoord(d.drawn[i].y()));
        }
        pg.graph->setData(xs, ys, true);
    }
    if (d.highlight != nullptr && d.highlighted && *d.highlighted < n) {
        const QPointF at = d.drawn[*d.highlighted];
        d.highlight->setData({plot.xAxis->pixelToCoord(at.x())}, {plot.yAxis->pixelToCoord(at.y())},
                             true);
    }
}

// Boxes of the markers inside the area (points, expected points, ridges), one per spot.
void collectMarkers(RooflinePlot::Private& d, const QRectF& area) {
    d.markers.clear();
    std::unordered_set<std::int64_t> seen;
    seen.reserve(d.spots.size() * 2);
    auto add = [&](QPointF centre, double half) {
        if (!area.contains(centre)) {
            return;
        }
        const auto k = (static_cast<std::int64_t>(std::lround(centre.x())) << 32) ^
                       (static_cast<std::int64_t>(std::lround(centre.y())) & 0xffffffff);
        if (seen.insert(k).second) {
            d.markers.push_back(square(centre, half));
        }
    };
    // A spot's points are drawn at one pixel per series (fanOutCrowds): one box per pixel.
    std::vector<QPointF> pixels;
    for (const auto& spot : d.spots) {
        pixels.clear();
        for (std::size_t i : spot) {
            if (std::find(pixels.begin(), pixels.end(), d.drawn[i]) == pixels.end()) {
                pixels.push_back(d.drawn[i]);
                add(d.drawn[i], kMarkerHalf);
            }
        }
    }
    for (const auto& p : d.spec->points) {
        if (p.expectedOpsPerSecond > 0) {
            add(pixelOf(*d.plot, p.intensity, p.expectedOpsPerSecond), 4.5);
        }
    }
    for (const auto& r : d.spec->ridges) {
        add(pixelOf(*d.plot, r.intensity, r.opsPerSecond), 4.5);
    }
}

// The visible part of a roof in pixels, from the end its label prefers (compute: right end;
// memory: where the diagonal enters the view); nullopt when none is visible.
std::optional<std::pair<QPointF, QPointF>> visibleRoof(const QCustomPlot& plot,
                                                       const core::RoofSegment& roof) {
    const QCPRange xr = plot.xAxis->range();
    const QCPRange yr = plot.yAxis->range();
    if (roof.kind == core::RoofKind::compute) {
        const double x0 = std::max(roof.x0, xr.lower);
        const double x1 = std::min(roof.x1, xr.upper);
        if (!(roof.value > yr.lower && roof.value < yr.upper && x0 < x1)) {
            return std::nullopt;
        }
        return std::pair{pixelOf(plot, x1, roof.value), pixelOf(plot, x0, roof.value)};
    }
    const double bw = roof.value;
    const double enter = std::max({xr.lower, yr.lower / bw, roof.x0});
    const double exit = std::min({xr.upper, yr.upper / bw, roof.x1});
    if (!(enter < exit)) {
        return std::nullopt;
    }
    return std::pair{pixelOf(plot, enter, bw * enter), pixelOf(plot, exit, bw * exit)};
}

void relayout(QCustomPlot& plot) {
    QCPLayoutGrid* layout = plot.plotLayout();
    layout->update(QCPLayoutElement::upPreparation);
    layout->update(QCPLayoutElement::upMargins);
    layout->update(QCPLayoutElement::upLayout);
}

int insetIndex(QCPLayoutInset* inset, QCPLayoutElement* element) {
    for (int i = 0; i < inset->elementCount(); ++i) {
        if (inset->elementAt(i) == element) {
            return i;
        }
    }
    return -1;
}

// LegendPlacement::automatic: the corner whose legend box covers no marker and the fewest roof
// pixels (top left on a tie); beside the plot when every corner covers markers. Runs before the
// rest of the pass, since moving the legend out changes the axis rectangle.
void placeLegend(RooflinePlot::Private& d) {
    QCustomPlot& plot = *d.plot;
    QCPLegend* legend = plot.legend;
    d.legendBox = {};
    if (d.legend == LegendPlacement::hidden || !legend->visible()) {
        return;
    }
    if (d.legend == LegendPlacement::outside) {
        return;
    }
    const QRect viewport = plot.viewport();
    const std::array<double, 8> view = {double(viewport.width()),    double(viewport.height()),
                                        plot.xAxis->range().lower,   plot.xAxis->range().upper,
                                        plot.yAxis->range().lower,   plot.yAxis->range().upper,
                                        double(legend->itemCount()), 0};
    if (d.legendDecision == view) {
        if (d.legendColumn == nullptr) {
            d.legendBox = box(legend->outerRect());
        }
        return;
    }
    d.legendDecision = view;
    if (d.legendColumn != nullptr) {
        putLegendBeside(d, false);
        relayout(plot);
    }
    QCPLayoutInset* inset = plot.axisRect()->insetLayout();
    const int index = insetIndex(inset, legend);
    if (index < 0) {
        return;
    }
    const QRectF area = plot.axisRect()->rect();
    if (d.spotOf.size() != d.spec->points.size()) {
        findSpots(d);
    }
    std::vector<QPointF> centres;  // one per spot: its points share their coordinates
    centres.reserve(d.spots.size());
    for (const auto& spot : d.spots) {
        const auto& p = d.spec->points[spot.front()];
        const QPointF c = pixelOf(plot, p.intensity, p.opsPerSecond);
        if (area.contains(c)) {
            centres.push_back(c);
        }
    }
    std::vector<std::pair<QPointF, QPointF>> roofs;
    for (const auto& roof : d.spec->roofs) {
        if (auto segment = visibleRoof(plot, roof)) {
            roofs.push_back(*segment);
        }
    }
    const QSizeF size = legend->outerRect().size();
    auto rectAt = [&](Qt::Alignment a) {
        const double left = a.testFlag(Qt::AlignLeft) ? area.left() : area.right() - size.width();
        const double top = a.testFlag(Qt::AlignTop) ? area.top() : area.bottom() - size.height();
        return QRectF(left, top, size.width(), size.height());
    };
    const Qt::Alignment corners[] = {Qt::AlignTop | Qt::AlignLeft, Qt::AlignTop | Qt::AlignRight,
                                     Qt::AlignBottom | Qt::AlignRight,
                                     Qt::AlignBottom | Qt::AlignLeft};
    std::optional<Qt::Alignment> best;
    int bestScore = 0;
    for (Qt::Alignment a : corners) {
        const QRectF r = rectAt(a).adjusted(-kMarkerHalf, -kMarkerHalf, kMarkerHalf, kMarkerHalf);
        if (std::any_of(centres.begin(), centres.end(),
                        [&](const QPointF& c) { return r.contains(c); })) {
            continue;
        }
        int score = 0;
        for (const auto& [p0, p1] : roofs) {
            for (int s = 0; s <= 32; ++s) {
                score += r.contains(p0 + (p1 - p0) * (s / 32.0)) ? 1 : 0;
            }
        }
        if (!best || score < bestScore) {
            bestScore = score;
            best = a;
        }
    }
    if (!best) {
        putLegendBeside(d, true);
        relayout(plot);
        return;
    }
    if (inset->insetAlignment(index) != *best) {
        inset->setInsetAlignment(index, *best);
        inset->update(QCPLayoutElement::upLayout);
    }
    d.legendBox = box(legend->outerRect());
}

QSizeF textBoxSize(const QCPItemText* item, const QString& text) {
    const QFontMetrics metrics(item->font());
    const QRect r =
        metrics.boundingRect(QRect(0, 0, 0, 0), Qt::TextDontClip | item->textAlignment(), text);
    const QMargins pad = item->padding();
    return {static_cast<double>(r.width() + pad.left() + pad.right()),
            static_cast<double>(r.height() + pad.top() + pad.bottom())};
}

struct Group {
    QPointF anchor;
    std::vector<std::size_t> labels;  // indices into d.pointLabels
};

// Labelled points inside the plot area, merged when closer than kMergePixels (anchored at
// their centre); larger groups first, then left to right, so the busy spots choose first.
std::vector<Group> groupPointLabels(RooflinePlot::Private& d, const QRectF& area) {
    std::vector<Group> groups;
    std::vector<QPointF> firsts;
    for (std::size_t i = 0; i < d.pointLabels.size(); ++i) {
        const QPointF pixel = d.drawn[d.pointLabels[i].point];
        if (!area.contains(pixel)) {
            continue;
        }
        std::size_t g = 0;
        while (g < groups.size() &&
               std::hypot(firsts[g].x() - pixel.x(), firsts[g].y() - pixel.y()) >= kMergePixels) {
            ++g;
        }
        if (g == groups.size()) {
            groups.push_back({pixel, {i}});
            firsts.push_back(pixel);
        } else {
            groups[g].labels.push_back(i);
        }
    }
    for (Group& g : groups) {
        QPointF sum;
        for (std::size_t i : g.labels) {
            sum += d.drawn[d.pointLabels[i].point];
        }
        g.anchor = sum / static_cast<double>(g.labels.size());
    }
    std::stable_sort(groups.begin(), groups.end(), [](const Group& a, const Group& b) {
        if (a.labels.size() != b.labels.size()) {
            return a.labels.size() > b.labels.size();
        }
        return a.anchor.x() < b.anchor.x();
    });
    return groups;
}

// "q_proj, k_proj, v_proj +2": the first names of a group.
QString groupText(const RooflinePlot::Private& d, const Group& group) {
    QStringList names;
    for (std::size_t k = 0; k < group.labels.size() && k < kMaxNamesPerLabel; ++k) {
        names << QString::fromStdString(d.spec->points[d.pointLabels[group.labels[k]].point].label);
    }
    QString text = names.join(QStringLiteral(", "));
    if (group.labels.size() > kMaxNamesPerLabel) {
        text += QStringLiteral(" +%1").arg(group.labels.size() - kMaxNamesPerLabel);
    }
    return text;
}

void showText(QCPItemText* item, const core::TurnedBox& b) {
    item->position->setType(QCPItemPosition::ptAbsolute);
    item->position->setCoords(b.centre.x, b.centre.y);
    item->setPositionAlignment(Qt::AlignCenter);
    item->setRotation(b.angleDegrees);
    item->setVisible(true);
}

}  // namespace

void putLegendBeside(RooflinePlot::Private& d, bool beside) {
    QCPLegend* legend = d.plot->legend;
    QCPLayoutInset* inset = d.plot->axisRect()->insetLayout();
    if (beside == (d.legendColumn != nullptr)) {
        return;
    }
    QCPLayoutGrid* layout = d.plot->plotLayout();
    if (!beside) {
        d.legendColumn->take(legend);
        layout->remove(d.legendColumn);
        d.legendColumn = nullptr;
        layout->simplify();
        inset->addElement(legend, Qt::AlignTop | Qt::AlignLeft);
        return;
    }
    inset->take(legend);
    // A column right of the axis rectangle (the last row; the title is above it): the legend on
    // top, an empty element taking the rest of the height.
    d.legendColumn = new QCPLayoutGrid;
    layout->addElement(layout->rowCount() - 1, 1, d.legendColumn);
    layout->setColumnStretchFactor(1, 0.001);
    d.legendColumn->addElement(0, 0, legend);
    d.legendColumn->addElement(1, 0, new QCPLayoutElement(d.plot));  // grows; an empty grid cannot
    d.legendColumn->setRowStretchFactor(0, 0.001);
}

void layoutLabels(RooflinePlot::Private& d) {
    placeLegend(d);
    const QRectF area = d.plot->axisRect()->rect();
    fanOutCrowds(d, area);
    collectMarkers(d, area);
    for (auto& label : d.pointLabels) {
        label.item->setVisible(false);
        label.leader->setVisible(false);
        label.shown.clear();
    }

    std::vector<core::LineLabelRequest> lines;
    std::vector<std::size_t> lineLabel;  // index into d.roofLabels per request
    for (std::size_t k = 0; k < d.roofLabels.size(); ++k) {
        QCPItemText* item = d.roofLabels[k].item;
        item->setVisible(false);
        const auto segment = visibleRoof(*d.plot, d.spec->roofs[d.roofLabels[k].roof]);
        if (!segment) {
            continue;
        }
        const QSizeF size = textBoxSize(item, item->text());
        lines.push_back({vec(segment->first), vec(segment->second), size.width(), size.height()});
        lineLabel.push_back(k);
    }

    std::vector<Group> groups;
    std::vector<core::PointLabelRequest> points;
    std::vector<QString> texts;
    if (d.showPointLabels) {
        groups = groupPointLabels(d, area);
        for (const Group& g : groups) {
            texts.push_back(groupText(d, g));
            const QSizeF size = textBoxSize(d.pointLabels[g.labels.front()].item, texts.back());
            points.push_back({vec(g.anchor), size.width(), size.height()});
        }
    }

    std::vector<core::AxisBox> obstacles = d.markers;
    if (d.legendBox.width() > 0) {
        obstacles.push_back(d.legendBox);
    }
    core::LabelLayoutOptions options;
    options.area = box(area);
    options.markerRadius = kMarkerHalf;
    options.maxDistance = kMaxLabelDistance;
    const core::LabelLayout layout = core::layoutLabels(lines, points, obstacles, options);

    for (std::size_t r = 0; r < lines.size(); ++r) {
        if (layout.lines[r].placed) {
            showText(d.roofLabels[lineLabel[r]].item, layout.lines[r].box);
        }
    }
    for (std::size_t g = 0; g < groups.size(); ++g) {
        const core::LabelSpot& spot = layout.points[g];
        if (!spot.placed) {
            continue;
        }
        auto& label = d.pointLabels[groups[g].labels.front()];
        for (std::size_t i : groups[g].labels) {
            label.shown.push_back(d.pointLabels[i].point);
        }
        label.item->setText(texts[g]);
        showText(label.item, spot.box);
        if (spot.leader) {
            const core::Vec2 end = spot.box.bounds().nearestPoint(vec(groups[g].anchor));
            const QPointF towards = qpoint(end) - groups[g].anchor;
            const double length = std::hypot(towards.x(), towards.y());
            const QPointF start = groups[g].anchor + towards * (kMarkerHalf / length);
            label.leader->start->setCoords(start);
            label.leader->end->setCoords(qpoint(end));
            label.leader->setVisible(true);
        }
    }
}

}  // namespace rooflens::plot::detail
