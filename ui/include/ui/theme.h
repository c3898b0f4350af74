#pragma once
// Application colour themes: the system palette, or Rooflens' light and dark palettes (Fusion
// style). Plots follow the palette through QEvent::PaletteChange.
#include <QString>

namespace rooflens::ui {

enum class Theme { system, light, dark };

void applyTheme(Theme theme);
QString themeName(Theme theme);
Theme parseTheme(const QString& name);

}  // namespace rooflens::ui
