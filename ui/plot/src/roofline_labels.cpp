#include <algorithm>
#include <cmath>

#include "roofline_private.h"

namespace rooflens::plot::detail {

namespace {

constexpr double kMergePixels = 6;
constexpr int kMaxNamesPerLabel = 3;

void layoutRoofLabels(RooflinePlot::Private& d) {
    QCPAxis* x = d.plot->xAxis;
    QCPAxis* y = d.plot->yAxis;
    const QCPRange xr = x->range();
    const QCPRange yr = y->range();
    for (auto& label : d.roofLabels) {
        const core::RoofSegment& roof = d.spec.roofs[label.roof];
        if (roof.kind == core::RoofKind::compute) {
            label.item->setVisible(roof.value > yr.lower && roof.value < yr.upper &&
                                   roof.x1 > xr.lower);
            continue;
        }
        // Diagonal y = bw * x: label it a little after it enters the visible area.
        const double bw = roof.value;
        const double enter = std::max({xr.lower, yr.lower / bw, roof.x0});
        const double exit = std::min({xr.upper, yr.upper / bw, roof.x1});
        if (!(enter < exit)) {
            label.item->setVisible(false);
            continue;
        }
        const double at = enter * std::pow(exit / enter, 0.08);
        label.item->position->setCoords(at, bw * at);
        const QPointF p0(x->coordToPixel(enter), y->coordToPixel(bw * enter));
        const QPointF p1(x->coordToPixel(exit), y->coordToPixel(bw * exit));
        label.item->setRotation(std::atan2(p1.y() - p0.y(), p1.x() - p0.x()) * 180.0 / M_PI);
        label.item->setVisible(true);
    }
}

struct Group {
    QPointF anchor;
    std::vector<std::size_t> labels;  // indices into d.pointLabels
};

// Labelled points inside the plot area, merged when closer than kMergePixels; larger groups
// first, then left to right, so the busy spots get the free space.
std::vector<Group> groupPointLabels(RooflinePlot::Private& d, const QRectF& area) {
    QCPAxis* x = d.plot->xAxis;
    QCPAxis* y = d.plot->yAxis;
    std::vector<Group> groups;
    for (std::size_t i = 0; i < d.pointLabels.size(); ++i) {
        const core::ChartPoint& p = d.spec.points[d.pointLabels[i].point];
        const QPointF pixel(x->coordToPixel(p.intensity), y->coordToPixel(p.opsPerSecond));
        d.pointLabels[i].item->setVisible(false);
        if (!area.contains(pixel)) {
            continue;
        }
        auto near = std::find_if(groups.begin(), groups.end(), [&](const Group& g) {
            return std::hypot(g.anchor.x() - pixel.x(), g.anchor.y() - pixel.y()) < kMergePixels;
        });
        if (near == groups.end()) {
            groups.push_back({pixel, {i}});
        } else {
            near->labels.push_back(i);
        }
    }
    std::stable_sort(groups.begin(), groups.end(), [](const Group& a, const Group& b) {
        if (a.labels.size() != b.labels.size()) {
            return a.labels.size() > b.labels.size();
        }
        return a.anchor.x() < b.anchor.x();
    });
    return groups;
}

// Compute-ceiling labels sit at the right edge above their lines; points keep clear of them.
std::vector<QRectF> computeRoofLabelRects(const RooflinePlot::Private& d, const QRectF& area) {
    std::vector<QRectF> taken;
    for (const auto& label : d.roofLabels) {
        if (!label.item->visible() || d.spec.roofs[label.roof].kind != core::RoofKind::compute) {
            continue;
        }
        const QFontMetricsF metrics(label.item->font());
        const QSizeF size = metrics.boundingRect(label.item->text()).size();
        const double right = area.left() + area.width() * 0.995;
        const double bottom = d.plot->yAxis->coordToPixel(d.spec.roofs[label.roof].value);
        taken.emplace_back(QPointF(right - size.width(), bottom - size.height()), size);
    }
    return taken;
}

// "q_proj, k_proj, v_proj +2": the first names of a group.
QString groupText(const RooflinePlot::Private& d, const Group& group) {
    QStringList names;
    for (std::size_t k = 0; k < group.labels.size() && k < kMaxNamesPerLabel; ++k) {
        names << QString::fromStdString(d.spec.points[d.pointLabels[group.labels[k]].point].label);
    }
    QString text = names.join(QStringLiteral(", "));
    if (group.labels.size() > kMaxNamesPerLabel) {
        text += QStringLiteral(" +%1").arg(group.labels.size() - kMaxNamesPerLabel);
    }
    return text;
}

// Shows the group's label at the first free corner around its point (above right, below
// right, above left, below left); hidden if none is free.
void placeGroup(RooflinePlot::Private& d, const Group& group, const QRectF& area,
                std::vector<QRectF>& taken) {
    const QString text = groupText(d, group);
    QCPItemText* item = d.pointLabels[group.labels.front()].item;
    const QFontMetricsF metrics(item->font());
    const QSizeF size = metrics.boundingRect(text).size() + QSizeF(2, 2);
    struct Candidate {
        Qt::Alignment align;
        QPointF offset;  // of the text rectangle's top-left from the point
        QMargins padding;
    };
    const double w = size.width();
    const double h = size.height();
    const Candidate candidates[] = {
        {Qt::AlignLeft | Qt::AlignBottom, {6, -h - 3}, QMargins(6, 0, 0, 3)},
        {Qt::AlignLeft | Qt::AlignTop, {6, 3}, QMargins(6, 3, 0, 0)},
        {Qt::AlignRight | Qt::AlignBottom, {-w - 6, -h - 3}, QMargins(0, 0, 6, 3)},
        {Qt::AlignRight | Qt::AlignTop, {-w - 6, 3}, QMargins(0, 3, 6, 0)},
    };
    for (const auto& c : candidates) {
        const QRectF rect(group.anchor + c.offset, size);
        if (!area.contains(rect)) {
            continue;
        }
        const bool free = std::none_of(taken.begin(), taken.end(),
                                       [&](const QRectF& t) { return t.intersects(rect); });
        if (!free) {
            continue;
        }
        taken.push_back(rect);
        item->setText(text);
        item->setPositionAlignment(c.align);
        item->setPadding(c.padding);
        item->setVisible(true);
        return;
    }
}

}  // namespace

void layoutLabels(RooflinePlot::Private& d) {
    if (d.spec.roofs.empty() && d.spec.points.empty()) {
        return;
    }
    layoutRoofLabels(d);
    const QRectF area = d.plot->axisRect()->rect();
    const std::vector<Group> groups = groupPointLabels(d, area);
    std::vector<QRectF> taken = computeRoofLabelRects(d, area);
    for (const auto& group : groups) {
        placeGroup(d, group, area, taken);
    }
}

}  // namespace rooflens::plot::detail
