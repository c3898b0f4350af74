#pragma once
// Where Rooflens finds built-in data and keeps user data.
// Built-in data (hwdb/devices, models/presets): $ROOFLENS_DATA_DIR if set, else the install
// prefix's share/rooflens if it exists, else the source tree the binary was built from.
// User data: $XDG_DATA_HOME/rooflens, default ~/.local/share/rooflens.
#include <filesystem>

namespace rooflens::core {

std::filesystem::path builtinDataDir();
std::filesystem::path userDataDir();

}  // namespace rooflens::core
