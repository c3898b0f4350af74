#pragma once
// Where the GUI's file dialogs open: the folder of the last file opened or saved through any of
// them (QSettings "files/lastDir"), else the user's documents folder, else the home folder;
// never the process's working directory (issue 17).
#include <QString>

namespace rooflens::ui {

QString dialogDirectory();
// Remembers the folder of `path` (a file) for the next dialog.
void rememberDialogDirectory(const QString& path);

}  // namespace rooflens::ui
