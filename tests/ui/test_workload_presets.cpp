// The workload panel offers every LLM preset (the frontier families included) and prepares an
// analysis for them and for an imported nested config.
#include <gtest/gtest.h>

#include <QComboBox>

#include "models/presets.h"
#include "ui/workload_panel.h"
#include "ui_test_support.h"

namespace rooflens::ui {
namespace {

TEST(WorkloadPresets, EveryLlmPresetIsOfferedAndPrepares) {
    WorkloadPanel panel;
    auto* models = panel.findChild<QComboBox*>(QStringLiteral("modelCombo"));
    ASSERT_NE(models, nullptr);
    for (const std::string& id : models::listPresets()) {
        EXPECT_GE(models->findText(QString::fromStdString(id)), 0) << id;
    }
    for (const char* id : {"deepseek-v3", "gemma-3-27b", "mamba-2.8b", "jamba-v0.1"}) {
        const int index = models->findText(QLatin1String(id));
        ASSERT_GE(index, 0) << id;
        models->setCurrentIndex(index);
        EXPECT_EQ(panel.choice().model, id);
        ASSERT_NE(panel.prepared(), nullptr) << id << ": " << panel.errorText().toStdString();
    }
}

TEST(WorkloadPresets, ImportsANestedConfig) {
    WorkloadPanel panel;
    ASSERT_TRUE(panel.importConfig(testing::testData("models/hf/Kimi-K2.5.json")))
        << panel.errorText().toStdString();
    ASSERT_NE(panel.prepared(), nullptr);
}

}  // namespace
}  // namespace rooflens::ui
