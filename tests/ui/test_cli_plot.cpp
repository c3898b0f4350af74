// `rooflens plot` as a process: the GUI's chart rendered headless to PNG, SVG and PDF.
#include <gtest/gtest.h>

#include <QFile>
#include <QImage>
#include <QProcess>
#include <QTemporaryDir>

namespace {

struct ProcessResult {
    int exitCode = -1;
    QString err;
};

ProcessResult rooflens(const QStringList& args) {
    QProcess process;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.remove(QStringLiteral("QT_QPA_PLATFORM"));  // the command must pick offscreen itself
    env.remove(QStringLiteral("DISPLAY"));
    env.remove(QStringLiteral("WAYLAND_DISPLAY"));
    process.setProcessEnvironment(env);
    process.start(QStringLiteral(ROOFLENS_CLI_PATH), args);
    EXPECT_TRUE(process.waitForFinished(60000));
    return {process.exitCode(), QString::fromUtf8(process.readAllStandardError())};
}

TEST(CliPlot, WritesPngSvgAndPdfWithoutADisplay) {
    QTemporaryDir dir;
    const QString png = dir.filePath(QStringLiteral("r.png"));
    ProcessResult r = rooflens(
        {QStringLiteral("plot"), QStringLiteral("--model"), QStringLiteral("llama-2-7b"),
         QStringLiteral("--hw"), QStringLiteral("h100-sxm"), QStringLiteral("--scenario"),
         QStringLiteral("awq-w4a16-g128"), QStringLiteral("--scenario"), QStringLiteral("fp16"),
         QStringLiteral("--output"), png, QStringLiteral("--width"), QStringLiteral("1000"),
         QStringLiteral("--height"), QStringLiteral("600")});
    ASSERT_EQ(r.exitCode, 0) << r.err.toStdString();
    EXPECT_EQ(QImage(png).size(), QSize(1000, 600));

    const QString svg = dir.filePath(QStringLiteral("r.svg"));
    r = rooflens({QStringLiteral("plot"), QStringLiteral("--model"), QStringLiteral("llama-2-7b"),
                  QStringLiteral("--hw"), QStringLiteral("a100-80gb-sxm"),
                  QStringLiteral("--phase"), QStringLiteral("decode"), QStringLiteral("-o"), svg});
    ASSERT_EQ(r.exitCode, 0) << r.err.toStdString();
    QFile file(svg);
    ASSERT_TRUE(file.open(QIODevice::ReadOnly));
    const QString text = QString::fromUtf8(file.readAll());
    EXPECT_TRUE(text.contains(QLatin1String("Arithmetic intensity [OP/byte]")));
    EXPECT_TRUE(text.contains(QLatin1String("Performance [OP/s]")));
    EXPECT_TRUE(text.contains(QLatin1String("q_proj")));

    const QString pdf = dir.filePath(QStringLiteral("r.pdf"));
    r = rooflens({QStringLiteral("plot"), QStringLiteral("--model"), QStringLiteral("llama-2-7b"),
                  QStringLiteral("--hw"), QStringLiteral("h100-sxm"), QStringLiteral("-o"), pdf});
    ASSERT_EQ(r.exitCode, 0) << r.err.toStdString();
    QFile pdfFile(pdf);
    ASSERT_TRUE(pdfFile.open(QIODevice::ReadOnly));
    EXPECT_TRUE(pdfFile.read(4) == "%PDF");
}

TEST(CliPlot, UsageAndInputErrors) {
    QTemporaryDir dir;
    ProcessResult r =
        rooflens({QStringLiteral("plot"), QStringLiteral("--model"), QStringLiteral("llama-2-7b"),
                  QStringLiteral("--hw"), QStringLiteral("h100-sxm"), QStringLiteral("-o"),
                  dir.filePath(QStringLiteral("r.gif"))});
    EXPECT_EQ(r.exitCode, 1);
    EXPECT_TRUE(r.err.contains(QLatin1String("r.gif")));
    r = rooflens({QStringLiteral("plot"), QStringLiteral("--model"), QStringLiteral("llama-2-7b"),
                  QStringLiteral("--hw"), QStringLiteral("no-such-gpu"), QStringLiteral("-o"),
                  dir.filePath(QStringLiteral("r.png"))});
    EXPECT_EQ(r.exitCode, 2);
    r = rooflens({QStringLiteral("plot"), QStringLiteral("--model"), QStringLiteral("llama-2-7b"),
                  QStringLiteral("--hw"), QStringLiteral("h100-sxm"), QStringLiteral("-o"),
                  QStringLiteral("/nonexistent-dir/r.png")});
    EXPECT_EQ(r.exitCode, 3);
    EXPECT_TRUE(r.err.contains(QLatin1String("/nonexistent-dir/r.png")));
}

}  // namespace
