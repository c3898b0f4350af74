// Scenario panel and editor: add a preset, duplicate, edit, delete, save and load, and the
// editor's round trip and validation.
#include <gtest/gtest.h>

#include <QCheckBox>
#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QSpinBox>
#include <QTemporaryDir>

#include "core/scenario.h"
#include "ui/scenario_editor.h"
#include "ui/scenario_panel.h"
#include "ui/workload_family.h"
#include "ui_test_support.h"

namespace rooflens::ui {
namespace {

ScenarioItem baseline() {
    ScenarioItem item;
    item.scenario.name = "baseline";
    return item;
}

TEST(ScenarioPanel, AddDuplicateEditDelete) {
    ScenarioPanel panel;
    panel.setItems({baseline()});
    QSignalSpy changed(&panel, &ScenarioPanel::changed);

    ASSERT_TRUE(panel.addPreset("awq-w4a16-g128")) << panel.errorText().toStdString();
    ASSERT_EQ(panel.items().size(), 2U);
    EXPECT_TRUE(panel.items()[1].scenario.weights.has_value());
    EXPECT_FALSE(panel.addPreset("no-such-preset"));
    EXPECT_FALSE(panel.errorText().isEmpty());

    panel.setCurrentRow(1);
    panel.duplicateCurrent();
    ASSERT_EQ(panel.items().size(), 3U);
    EXPECT_NE(panel.items()[2].scenario.name, panel.items()[1].scenario.name);
    EXPECT_EQ(panel.items()[2].scenario.weights, panel.items()[1].scenario.weights);

    panel.setEditHook([](ScenarioItem& item) {
        item.scenario.name = "w4 edited";
        item.scenario.kvCache = core::KvCompression{};
        item.scenario.kvCache->format.type = core::DataType::int4;
        return true;
    });
    panel.setCurrentRow(2);
    ASSERT_TRUE(panel.editCurrent());
    EXPECT_EQ(panel.items()[2].scenario.name, "w4 edited");
    EXPECT_TRUE(panel.items()[2].scenario.kvCache.has_value());

    panel.setCurrentRow(1);
    panel.deleteCurrent();
    ASSERT_EQ(panel.items().size(), 2U);
    EXPECT_EQ(panel.items()[1].scenario.name, "w4 edited");
    EXPECT_GE(changed.count(), 4);
}

TEST(ScenarioPanel, EnabledInputsSkipUncheckedAndMapUncompressed) {
    ScenarioPanel panel;
    panel.setItems({baseline()});
    ASSERT_TRUE(panel.addPreset("kivi-kv2"));
    ASSERT_TRUE(panel.addPreset("sparse-2of4"));
    auto items = panel.items();
    items[2].enabled = false;
    panel.setItems(items);
    const auto inputs = panel.enabledInputs(findFamily("llm"));
    ASSERT_EQ(inputs.size(), 2U);
    EXPECT_FALSE(inputs[0].scenario.has_value());  // baseline = the plain model
    EXPECT_TRUE(inputs[1].scenario.has_value());
}

TEST(ScenarioPanel, SaveAndLoadJson) {
    QTemporaryDir dir;
    ScenarioPanel panel;
    panel.setItems({baseline()});
    ASSERT_TRUE(panel.addPreset("qserve-w4a8kv4"));
    panel.setCurrentRow(1);
    const QString path = dir.filePath(QStringLiteral("mine.json"));
    ASSERT_TRUE(panel.saveCurrent(path)) << panel.errorText().toStdString();
    auto loaded = core::loadScenario(path.toStdString());
    ASSERT_TRUE(loaded.ok()) << loaded.error().message;
    EXPECT_EQ(loaded.value(), panel.items()[1].scenario);

    ASSERT_TRUE(panel.loadFile(path));
    ASSERT_EQ(panel.items().size(), 3U);
    EXPECT_EQ(panel.items()[2].scenario.weights, panel.items()[1].scenario.weights);
    EXPECT_NE(panel.items()[2].scenario.name, panel.items()[1].scenario.name);  // made unique

    EXPECT_FALSE(panel.loadFile(testing::testData("hwdb/bad/empty-file.json")));
    EXPECT_TRUE(panel.errorText().contains(QLatin1String("empty-file.json")));
}

TEST(ScenarioEditor, EveryPresetRoundTripsThroughTheWidgets) {
    for (const auto& name : core::listScenarioPresets()) {
        auto preset = core::resolveScenario(name);
        ASSERT_TRUE(preset.ok()) << name;
        ScenarioItem item;
        item.scenario = preset.value();
        ScenarioEditor editor(item, findFamily("llm"));
        ASSERT_TRUE(editor.collect()) << name << ": " << editor.errorText().toStdString();
        EXPECT_EQ(editor.item().scenario, preset.value()) << name;
    }
}

TEST(ScenarioEditor, FormatEditorOffersTheMicroscalingFormats) {
    ScenarioEditor editor(baseline(), findFamily("llm"));
    auto* type = editor.findChild<QComboBox*>(QStringLiteral("weightsFormatType"));
    auto* group = editor.findChild<QSpinBox*>(QStringLiteral("weightsFormatGroup"));
    auto* rows = editor.findChild<QSpinBox*>(QStringLiteral("weightsFormatGroupRows"));
    auto* bits = editor.findChild<QLabel*>(QStringLiteral("weightsFormatBits"));
    ASSERT_TRUE(type && group && rows && bits);
    editor.findChild<QCheckBox*>(QStringLiteral("weightsOn"))->setChecked(true);
    for (const char* name : {"nvfp4", "mxfp4", "mxfp6_e2m3", "mxfp6_e3m2", "mxfp8_e4m3",
                             "mxfp8_e5m2", "fp4_e2m1", "fp6_e2m3", "fp6_e3m2"}) {
        EXPECT_GE(type->findText(QLatin1String(name)), 0) << name;
    }
    EXPECT_LT(type->findText(QStringLiteral("e8m0")), 0) << "a scale type, not an element type";
    type->setCurrentIndex(type->findText(QStringLiteral("nvfp4")));
    EXPECT_FALSE(group->isEnabled()) << "NVFP4 brings its own 16-element scale";
    EXPECT_TRUE(bits->text().startsWith(QStringLiteral("4.5 "))) << bits->text().toStdString();
    EXPECT_TRUE(bits->text().contains(QStringLiteral("fp32 scale per tensor")));
    type->setCurrentIndex(type->findText(QStringLiteral("mxfp4")));
    EXPECT_TRUE(bits->text().startsWith(QStringLiteral("4.25 "))) << bits->text().toStdString();
    type->setCurrentIndex(type->findText(QStringLiteral("fp8_e4m3")));
    EXPECT_TRUE(group->isEnabled());
    group->setValue(128);
    rows->setValue(128);
    // 8 + 16 / (128 x 128): the editor's default fp16 scale over a 128 x 128 block.
    EXPECT_EQ(bits->text(), QStringLiteral("8.00098"));
    ASSERT_TRUE(editor.collect()) << editor.errorText().toStdString();
    ASSERT_TRUE(editor.item().scenario.weights.has_value());
    EXPECT_EQ(editor.item().scenario.weights->groupRows, 128);
}

TEST(ScenarioEditor, RejectsAnEmptyNameAndBadTokenSchedules) {
    ScenarioEditor editor(baseline(), findFamily("llm"));
    editor.findChild<QLineEdit*>(QStringLiteral("scenarioName"))->clear();
    EXPECT_FALSE(editor.collect());
    EXPECT_TRUE(editor.errorText().contains(QLatin1String("name")));
    editor.findChild<QLineEdit*>(QStringLiteral("scenarioName"))->setText(QStringLiteral("x"));
    editor.findChild<QLineEdit*>(QStringLiteral("tokenSchedule"))
        ->setText(QStringLiteral("tome 16"));
    EXPECT_FALSE(editor.collect());  // LLMs have no token schedule
    EXPECT_TRUE(editor.errorText().contains(QLatin1String("ViT")));
    editor.findChild<QLineEdit*>(QStringLiteral("tokenSchedule"))->clear();
    EXPECT_TRUE(editor.collect());
}

TEST(ScenarioEditor, ValidatesTokenSchedulesForVit) {
    const WorkloadFamily* vit = findFamily("vit");
    if (vit == nullptr) {
        GTEST_SKIP() << "built without the ViT family";
    }
    ScenarioEditor editor(baseline(), vit);
    auto* schedule = editor.findChild<QLineEdit*>(QStringLiteral("tokenSchedule"));
    schedule->setText(QStringLiteral("tome 16"));
    EXPECT_TRUE(editor.collect()) << editor.errorText().toStdString();
    EXPECT_EQ(editor.item().tokenSchedule, "tome 16");
    schedule->setText(QStringLiteral("shrink 3"));
    EXPECT_FALSE(editor.collect());
    EXPECT_TRUE(editor.errorText().contains(QLatin1String("shrink")));
}

}  // namespace
}  // namespace rooflens::ui
