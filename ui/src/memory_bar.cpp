#include "ui/memory_bar.h"

#include <algorithm>

#include <QFontMetricsF>
#include <QPainter>

#include "format.h"
#include "itemmodels/text_format.h"

namespace rooflens::ui {

MemoryBar::MemoryBar(QWidget* parent) : QWidget(parent) {
    setObjectName(QStringLiteral("memoryBar"));
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
}

void MemoryBar::setValues(double weightsBytes, double kvCacheBytes, double activationBytes,
                          double capacityBytes) {
    m_weights = weightsBytes;
    m_kv = kvCacheBytes;
    m_activations = activationBytes;
    m_capacity = capacityBytes;
    setToolTip(tr("weights %1\nKV cache %2\nactivations %3\ndevice memory %4")
                   .arg(bytesWithBinaryText(m_weights), bytesWithBinaryText(m_kv),
                        bytesWithBinaryText(m_activations), bytesWithBinaryText(m_capacity)));
    update();
}

namespace {

// A share of the device memory in whole percent; a used share under 0.5 % reads "< 1 %" (a
// small model on a 4 TB system is not "0 %" of it).
QString shareText(double used, double capacity) {
    const double percent = used / capacity * 100;
    if (used > 0 && percent < 0.5) {
        return QStringLiteral("< 1 %");
    }
    return QStringLiteral("%1 %").arg(percent, 0, 'f', 0);
}

}  // namespace

QString MemoryBar::text() const {
    if (m_capacity <= 0) {
        return bytesText(totalBytes());
    }
    return tr("%1 of %2 (%3)")
        .arg(bytesText(totalBytes()), bytesText(m_capacity), shareText(totalBytes(), m_capacity));
}

QString MemoryBar::shortText() const {
    if (m_capacity <= 0) {
        return bytesText(totalBytes());
    }
    return tr("%1 of %2").arg(shareText(totalBytes(), m_capacity), bytesText(m_capacity));
}

QSize MemoryBar::sizeHint() const {
    return {240, fontMetrics().height() + 10};
}

QSize MemoryBar::minimumSizeHint() const {
    return {80, fontMetrics().height() + 10};
}

void MemoryBar::paintEvent(QPaintEvent* /*event*/) {
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    const QRectF area = QRectF(rect()).adjusted(0.5, 0.5, -0.5, -0.5);
    const double scale = std::max({m_capacity, totalBytes(), 1.0});
    p.setPen(Qt::NoPen);
    p.setBrush(palette().color(QPalette::Base));
    p.drawRoundedRect(area, 3, 3);
    double x = area.left();
    const QColor colours[] = {QColor(0x0072b2), QColor(0xe69f00), QColor(0x009e73)};
    const double values[] = {m_weights, m_kv, m_activations};
    for (int i = 0; i < 3; ++i) {
        const double w = area.width() * values[i] / scale;
        p.setBrush(colours[i]);
        p.drawRect(QRectF(x, area.top(), w, area.height()));
        x += w;
    }
    if (m_capacity > 0 && overCapacity()) {
        const double cx = area.left() + area.width() * m_capacity / scale;
        p.setBrush(QBrush(QColor(192, 57, 43, 150), Qt::BDiagPattern));
        p.drawRect(QRectF(cx, area.top(), x - cx, area.height()));
        p.setPen(QPen(QColor(0xc0392b), 2));
        p.drawLine(QPointF(cx, area.top()), QPointF(cx, area.bottom()));
    }
    p.setPen(QPen(overCapacity() ? QColor(0xc0392b) : palette().color(QPalette::Mid), 1));
    p.setBrush(Qt::NoBrush);
    p.drawRoundedRect(area, 3, 3);
    p.setPen(palette().color(QPalette::Text));
    QFont f = font();
    f.setBold(true);
    p.setFont(f);
    const QRectF textRect = area.adjusted(6, 0, -6, 0);
    QString label = text();
    if (m_capacity > 0 && QFontMetricsF(f).horizontalAdvance(label) > textRect.width()) {
        label = shortText();  // the short form in a narrow dock; the tooltip has it all
    }
    // Light halo so the label reads over any segment colour.
    p.setPen(palette().color(QPalette::Base));
    for (const QPointF d : {QPointF(1, 0), QPointF(-1, 0), QPointF(0, 1), QPointF(0, -1)}) {
        p.drawText(textRect.translated(d), Qt::AlignVCenter | Qt::AlignLeft, label);
    }
    p.setPen(palette().color(QPalette::Text));
    p.drawText(textRect, Qt::AlignVCenter | Qt::AlignLeft, label);
}

}  // namespace rooflens::ui
