#include "plain_text_delegate.h"

#include <QApplication>
#include <QPainter>

namespace rooflens::ui {

void PlainTextDelegate::paint(QPainter* painter, const QStyleOptionViewItem& option,
                              const QModelIndex& index) const {
    QStyleOptionViewItem opt = option;
    initStyleOption(&opt, index);
    constexpr auto kOther = QStyleOptionViewItem::HasDecoration |
                            QStyleOptionViewItem::HasCheckIndicator |
                            QStyleOptionViewItem::WrapText;
    if ((opt.features & kOther) != 0 || opt.text.contains(QLatin1Char('\n'))) {
        QStyledItemDelegate::paint(painter, option, index);
        return;
    }
    const QWidget* widget = opt.widget;
    const QStyle* style = widget != nullptr ? widget->style() : QApplication::style();
    const QPalette::ColorGroup enabled =
        (opt.state & QStyle::State_Enabled) != 0 ? QPalette::Normal : QPalette::Disabled;
    // What QCommonStyle's CE_ItemViewItem draws for a text cell, in its order.
    painter->save();
    painter->setClipRect(opt.rect);
    // The panel draws the selection, hover and a model's background brush; a plain cell has
    // none of them, and Fusion works out its frame colours on every call.
    if ((opt.state & (QStyle::State_Selected | QStyle::State_MouseOver)) != 0 ||
        opt.backgroundBrush.style() != Qt::NoBrush) {
        style->drawPrimitive(QStyle::PE_PanelItemViewItem, &opt, painter, widget);
    }
    if (!opt.text.isEmpty()) {
        const QPalette::ColorGroup group =
            enabled == QPalette::Normal && (opt.state & QStyle::State_Active) == 0
                ? QPalette::Inactive
                : enabled;
        painter->setPen(opt.palette.color(group, (opt.state & QStyle::State_Selected) != 0
                                                     ? QPalette::HighlightedText
                                                     : QPalette::Text));
        if (painter->font() != opt.font) {
            painter->setFont(opt.font);
        }
        const int margin = style->pixelMetric(QStyle::PM_FocusFrameHMargin, nullptr, widget) + 1;
        const QRect textRect = opt.rect.adjusted(margin, 0, -margin, 0);
        const QFontMetrics& metrics = opt.fontMetrics;
        const QString text = metrics.horizontalAdvance(opt.text) > textRect.width()
                                 ? metrics.elidedText(opt.text, opt.textElideMode, textRect.width())
                                 : opt.text;
        const Qt::Alignment alignment =
            QStyle::visualAlignment(opt.direction, opt.displayAlignment);
        painter->drawText(textRect, static_cast<int>(alignment) | Qt::TextSingleLine, text);
    }
    if ((opt.state & QStyle::State_HasFocus) != 0) {
        QStyleOptionFocusRect focus;
        focus.QStyleOption::operator=(opt);
        focus.rect = style->subElementRect(QStyle::SE_ItemViewItemFocusRect, &opt, widget);
        focus.state |= QStyle::State_KeyboardFocusChange | QStyle::State_Item;
        focus.backgroundColor = opt.palette.color(enabled, (opt.state & QStyle::State_Selected) != 0
                                                               ? QPalette::Highlight
                                                               : QPalette::Window);
        style->drawPrimitive(QStyle::PE_FrameFocusRect, &focus, painter, widget);
    }
    painter->restore();
}

}  // namespace rooflens::ui
