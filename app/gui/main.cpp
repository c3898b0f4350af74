// rooflens-gui: the desktop front end. A thin main(): application identity, command line, the
// main window. Everything else lives in ui/.
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include <string_view>

#include <QApplication>
#include <QBuffer>
#include <QCommandLineParser>
#include <QFile>
#include <QFileInfo>
#include <QTimer>

#include "core/json_io.h"
#include "core/platform.h"
#include "ui/main_window.h"
#include "ui/session.h"

namespace {

// Qt aborts when it cannot reach a display; say so plainly instead, and point at the headless
// tools. An explicit QT_QPA_PLATFORM (offscreen, vnc, ...) is respected.
bool haveDisplay() {
    for (const char* name : {"DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"}) {
        const char* value = std::getenv(name);
        if (value != nullptr && *value != '\0') {
            return true;
        }
    }
    return false;
}

}  // namespace

int main(int argc, char** argv) {
    rooflens::core::configureProcessAllocator();
    if (!haveDisplay()) {
        std::fprintf(
            stderr,
            "rooflens-gui: no display (DISPLAY and WAYLAND_DISPLAY are unset). Run it in a "
            "desktop session, or set QT_QPA_PLATFORM=offscreen; for reports and plots "
            "without a display use 'rooflens analyze' and 'rooflens plot'.\n");
        return 3;
    }
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("rooflens"));
    QApplication::setApplicationName(QStringLiteral("rooflens-gui"));
    QApplication::setApplicationDisplayName(QStringLiteral("Rooflens"));
    QApplication::setApplicationVersion(QStringLiteral("0.1.0"));
    QApplication::setDesktopFileName(QStringLiteral("rooflens"));
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/rooflens/rooflens.svg")));

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Roofline analysis of compressed neural networks."));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addPositionalArgument(QStringLiteral("file"),
                                 QStringLiteral("A session, hardware profile, scenario or model "
                                                "config to open."),
                                 QStringLiteral("[file]"));
    const QCommandLineOption model(QStringLiteral("model"),
                                   QStringLiteral("Model preset id or config path."),
                                   QStringLiteral("id"));
    const QCommandLineOption hw(
        QStringLiteral("hw"),
        QStringLiteral("Device id or profile file (repeat to compare devices); a file is "
                       "imported like a dropped one."),
        QStringLiteral("id|file"));
    const QCommandLineOption screenshot(
        QStringLiteral("screenshot"),
        QStringLiteral("Write a PNG of the window after the first analysis and exit."),
        QStringLiteral("png"));
    parser.addOptions({model, hw, screenshot});
    parser.process(app);

    rooflens::ui::MainWindow window;
    if (parser.isSet(model) || parser.isSet(hw)) {
        rooflens::ui::Session session = window.session();
        if (parser.isSet(model)) {
            session.workload.model = parser.value(model).toStdString();
        }
        if (parser.isSet(hw)) {
            session.devices.clear();
            for (const QString& id : parser.values(hw)) {
                if (!QFileInfo(id).isFile()) {  // profile files are opened below
                    session.devices.push_back(id.toStdString());
                }
            }
            if (session.devices.empty()) {
                session.devices = window.session().devices;
            }
        }
        window.applySession(session);
    }
    // As the CLI's --hw: a profile file takes a device's place (imported and selected).
    for (const QString& id : parser.values(hw)) {
        if (QFileInfo(id).isFile()) {
            window.openDroppedFile(id);
        }
    }
    for (const QString& file : parser.positionalArguments()) {
        window.openDroppedFile(file);
    }
    window.show();

    if (parser.isSet(screenshot)) {
        const QString path = parser.value(screenshot);
        QObject::connect(&window, &rooflens::ui::MainWindow::resultShown, &window, [&, path] {
            QTimer::singleShot(300, &window, [&, path] {
                // Through core::writeFileAtomic like every file Rooflens writes (issue 18, 5).
                QByteArray png;
                QBuffer buffer(&png);
                buffer.open(QIODevice::WriteOnly);
                const bool ok =
                    window.grab().save(&buffer, "PNG") &&
                    rooflens::core::writeFileAtomic(
                        QFile::encodeName(path).toStdString(),
                        std::string_view(png.constData(), static_cast<std::size_t>(png.size())))
                        .ok();
                std::fprintf(stderr, "%s %s\n", ok ? "wrote" : "could not write",
                             path.toLocal8Bit().constData());
                QApplication::exit(ok ? 0 : 3);
            });
        });
        QTimer::singleShot(30000, &app, [] { QApplication::exit(3); });
    }
    return QApplication::exec();
}
