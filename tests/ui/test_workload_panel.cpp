// WorkloadPanel: families plug in (rows shown per family), config and graph imports with
// located errors, family parameters.
#include <gtest/gtest.h>

#include <QComboBox>
#include <QFile>
#include <QSpinBox>
#include <QTemporaryDir>

#include "ui/workload_panel.h"
#include "ui_test_support.h"

namespace rooflens::ui {
namespace {

QComboBox* combo(WorkloadPanel& panel, const char* name) {
    return panel.findChild<QComboBox*>(QLatin1String(name));
}

bool selectFamily(WorkloadPanel& panel, const char* id) {
    auto* family = combo(panel, "familyCombo");
    const int index = family->findData(QLatin1String(id));
    if (index < 0) {
        return false;
    }
    family->setCurrentIndex(index);
    return true;
}

TEST(WorkloadPanel, LlmByDefaultWithPresets) {
    WorkloadPanel panel;
    EXPECT_EQ(panel.choice().family, "llm");
    EXPECT_EQ(panel.choice().model, "llama-2-7b");
    ASSERT_NE(panel.prepared(), nullptr);
    EXPECT_TRUE(panel.prepared()->hasDecode);
    EXPECT_GE(combo(panel, "modelCombo")->count(), 5);
    EXPECT_EQ(combo(panel, "phaseCombo")->count(), 3);
}

TEST(WorkloadPanel, ImportConfigAndErrorsNameTheFile) {
    WorkloadPanel panel;
    QSignalSpy changed(&panel, &WorkloadPanel::changed);
    ASSERT_TRUE(panel.importConfig(testing::testData("models/tiny-llama/config.json")))
        << panel.errorText().toStdString();
    EXPECT_TRUE(panel.choice().model.find("tiny-llama/config.json") != std::string::npos);
    EXPECT_GE(changed.count(), 1);
    EXPECT_FALSE(panel.importConfig(testing::testData("models/bad/missing_hidden_size.json")));
    EXPECT_TRUE(panel.errorText().contains(QLatin1String("missing_hidden_size.json")));
    EXPECT_TRUE(panel.errorText().contains(QLatin1String("hidden_size")));
}

double totalOps(const PreparedWorkload& prepared) {
    core::RunSettings settings;
    settings.batch = 2;
    auto workload = prepared.builder->build(settings, {});
    EXPECT_TRUE(workload.ok()) << (workload.ok() ? "" : workload.error().message);
    double ops = 0;
    for (const auto& layer : workload.ok() ? workload->layers : std::vector<core::Layer>{}) {
        ops += layer.ops * layer.repeat;
    }
    return ops;
}

// The ONNX family has no presets: it asks for a file, then prices the imported graph as the ViT
// family prices the same model (tiny_vit.onnx is tests/data/vit/tiny-vit.json exported).
TEST(WorkloadPanel, OnnxFamilyImportsAGraph) {
    WorkloadPanel panel;
    if (!selectFamily(panel, "onnx")) {
        GTEST_SKIP() << "built without the ONNX importer";
    }
    EXPECT_EQ(panel.prepared(), nullptr);
    EXPECT_TRUE(panel.errorText().contains(QLatin1String("import an .onnx file")))
        << panel.errorText().toStdString();
    ASSERT_TRUE(panel.importConfig(testing::testData("onnx/tiny_vit.onnx")))
        << panel.errorText().toStdString();
    ASSERT_NE(panel.prepared(), nullptr) << panel.errorText().toStdString();
    EXPECT_EQ(panel.prepared()->builder->family(), core::ModelFamily::onnx);
    EXPECT_FALSE(panel.prepared()->hasDecode);
    EXPECT_TRUE(panel.findChild<QSpinBox*>(QStringLiteral("imageSizeSpin"))->isVisibleTo(&panel));
    auto vit = findFamily("vit")->prepare(
        {"vit", testing::testData("vit/tiny-vit.json").toStdString(), "", 32, {}});
    ASSERT_TRUE(vit.ok()) << vit.error().message;
    EXPECT_DOUBLE_EQ(totalOps(*panel.prepared()), totalOps(vit.value()));
    EXPECT_FALSE(panel.importConfig(testing::testData("onnx/missing_external.onnx")));
    EXPECT_TRUE(panel.errorText().contains(QLatin1String("missing_weights.bin")));
}

TEST(WorkloadPanel, VitFamilyUsesImageSize) {
    WorkloadPanel panel;
    if (!selectFamily(panel, "vit")) {
        GTEST_SKIP() << "built without the ViT family";
    }
    ASSERT_NE(panel.prepared(), nullptr) << panel.errorText().toStdString();
    EXPECT_FALSE(panel.prepared()->hasDecode);
    EXPECT_TRUE(panel.findChild<QSpinBox*>(QStringLiteral("imageSizeSpin"))->isVisibleTo(&panel));
    EXPECT_FALSE(panel.findChild<QSpinBox*>(QStringLiteral("promptSpin"))->isVisibleTo(&panel));
    auto built = panel.prepared()->builder->build(panel.settings(), {});
    ASSERT_TRUE(built.ok()) << built.error().message;
    EXPECT_EQ(built->model.family, core::ModelFamily::vit);
}

TEST(WorkloadPanel, GnnFamilyParametersAndGraphImport) {
    WorkloadPanel panel;
    if (!selectFamily(panel, "gnn")) {
        GTEST_SKIP() << "built without the GNN family";
    }
    ASSERT_NE(panel.prepared(), nullptr) << panel.errorText().toStdString();
    auto* hidden = panel.findChild<QSpinBox*>(QStringLiteral("param_hidden"));
    ASSERT_NE(hidden, nullptr);
    hidden->setValue(64);
    EXPECT_EQ(panel.choice().parameters.at("hidden"), 64);
    EXPECT_FALSE(panel.findChild<QSpinBox*>(QStringLiteral("batchSpin"))->isVisibleTo(&panel));

    QTemporaryDir dir;
    const QString edges = dir.filePath(QStringLiteral("ring.txt"));
    {
        QFile file(edges);
        ASSERT_TRUE(file.open(QIODevice::WriteOnly));
        for (int i = 0; i < 100; ++i) {
            file.write(QStringLiteral("%1 %2\n").arg(i).arg((i + 1) % 100).toUtf8());
        }
    }
    panel.findChild<QSpinBox*>(QStringLiteral("param_features"))->setValue(16);
    panel.findChild<QSpinBox*>(QStringLiteral("param_classes"))->setValue(4);
    QSignalSpy imported(&panel, &WorkloadPanel::graphImported);
    ASSERT_TRUE(panel.importGraph(edges));
    ASSERT_TRUE(imported.wait(10000));
    EXPECT_TRUE(imported[0][0].toBool()) << panel.errorText().toStdString();
    ASSERT_NE(panel.prepared(), nullptr) << panel.errorText().toStdString();
    EXPECT_NE(panel.choice().graph.find("ring.txt"), std::string::npos);

    const QString bad = dir.filePath(QStringLiteral("bad.txt"));
    {
        QFile file(bad);
        ASSERT_TRUE(file.open(QIODevice::WriteOnly));
        file.write("0 1\n1 x\n");
    }
    ASSERT_TRUE(panel.importGraph(bad));
    ASSERT_TRUE(imported.wait(10000));
    EXPECT_FALSE(imported[1][0].toBool());
    EXPECT_TRUE(panel.errorText().contains(QLatin1String("bad.txt")))
        << panel.errorText().toStdString();
}

}  // namespace
}  // namespace rooflens::ui
