#include "plot/roofline_plot.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>

#include <QElapsedTimer>
#include <QToolTip>
#include <QVBoxLayout>

#include "core/chart_theme.h"
#include "core/units.h"
#include "plot_common.h"
#include "roofline_private.h"

namespace rooflens::plot {

namespace {

QString qs(const std::string& text) {
    return QString::fromStdString(text);
}

QString withRepeat(std::uint32_t repeat, const std::string& single, const std::string& total) {
    if (repeat <= 1) {
        return qs(single);
    }
    return qs(single) + QStringLiteral(" (×%1 = ").arg(repeat) + qs(total) + QStringLiteral(")");
}

// Roofs: one two-point graph each, labelled inline; devices in the legend when compared.
void addRoofs(RooflinePlot::Private& d, const PlotTheme& theme, const QFont& small) {
    QCustomPlot& plot = *d.plot;
    for (std::size_t i = 0; i < d.spec->roofs.size(); ++i) {
        const core::RoofSegment& roof = d.spec->roofs[i];
        const QColor colour = theme.seriesColor(roof.device);
        QCPGraph* graph = plot.addGraph();
        graph->setData({roof.x0, roof.x1}, {roof.y0, roof.y1}, true);
        graph->setPen(QPen(
            colour,
            roof.kind == core::RoofKind::memory ? core::kMemoryRoofWidth : core::kComputeRoofWidth,
            roof.measured ? Qt::SolidLine : Qt::DashLine));
        graph->setSelectable(QCP::stNone);
        // Compared devices often share a peak or a bandwidth: one label is enough.
        const bool repeated = std::any_of(d.spec->roofs.begin(),
                                          d.spec->roofs.begin() + static_cast<std::ptrdiff_t>(i),
                                          [&](const core::RoofSegment& r) {
                                              return r.kind == roof.kind && r.label == roof.label;
                                          });
        if (repeated) {
            continue;
        }
        // Placed (in pixels, along the line) by detail::layoutLabels.
        auto* text = new QCPItemText(&plot);
        text->setLayer(d.labelLayer);
        text->setText(qs(roof.label));
        text->setFont(small);
        text->setColor(colour);
        text->setPadding(QMargins(2, 1, 2, 1));
        text->setClipToAxisRect(true);
        text->setVisible(false);
        d.roofLabels.push_back({i, text});
    }
    if (d.spec->devices.size() > 1) {
        for (std::size_t dev = 0; dev < d.spec->devices.size(); ++dev) {
            QCPGraph* entry = plot.addGraph();
            entry->setName(qs(d.spec->devices[dev].name));
            entry->setPen(QPen(theme.seriesColor(static_cast<int>(dev)), 2));
            entry->setSelectable(QCP::stNone);
            entry->addToLegend();
        }
    }
}

// Ridge points as rings, in one graph sorted by intensity.
void addRidges(RooflinePlot::Private& d, const PlotTheme& theme) {
    if (d.spec->ridges.empty()) {
        return;
    }
    QCPGraph* ridges = d.plot->addGraph();
    QVector<double> xs;
    QVector<double> ys;
    std::vector<std::size_t> order(d.spec->ridges.size());
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        return d.spec->ridges[a].intensity < d.spec->ridges[b].intensity;
    });
    for (std::size_t i : order) {
        xs << d.spec->ridges[i].intensity;
        ys << d.spec->ridges[i].opsPerSecond;
    }
    ridges->setData(xs, ys, true);
    ridges->setLineStyle(QCPGraph::lsNone);
    ridges->setScatterStyle(
        QCPScatterStyle(QCPScatterStyle::ssCircle, QPen(theme.foreground, 1.2), Qt::NoBrush, 7));
    ridges->setSelectable(QCP::stNone);
}

// Sorts spec points by intensity, ties in point order: a stable sort, over a compact copy of
// the keys rather than through the 200-byte points.
void sortByIntensity(const core::RooflineChartSpec& spec, std::vector<std::size_t>& indices) {
    std::vector<std::pair<double, std::size_t>> order;
    order.reserve(indices.size());
    for (std::size_t i : indices) {
        order.emplace_back(spec.points[i].intensity, i);
    }
    std::sort(order.begin(), order.end());
    for (std::size_t k = 0; k < order.size(); ++k) {
        indices[k] = order[k].second;
    }
}

// Points: one scatter graph per (series, kind), colour by kind, shape by scenario; the
// scenario shapes join the legend when there is more than one.
void addPoints(RooflinePlot::Private& d, const PlotTheme& theme) {
    QCustomPlot& plot = *d.plot;
    std::map<std::pair<int, int>, std::vector<std::size_t>> byGraph;
    for (std::size_t i = 0; i < d.spec->points.size(); ++i) {
        const auto& p = d.spec->points[i];
        byGraph[{p.series, static_cast<int>(p.kind)}].push_back(i);
    }
    std::vector<bool> kindInLegend(core::kLayerKindCount, false);
    for (auto& [key, indices] : byGraph) {
        const auto [seriesIndex, kindIndex] = key;
        const auto& series = d.spec->series[static_cast<std::size_t>(seriesIndex)];
        sortByIntensity(*d.spec, indices);
        QVector<double> xs;
        QVector<double> ys;
        xs.reserve(static_cast<int>(indices.size()));
        ys.reserve(static_cast<int>(indices.size()));
        for (std::size_t i : indices) {
            xs << d.spec->points[i].intensity;
            ys << d.spec->points[i].opsPerSecond;
        }
        const auto kind = static_cast<core::LayerKind>(kindIndex);
        const QColor colour = theme.kindColor(kind);
        QCPGraph* graph = plot.addGraph();
        graph->setName(qs(std::string(core::nameOf(kind))));
        graph->setData(xs, ys, true);
        graph->setLineStyle(QCPGraph::lsNone);
        // Points sit on their device's roof, so colour stays with the layer kind.
        const QPen outline(colour.darker(theme.dark ? 80 : 130), 1.0);
        graph->setScatterStyle(
            QCPScatterStyle(detail::shapeFor(series.scenario), outline, colour, 8));
        graph->setSelectable(QCP::stNone);
        if (!kindInLegend[static_cast<std::size_t>(kindIndex)]) {
            graph->addToLegend();  // one entry per kind (automatic adding is off)
        }
        kindInLegend[static_cast<std::size_t>(kindIndex)] = true;
        d.pointGraphs.push_back({graph, indices, indices});
    }
    if (d.spec->scenarios.size() > 1) {
        for (std::size_t s = 0; s < d.spec->scenarios.size(); ++s) {
            QCPGraph* entry = plot.addGraph();
            entry->setName(qs(d.spec->scenarios[s]));
            entry->setLineStyle(QCPGraph::lsNone);
            entry->setScatterStyle(QCPScatterStyle(detail::shapeFor(static_cast<int>(s)),
                                                   QPen(theme.foreground), theme.grid, 8));
            entry->setSelectable(QCP::stNone);
            entry->addToLegend();
        }
    }
}

// Expected points (ChartOptions::expectedPoints): each layer at the rate its expected time
// attains, hollow in its kind's colour, with a dotted bar up to its point on the roof; one
// legend entry for them all.
void addExpectedPoints(RooflinePlot::Private& d, const PlotTheme& theme) {
    QCustomPlot& plot = *d.plot;
    std::map<int, std::vector<std::size_t>> byKind;
    for (std::size_t i = 0; i < d.spec->points.size(); ++i) {
        if (d.spec->points[i].expectedOpsPerSecond > 0) {
            byKind[static_cast<int>(d.spec->points[i].kind)].push_back(i);
        }
    }
    if (byKind.empty()) {
        return;
    }
    for (auto& [kindIndex, indices] : byKind) {
        sortByIntensity(*d.spec, indices);
        QVector<double> xs;
        QVector<double> ys;
        QVector<double> below;
        QVector<double> above;
        for (std::size_t i : indices) {
            const auto& p = d.spec->points[i];
            xs << p.intensity;
            ys << p.expectedOpsPerSecond;
            below << 0.0;
            above << p.opsPerSecond - p.expectedOpsPerSecond;
        }
        const QColor colour = theme.kindColor(static_cast<core::LayerKind>(kindIndex));
        QCPGraph* graph = plot.addGraph();
        graph->setData(xs, ys, true);
        graph->setLineStyle(QCPGraph::lsNone);
        graph->setScatterStyle(
            QCPScatterStyle(QCPScatterStyle::ssDiamond, QPen(colour, 1.4), Qt::NoBrush, 7));
        graph->setSelectable(QCP::stNone);
        auto* bars = new QCPErrorBars(plot.xAxis, plot.yAxis);
        bars->setDataPlottable(graph);
        bars->setData(below, above);
        bars->setWhiskerWidth(0);
        QPen dotted(colour, 0.8, Qt::DotLine);
        bars->setPen(dotted);
        bars->setSelectable(QCP::stNone);
    }
    QCPGraph* entry = plot.addGraph();
    entry->setName(QStringLiteral("expected time (hollow diamond)"));
    entry->setLineStyle(QCPGraph::lsNone);
    entry->setScatterStyle(
        QCPScatterStyle(QCPScatterStyle::ssDiamond, QPen(theme.foreground, 1.4), Qt::NoBrush, 7));
    entry->setSelectable(QCP::stNone);
    entry->addToLegend();
}

// Labels of the labelled points and their leader lines, hidden until layoutLabels places them.
void addPointLabels(RooflinePlot::Private& d, const PlotTheme& theme, const QFont& small) {
    for (std::size_t i = 0; i < d.spec->points.size(); ++i) {
        if (!d.spec->points[i].labelled) {
            continue;
        }
        auto* text = new QCPItemText(d.plot);
        text->setLayer(d.labelLayer);
        text->setFont(small);
        text->setColor(theme.foreground);
        text->setPadding(QMargins(2, 1, 2, 1));
        text->setText(qs(d.spec->points[i].label));
        text->setClipToAxisRect(true);
        text->setVisible(false);
        auto* leader = new QCPItemLine(d.plot);
        leader->setLayer(d.labelLayer);
        leader->setPen(QPen(theme.foreground, 0.8));
        leader->start->setType(QCPItemPosition::ptAbsolute);
        leader->end->setType(QCPItemPosition::ptAbsolute);
        leader->setClipToAxisRect(true);
        leader->setSelectable(false);
        leader->setVisible(false);
        d.pointLabels.push_back({i, text, leader, {}});
    }
}

}  // namespace

RooflinePlot::RooflinePlot(QWidget* parent)
    : PlotWidget(QStringLiteral("rooflinePlot"), QSize(320, 240), parent),
      d(std::make_unique<Private>()) {
    d->plot = &customPlot();
    d->plot->setObjectName(QStringLiteral("rooflineCanvas"));
    d->plot->setMouseTracking(true);
    detail::setLogAxis(*d->plot->xAxis);
    detail::setLogAxis(*d->plot->yAxis);
    d->plot->legend->setVisible(true);
    // Legend entries are added where wanted (addToLegend): adding every graph and removing most
    // of them again was a sixth of a redraw.
    d->plot->setAutoAddPlottableToLegend(false);
    QFont legendFont = font();
    legendFont.setPointSizeF(legendFont.pointSizeF() * 0.85);
    d->plot->legend->setFont(legendFont);
    d->plot->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignLeft);
    d->plot->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    d->plot->axisRect()->setRangeDrag(Qt::Horizontal | Qt::Vertical);
    d->plot->axisRect()->setRangeZoom(Qt::Horizontal | Qt::Vertical);
    d->plot->setNoAntialiasingOnDrag(true);
    d->plot->addLayer(QStringLiteral("labels"), d->plot->layer(QStringLiteral("main")),
                      QCustomPlot::limAbove);
    d->labelLayer = d->plot->layer(QStringLiteral("labels"));

    connect(d->plot, &QCustomPlot::afterLayout, this, [this] {
        QElapsedTimer timer;
        timer.start();
        detail::layoutLabels(*d);
        d->layoutSeconds = static_cast<double>(timer.nsecsElapsed()) * 1e-9;
    });
    connect(d->plot, &QCustomPlot::mouseWheel, this, [this] { d->userView = true; });
    connect(d->plot, &QCustomPlot::mousePress, this,
            [this](QMouseEvent* event) { d->pressPosition = event->pos(); });
    connect(d->plot, &QCustomPlot::mouseDoubleClick, this, [this] { resetView(); });
    connect(d->plot, &QCustomPlot::mouseMove, this, [this](QMouseEvent* event) {
        if (event->buttons() != Qt::NoButton) {
            d->userView = true;
            return;
        }
        if (auto point = pointAt(event->pos())) {
            QToolTip::showText(d->plot->mapToGlobal(event->pos()), toolTipFor(*point), d->plot);
        } else if (auto m = measuredPointAt(event->pos())) {
            QToolTip::showText(d->plot->mapToGlobal(event->pos()), measuredToolTipFor(*m), d->plot);
        } else {
            QToolTip::hideText();
        }
    });
    connect(d->plot, &QCustomPlot::mouseRelease, this, [this](QMouseEvent* event) {
        if ((event->pos() - d->pressPosition).manhattanLength() > 3 ||
            event->button() != Qt::LeftButton) {
            return;
        }
        if (auto point = pointAt(event->pos())) {
            highlightPoint(point);
            const core::ChartPoint& p = d->spec->points[*point];
            Q_EMIT pointClicked(p.series, static_cast<int>(p.layer));
        }
    });
    redraw();
}

RooflinePlot::~RooflinePlot() = default;

const core::RooflineChartSpec& RooflinePlot::spec() const {
    return *d->spec;
}

void RooflinePlot::setSpec(core::RooflineChartSpec spec) {
    setSpec(std::make_shared<const core::RooflineChartSpec>(std::move(spec)));
}

void RooflinePlot::setSpec(std::shared_ptr<const core::RooflineChartSpec> spec) {
    d->spec = spec ? std::move(spec) : std::make_shared<const core::RooflineChartSpec>();
    redraw();
}

void RooflinePlot::redraw() {
    QCustomPlot& plot = *d->plot;
    plot.clearPlottables();  // graphs and the expected points' error bars
    plot.clearItems();
    d->pointGraphs.clear();
    d->pointLabels.clear();
    d->roofLabels.clear();
    d->highlight = nullptr;
    d->highlighted.reset();
    d->legendDecision.reset();
    d->spots.clear();
    d->spotOf.clear();
    d->drawn.clear();
    d->crowdIndex.clear();
    d->crowds.clear();
    d->markers.clear();

    setTitle(qs(d->spec->title));
    plot.xAxis->setLabel(qs(d->spec->xLabel));
    plot.yAxis->setLabel(qs(d->spec->yLabel));
    if (!d->userView) {
        plot.xAxis->setRange(d->spec->x.min, d->spec->x.max);
        plot.yAxis->setRange(d->spec->y.min, d->spec->y.max);
    }
    detail::applyTheme(plot, theme());

    QFont small = font();
    small.setPointSizeF(small.pointSizeF() * 0.8);
    addRoofs(*d, theme(), small);
    addRidges(*d, theme());
    addExpectedPoints(*d, theme());
    addPoints(*d, theme());
    detail::addMeasuredPoints(*d, theme());
    addPointLabels(*d, theme(), small);

    d->highlight = plot.addGraph();
    d->highlight->setLineStyle(QCPGraph::lsNone);
    d->highlight->setScatterStyle(
        QCPScatterStyle(QCPScatterStyle::ssCircle, QPen(theme().foreground, 2), Qt::NoBrush, 16));
    d->highlight->setSelectable(QCP::stNone);
    plot.legend->setVisible(plot.legend->itemCount() > 0 && d->legend != LegendPlacement::hidden);
    plot.replot(QCustomPlot::rpQueuedReplot);
}

void RooflinePlot::highlightPoint(std::optional<std::size_t> pointIndex) {
    if (pointIndex && *pointIndex >= d->spec->points.size()) {
        pointIndex.reset();
    }
    d->highlighted = pointIndex;
    if (d->highlight == nullptr) {
        return;
    }
    if (pointIndex) {
        const auto& p = d->spec->points[*pointIndex];
        d->highlight->setData({p.intensity}, {p.opsPerSecond}, true);
    } else {
        d->highlight->data()->clear();
    }
    d->plot->replot(QCustomPlot::rpQueuedReplot);
}

std::optional<std::size_t> RooflinePlot::findPoint(int series, std::size_t layer) const {
    for (std::size_t i = 0; i < d->spec->points.size(); ++i) {
        if (d->spec->points[i].series == series && d->spec->points[i].layer == layer) {
            return i;
        }
    }
    return std::nullopt;
}

core::AxisRange RooflinePlot::xView() const {
    return {d->plot->xAxis->range().lower, d->plot->xAxis->range().upper};
}

core::AxisRange RooflinePlot::yView() const {
    return {d->plot->yAxis->range().lower, d->plot->yAxis->range().upper};
}

void RooflinePlot::setView(core::AxisRange x, core::AxisRange y) {
    d->userView = true;
    d->plot->xAxis->setRange(x.min, x.max);
    d->plot->yAxis->setRange(y.min, y.max);
    d->plot->replot(QCustomPlot::rpQueuedReplot);
}

void RooflinePlot::resetView() {
    d->userView = false;
    d->plot->xAxis->setRange(d->spec->x.min, d->spec->x.max);
    d->plot->yAxis->setRange(d->spec->y.min, d->spec->y.max);
    d->plot->replot(QCustomPlot::rpQueuedReplot);
}

QString RooflinePlot::toolTipFor(std::size_t pointIndex) const {
    if (pointIndex >= d->spec->points.size()) {
        return {};
    }
    const core::ChartPoint& p = d->spec->points[pointIndex];
    const auto& series = d->spec->series[static_cast<std::size_t>(p.series)];
    QString text = QStringLiteral("<b>") + qs(p.name).toHtmlEscaped() + QStringLiteral("</b> (") +
                   QLatin1String(core::nameOf(p.kind).data(),
                                 static_cast<qsizetype>(core::nameOf(p.kind).size())) +
                   QStringLiteral(")<br>");
    if (d->spec->series.size() > 1) {
        text += qs(series.label).toHtmlEscaped() + QStringLiteral("<br>");
    }
    text +=
        QStringLiteral("OPs: ") +
        withRepeat(p.repeat, core::formatSi(p.ops, "OP"), core::formatSi(p.ops * p.repeat, "OP")) +
        QStringLiteral("<br>bytes: ") +
        withRepeat(p.repeat, core::formatSi(p.bytes, "B"),
                   core::formatSi(p.bytes * p.repeat, "B")) +
        QStringLiteral("<br>intensity: ") + QString::number(p.intensity, 'g', 4) +
        QStringLiteral(" OP/B<br>attainable: ") + qs(core::formatSi(p.opsPerSecond, "OP/s")) +
        QStringLiteral("<br>time: ") +
        withRepeat(p.repeat, core::formatSeconds(p.timeSeconds),
                   core::formatSeconds(p.timeSeconds * p.repeat)) +
        QStringLiteral("<br>bound: ") + qs(p.boundLabel).toHtmlEscaped();
    const auto crowd = crowdOf(pointIndex);
    if (crowd.size() > 1) {
        text += QStringLiteral("<hr><b>%1 points here:</b>").arg(crowd.size());
        for (std::size_t member : crowd) {
            const core::ChartPoint& m = d->spec->points[member];
            text += QStringLiteral("<br>") +
                    qs(d->spec->series[static_cast<std::size_t>(m.series)].label).toHtmlEscaped() +
                    QStringLiteral(": ") + qs(m.name).toHtmlEscaped() + QStringLiteral(", ") +
                    qs(core::formatSeconds(m.timeSeconds));
        }
    }
    return text;
}

QWidget* RooflinePlot::canvas() const {
    return d->plot;
}

QPoint RooflinePlot::pixelOf(std::size_t pointIndex) const {
    if (pointIndex >= d->spec->points.size()) {
        return {};
    }
    if (d->drawn.size() == d->spec->points.size()) {
        return d->drawn[pointIndex].toPoint();
    }
    const auto& p = d->spec->points[pointIndex];
    return QPointF(d->plot->xAxis->coordToPixel(p.intensity),
                   d->plot->yAxis->coordToPixel(p.opsPerSecond))
        .toPoint();
}

std::optional<std::size_t> RooflinePlot::pointAt(QPoint canvasPosition) const {
    constexpr double kMaxDistance = 8;
    double best = kMaxDistance;
    std::optional<std::size_t> found;
    for (const auto& pg : d->pointGraphs) {
        QVariant details;
        const double distance = pg.graph->selectTest(QPointF(canvasPosition), false, &details);
        if (distance < 0 || distance > best) {
            continue;
        }
        const auto selection = details.value<QCPDataSelection>();
        if (selection.isEmpty()) {
            continue;
        }
        const int index = selection.dataRange(0).begin();
        if (index >= 0 && static_cast<std::size_t>(index) < pg.drawnPoints.size()) {
            best = distance;
            found = pg.drawnPoints[static_cast<std::size_t>(index)];
        }
    }
    return found;
}

void RooflinePlot::replotNow() {
    d->plot->replot(QCustomPlot::rpImmediateRefresh);
}

void RooflinePlot::setPointLabelsVisible(bool visible) {
    if (d->showPointLabels != visible) {
        d->showPointLabels = visible;
        d->plot->replot(QCustomPlot::rpQueuedReplot);
    }
}

bool RooflinePlot::pointLabelsVisible() const {
    return d->showPointLabels;
}

void RooflinePlot::setLegendPlacement(LegendPlacement placement) {
    if (placement == d->legend) {
        return;
    }
    d->legend = placement;
    d->legendDecision.reset();
    detail::putLegendBeside(*d, placement == LegendPlacement::outside);
    QCPLegend* legend = d->plot->legend;
    legend->setVisible(legend->itemCount() > 0 && placement != LegendPlacement::hidden);
    d->plot->replot(QCustomPlot::rpQueuedReplot);
}

LegendPlacement RooflinePlot::legendPlacement() const {
    return d->legend;
}

namespace {

core::TurnedBox drawnBox(const QCPItemText* item) {
    const QPointF tl = item->topLeft->pixelPosition();
    const QPointF tr = item->topRight->pixelPosition();
    const QPointF br = item->bottomRight->pixelPosition();
    const QPointF bl = item->bottomLeft->pixelPosition();
    const QPointF centre = (tl + tr + br + bl) / 4;
    const QPointF along = tr - tl;
    const QPointF down = bl - tl;
    return {{centre.x(), centre.y()},
            std::hypot(along.x(), along.y()),
            std::hypot(down.x(), down.y()),
            std::atan2(along.y(), along.x()) * 180.0 / M_PI};
}

}  // namespace

std::vector<DrawnLabel> RooflinePlot::drawnLabels() const {
    std::vector<DrawnLabel> labels;
    for (const auto& r : d->roofLabels) {
        if (r.item->visible()) {
            DrawnLabel label;
            label.kind = DrawnLabel::Kind::roof;
            label.text = r.item->text();
            label.box = drawnBox(r.item);
            label.roof = r.roof;
            labels.push_back(std::move(label));
        }
    }
    for (const auto& p : d->pointLabels) {
        if (p.item->visible()) {
            DrawnLabel label;
            label.text = p.item->text();
            label.box = drawnBox(p.item);
            label.points = p.shown;
            label.leader = p.leader->visible();
            labels.push_back(std::move(label));
        }
    }
    return labels;
}

std::vector<core::AxisBox> RooflinePlot::markerBoxes() const {
    return d->markers;
}

core::AxisBox RooflinePlot::legendBox() const {
    return d->legendBox;
}

core::AxisBox RooflinePlot::plotArea() const {
    const QRect r = d->plot->axisRect()->rect();
    return {static_cast<double>(r.left()), static_cast<double>(r.top()),
            static_cast<double>(r.left() + r.width()), static_cast<double>(r.top() + r.height())};
}

std::vector<std::size_t> RooflinePlot::crowdOf(std::size_t pointIndex) const {
    if (pointIndex >= d->spec->points.size()) {
        return {};
    }
    if (d->crowdIndex.size() == d->spec->points.size() && d->crowdIndex[pointIndex] >= 0) {
        return d->crowds[static_cast<std::size_t>(d->crowdIndex[pointIndex])];
    }
    return {pointIndex};
}

double RooflinePlot::lastLayoutSeconds() const {
    return d->layoutSeconds;
}

QPointF RooflinePlot::canvasPosition(double intensity, double opsPerSecond) const {
    return {d->plot->xAxis->coordToPixel(intensity), d->plot->yAxis->coordToPixel(opsPerSecond)};
}

std::optional<QPoint> RooflinePlot::highlightPixel() const {
    if (d->highlight == nullptr || d->highlight->data()->isEmpty()) {
        return std::nullopt;
    }
    const auto it = d->highlight->data()->constBegin();
    return QPointF(d->plot->xAxis->coordToPixel(it->key), d->plot->yAxis->coordToPixel(it->value))
        .toPoint();
}

}  // namespace rooflens::plot
