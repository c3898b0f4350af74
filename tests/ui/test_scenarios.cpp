// Scenario panel and editor: add a preset, duplicate, edit, delete, save and load, and the
// editor's round trip and validation.
#include <gtest/gtest.h>

#include <QLineEdit>
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
