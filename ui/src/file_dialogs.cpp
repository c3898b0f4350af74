#include "ui/file_dialogs.h"

#include <QDir>
#include <QFileInfo>
#include <QSettings>
#include <QStandardPaths>

namespace rooflens::ui {

QString dialogDirectory() {
    const QString last = QSettings().value(QStringLiteral("files/lastDir")).toString();
    if (!last.isEmpty() && QFileInfo(last).isDir()) {
        return last;
    }
    const QString documents = QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation);
    if (!documents.isEmpty() && QFileInfo(documents).isDir()) {
        return documents;
    }
    return QDir::homePath();
}

void rememberDialogDirectory(const QString& path) {
    if (!path.isEmpty()) {
        QSettings().setValue(QStringLiteral("files/lastDir"), QFileInfo(path).absolutePath());
    }
}

}  // namespace rooflens::ui
