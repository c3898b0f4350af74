#include "ui/theme.h"

#include <memory>
#include <optional>

#include <QApplication>
#include <QPalette>
#include <QStyle>
#include <QStyleFactory>

namespace rooflens::ui {

namespace {

QPalette darkPalette() {
    QPalette p;
    const QColor window(0x2b2d31);
    const QColor base(0x1e1f22);
    const QColor text(0xe3e3e3);
    const QColor disabled(0x7f8185);
    p.setColor(QPalette::Window, window);
    p.setColor(QPalette::WindowText, text);
    p.setColor(QPalette::Base, base);
    p.setColor(QPalette::AlternateBase, QColor(0x26282c));
    p.setColor(QPalette::ToolTipBase, QColor(0x3a3d42));
    p.setColor(QPalette::ToolTipText, text);
    p.setColor(QPalette::PlaceholderText, disabled);
    p.setColor(QPalette::Text, text);
    p.setColor(QPalette::Button, window);
    p.setColor(QPalette::ButtonText, text);
    p.setColor(QPalette::BrightText, QColor(0xff6b5b));
    p.setColor(QPalette::Link, QColor(0x6cb4ff));
    p.setColor(QPalette::Highlight, QColor(0x2f6fb3));
    p.setColor(QPalette::HighlightedText, QColor(0xffffff));
    p.setColor(QPalette::Mid, QColor(0x45474c));
    p.setColor(QPalette::Dark, QColor(0x18191b));
    p.setColor(QPalette::Light, QColor(0x3a3d42));
    for (auto role : {QPalette::WindowText, QPalette::Text, QPalette::ButtonText}) {
        p.setColor(QPalette::Disabled, role, disabled);
    }
    return p;
}

QPalette lightPalette() {
    // The style only lends its palette: owned here, not by the application (LSan found the
    // Fusion style of every light-theme switch left behind).
    const std::unique_ptr<QStyle> fusion(QStyleFactory::create(QStringLiteral("Fusion")));
    QPalette p = fusion ? fusion->standardPalette() : QApplication::palette();
    p.setColor(QPalette::Window, QColor(0xf3f3f3));
    p.setColor(QPalette::Base, QColor(0xffffff));
    p.setColor(QPalette::AlternateBase, QColor(0xf5f7fa));
    p.setColor(QPalette::Highlight, QColor(0x2f6fb3));
    return p;
}

}  // namespace

void applyTheme(Theme theme) {
    static std::optional<QPalette> systemPalette;
    static QString systemStyle;
    if (!systemPalette) {
        systemPalette = QApplication::palette();
        systemStyle = QApplication::style()->name();
    }
    switch (theme) {
        case Theme::system:
            QApplication::setStyle(systemStyle);
            QApplication::setPalette(*systemPalette);
            break;
        case Theme::light:
            QApplication::setStyle(QStringLiteral("Fusion"));
            QApplication::setPalette(lightPalette());
            break;
        case Theme::dark:
            QApplication::setStyle(QStringLiteral("Fusion"));
            QApplication::setPalette(darkPalette());
            break;
    }
}

QString themeName(Theme theme) {
    switch (theme) {
        case Theme::system:
            return QStringLiteral("system");
        case Theme::light:
            return QStringLiteral("light");
        case Theme::dark:
            return QStringLiteral("dark");
    }
    return {};
}

Theme parseTheme(const QString& name) {
    if (name == QLatin1String("light")) {
        return Theme::light;
    }
    if (name == QLatin1String("dark")) {
        return Theme::dark;
    }
    return Theme::system;
}

}  // namespace rooflens::ui
