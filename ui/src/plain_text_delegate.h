#pragma once
// PlainTextDelegate: paints a cell of plain, single-line text (no icon, no check box) with one
// text layout instead of the styled delegate's three (size, elision and drawing each lay the
// text out again). The layer table repaints every visible cell on each parameter change; with
// QStyledItemDelegate that was a fifth of the main thread's frame on llama-3-70b (issue 17
// item 9). Background, selection, alternate rows, focus frame, colours, font, alignment and
// elision come from the style and the model as before; other cells fall back to the base class.
#include <QStyledItemDelegate>

namespace rooflens::ui {

class PlainTextDelegate : public QStyledItemDelegate {
    Q_OBJECT
public:
    using QStyledItemDelegate::QStyledItemDelegate;

    void paint(QPainter* painter, const QStyleOptionViewItem& option,
               const QModelIndex& index) const override;
};

}  // namespace rooflens::ui
