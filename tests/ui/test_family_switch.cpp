// Family switches keep every control (issue 9, item 7). Through every order of LLM, ViT and GNN
// and back, after each switch every control of the shown family (for the current phase) is
// visible and enabled and re-analyses with a changed result when changed; the controls of the
// other families are hidden; returning to a family restores its model and phase.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <functional>
#include <map>
#include <ostream>
#include <set>
#include <tuple>

#include <QCheckBox>
#include <QComboBox>
#include <QCoreApplication>
#include <QLabel>
#include <QSpinBox>
#include <QToolButton>

#include "ui/workload_panel.h"
#include "ui_test_support.h"

namespace rooflens::ui {
namespace {

// Every control of the workload panel that belongs to one family or phase, by objectName.
const std::array<const char*, 16> kAllControls = {
    "phaseCombo",   "batchSpin",     "promptSpin",     "contextSpin",       "generateSpin",
    "flashCheck",   "imageSizeSpin", "graphCombo",     "importGraphButton", "param_layers",
    "param_hidden", "param_heads",   "param_features", "param_classes",     "param_block_circulant",
    "batchSlider"};

// The controls the family shows in `phase` (the model row is always there).
std::set<std::string> expectedControls(const std::string& family, core::Phase phase) {
    if (family == "llm") {
        std::set<std::string> c{"phaseCombo", "batchSpin", "batchSlider", "flashCheck"};
        if (phase != core::Phase::decode) {
            c.insert("promptSpin");
        }
        if (phase == core::Phase::decode) {
            c.insert("contextSpin");
        }
        if (phase == core::Phase::request) {
            c.insert("generateSpin");
        }
        return c;
    }
    if (family == "vit") {
        return {"batchSpin", "batchSlider", "imageSizeSpin", "flashCheck"};
    }
    return {"graphCombo",  "importGraphButton", "param_layers",  "param_hidden",
            "param_heads", "param_features",    "param_classes", "param_block_circulant"};
}

// One order of first visits, e.g. LLM, ViT, GNN.
struct Order {
    std::array<const char*, 3> families;
};

void PrintTo(const Order& order, std::ostream* out) {
    *out << order.families[0] << "-" << order.families[1] << "-" << order.families[2];
}

// What an analysis produced, enough to tell two results apart.
using Fingerprint = std::tuple<std::string, std::size_t, double, double, double>;

class FamilySwitch : public ::testing::TestWithParam<Order> {
protected:
    void SetUp() override {
        for (const char* id : {"llm", "vit", "gnn"}) {
            if (findFamily(id) == nullptr) {
                GTEST_SKIP() << "built without the " << id << " family";
            }
        }
        window = std::make_unique<MainWindow>();
        window->applySession(defaultSession());
        window->resize(1400, 900);
        window->show();
        ASSERT_TRUE(QTest::qWaitForWindowExposed(window.get()));
        ASSERT_TRUE(waitForIdle());
        panel = window->workloadPanel();
    }
    void TearDown() override { window.reset(); }

    bool waitForIdle() {
        return QTest::qWaitFor(
            [&] {
                return window->runner()->deliveredGeneration() ==
                           window->runner()->requestedGeneration() &&
                       window->result() != nullptr;
            },
            20000);
    }

    template <typename T>
    T* find(const char* name) const {
        return panel->findChild<T*>(QLatin1String(name));
    }

    Fingerprint fingerprint() const {
        const auto& series = window->result()->series;
        if (series.empty() || !series.front().report) {
            return {};
        }
        const core::Report& r = *series.front().report;
        return {r.model.id, r.layers.size(), r.totals.ops, r.totals.bytes, r.totals.timeSeconds};
    }

    // Applies `change` and expects a new analysis with a different result.
    void expectDrives(const char* control, const std::function<void()>& change) {
        SCOPED_TRACE(control);
        const Fingerprint before = fingerprint();
        const std::uint64_t requested = window->runner()->requestedGeneration();
        change();
        ASSERT_GT(window->runner()->requestedGeneration(), requested)
            << control << " did not start an analysis: " << panel->errorText().toStdString();
        ASSERT_TRUE(waitForIdle());
        ASSERT_TRUE(window->result()->errors.empty()) << window->result()->errors.front();
        EXPECT_NE(fingerprint(), before) << control << " did not change the analysed result";
    }

    void switchTo(const std::string& family) {
        auto* combo = find<QComboBox>("familyCombo");
        const int index = combo->findData(QString::fromStdString(family));
        ASSERT_GE(index, 0);
        if (combo->currentIndex() != index) {
            const std::uint64_t requested = window->runner()->requestedGeneration();
            combo->setCurrentIndex(index);
            EXPECT_GT(window->runner()->requestedGeneration(), requested);
        }
        ASSERT_TRUE(waitForIdle());
        ASSERT_EQ(panel->choice().family, family);
        ASSERT_NE(panel->prepared(), nullptr) << panel->errorText().toStdString();
        ASSERT_EQ(core::nameOf(window->result()->series.front().report->model.family), family);
    }

    // Shown and enabled: the family's controls for the current phase; hidden: every other
    // family's control; a row's label is shown exactly when its field is.
    void expectControls() {
        const std::string family = panel->choice().family;
        const auto expected = expectedControls(family, panel->settings().phase);
        for (const char* name : {"modelCombo", "importConfigButton"}) {
            QWidget* w = find<QWidget>(name);
            ASSERT_NE(w, nullptr) << name;
            EXPECT_TRUE(w->isVisible() && w->isEnabled()) << family << ": " << name;
        }
        for (const char* name : kAllControls) {
            QWidget* w = find<QWidget>(name);
            const bool shown = w != nullptr && w->isVisible();
            if (expected.count(name) == 0) {
                EXPECT_FALSE(shown) << family << ": " << name << " of another family is shown";
                continue;
            }
            ASSERT_NE(w, nullptr) << family << ": " << name << " missing";
            EXPECT_TRUE(shown) << family << ": " << name << " is hidden";
            EXPECT_TRUE(w->isEnabled()) << family << ": " << name << " is disabled";
        }
        for (QLabel* label : panel->findChildren<QLabel*>()) {
            if (label->buddy() != nullptr) {
                EXPECT_EQ(label->isVisible(), label->buddy()->isVisible())
                    << family << ": label " << label->text().toStdString();
            }
        }
        QCoreApplication::sendPostedEvents(nullptr, QEvent::LayoutRequest);
        expectLaidOut(panel);
    }

    // Every shown row of `container` has at least its minimum height and no two rows overlap:
    // a row can be "visible" and still be laid out with no height (the Qt 6.4 form layout did
    // that to rows shown again after a family switch).
    void expectLaidOut(QWidget* container) {
        ASSERT_NE(container, nullptr);
        std::vector<QWidget*> rows;
        for (QWidget* child : container->findChildren<QWidget*>(Qt::FindDirectChildrenOnly)) {
            if (child->isVisible()) {
                rows.push_back(child);
            }
        }
        const auto nameOf = [](const QWidget* w) {
            return w->objectName().isEmpty() ? std::string(w->metaObject()->className())
                                             : w->objectName().toStdString();
        };
        for (std::size_t i = 0; i < rows.size(); ++i) {
            EXPECT_GE(rows[i]->height(), rows[i]->minimumSizeHint().height())
                << nameOf(rows[i]) << " is squeezed to " << rows[i]->height() << " px";
            EXPECT_TRUE(container->rect().contains(rows[i]->geometry()))
                << nameOf(rows[i]) << " lies outside " << nameOf(container);
            for (std::size_t k = i + 1; k < rows.size(); ++k) {
                EXPECT_FALSE(rows[i]->geometry().intersects(rows[k]->geometry()))
                    << nameOf(rows[i]) << " overlaps " << nameOf(rows[k]);
            }
        }
    }

    void bumpSpin(const char* name, const std::function<int(int)>& next) {
        auto* spin = find<QSpinBox>(name);
        ASSERT_NE(spin, nullptr) << name;
        expectDrives(name, [&] { spin->setValue(next(spin->value())); });
    }

    void toggleFlash() {
        auto* flash = find<QCheckBox>("flashCheck");
        expectDrives("flashCheck", [&] { flash->click(); });
    }

    void nextModel() {
        auto* model = find<QComboBox>("modelCombo");
        expectDrives("modelCombo",
                     [&] { model->setCurrentIndex((model->currentIndex() + 1) % model->count()); });
    }

    void setPhase(core::Phase phase) {
        auto* combo = find<QComboBox>("phaseCombo");
        const int index = combo->findData(static_cast<int>(phase));
        ASSERT_GE(index, 0);
        if (combo->currentIndex() != index) {
            expectDrives("phaseCombo", [&] { combo->setCurrentIndex(index); });
        }
        expectControls();
    }

    // Drives every control of the LLM family through its three phases and leaves it in `last`.
    void exerciseLlm(core::Phase last) {
        nextModel();
        setPhase(core::Phase::prefill);
        bumpSpin("batchSpin", [](int v) { return v + 1; });
        bumpSpin("promptSpin", [](int v) { return v + 64; });
        toggleFlash();
        setPhase(core::Phase::decode);
        bumpSpin("contextSpin", [](int v) { return v + 64; });
        setPhase(core::Phase::request);
        bumpSpin("generateSpin", [](int v) { return v + 16; });
        setPhase(last);
    }

    void exerciseVit() {
        nextModel();
        bumpSpin("batchSpin", [](int v) { return v + 1; });
        bumpSpin("imageSizeSpin", [](int v) { return v == 224 ? 448 : 224; });
        toggleFlash();
    }

    void exerciseGnn() {
        auto* graph = find<QComboBox>("graphCombo");
        expectDrives("graphCombo",
                     [&] { graph->setCurrentIndex((graph->currentIndex() + 1) % graph->count()); });
        bumpSpin("param_layers", [](int v) { return v == 2 ? 3 : 2; });
        bumpSpin("param_hidden", [](int v) { return v * 2; });
        bumpSpin("param_features", [](int v) { return v == 0 ? 96 : v + 1; });
        bumpSpin("param_classes", [](int v) { return v == 0 ? 9 : v + 1; });
        bumpSpin("param_block_circulant", [](int v) { return v == 0 ? 4 : 0; });
        // GAT heads only count for GAT: choose another model, then GAT.
        nextModel();
        auto* model = find<QComboBox>("modelCombo");
        const int gat = model->findData(QStringLiteral("gat"));
        ASSERT_GE(gat, 0);
        if (model->currentIndex() != gat) {
            expectDrives("modelCombo (gat)", [&] { model->setCurrentIndex(gat); });
        }
        bumpSpin("param_heads", [](int v) { return v > 1 ? v / 2 : 2; });
    }

    std::unique_ptr<MainWindow> window;
    WorkloadPanel* panel = nullptr;
};

TEST_P(FamilySwitch, EveryControlStaysAndDrivesTheAnalysis) {
    const auto& order = GetParam().families;
    // Through all three, then back through each: A B C A C B.
    const std::array<const char*, 6> visits = {order[0], order[1], order[2],
                                               order[0], order[2], order[1]};
    // What each family showed when it was left.
    std::map<std::string, std::pair<std::string, core::Phase>> left;
    const std::array<core::Phase, 3> lastPhase = {core::Phase::decode, core::Phase::request,
                                                  core::Phase::prefill};
    for (std::size_t i = 0; i < visits.size(); ++i) {
        const std::string family = visits[i];
        SCOPED_TRACE("visit " + std::to_string(i) + ": " + family);
        switchTo(family);
        if (HasFatalFailure()) {
            return;
        }
        if (auto it = left.find(family); it != left.end()) {
            EXPECT_EQ(panel->choice().model, it->second.first) << "model not restored";
            EXPECT_EQ(panel->settings().phase, it->second.second) << "phase not restored";
        }
        expectControls();
        if (family == "llm") {
            exerciseLlm(lastPhase[i % lastPhase.size()]);
        } else if (family == "vit") {
            exerciseVit();
        } else {
            exerciseGnn();
        }
        if (HasFatalFailure()) {
            return;
        }
        expectControls();
        left[family] = {panel->choice().model, panel->settings().phase};
    }
}

INSTANTIATE_TEST_SUITE_P(
    AllOrders, FamilySwitch,
    ::testing::Values(Order{{"llm", "vit", "gnn"}}, Order{{"llm", "gnn", "vit"}},
                      Order{{"vit", "llm", "gnn"}}, Order{{"vit", "gnn", "llm"}},
                      Order{{"gnn", "llm", "vit"}}, Order{{"gnn", "vit", "llm"}}));

// Each family keeps its own inputs: the batch 1448 of a ViT does not follow the user to the LLM.
TEST(FamilyState, SwitchingBackRestoresTheFamilysInputs) {
    if (findFamily("vit") == nullptr || findFamily("gnn") == nullptr) {
        GTEST_SKIP() << "built without the ViT or GNN family";
    }
    WorkloadPanel panel;
    auto* family = panel.findChild<QComboBox*>(QStringLiteral("familyCombo"));
    auto* model = panel.findChild<QComboBox*>(QStringLiteral("modelCombo"));
    auto* phase = panel.findChild<QComboBox*>(QStringLiteral("phaseCombo"));
    auto* batch = panel.findChild<QSpinBox*>(QStringLiteral("batchSpin"));
    const auto select = [](QComboBox* combo, const char* data) {
        const int index = combo->findData(QLatin1String(data));
        ASSERT_GE(index, 0) << data;
        combo->setCurrentIndex(index);
    };
    select(model, "llama-2-13b");
    phase->setCurrentIndex(phase->findData(static_cast<int>(core::Phase::decode)));
    batch->setValue(16);
    panel.findChild<QSpinBox*>(QStringLiteral("contextSpin"))->setValue(4096);

    select(family, "vit");
    EXPECT_EQ(panel.choice().model, "vit-base-16");  // first visit: the family's default
    EXPECT_EQ(batch->value(), 16);                   // and the inputs it shares
    select(model, "deit-small");
    batch->setValue(1448);
    panel.findChild<QSpinBox*>(QStringLiteral("imageSizeSpin"))->setValue(384);

    select(family, "gnn");
    select(model, "gat");
    panel.findChild<QSpinBox*>(QStringLiteral("param_hidden"))->setValue(64);

    select(family, "llm");
    EXPECT_EQ(panel.choice().model, "llama-2-13b");
    EXPECT_EQ(panel.settings().phase, core::Phase::decode);
    EXPECT_EQ(panel.settings().batch, 16);
    EXPECT_EQ(panel.settings().contextLength, 4096);
    ASSERT_NE(panel.prepared(), nullptr);
    EXPECT_EQ(panel.prepared()->id, "llama-2-13b");

    select(family, "vit");
    EXPECT_EQ(panel.choice().model, "deit-small");
    EXPECT_EQ(panel.settings().batch, 1448);
    EXPECT_EQ(panel.choice().imageSize, 384);

    select(family, "gnn");
    EXPECT_EQ(panel.choice().model, "gat");
    EXPECT_EQ(panel.choice().parameters.at("hidden"), 64);
    ASSERT_NE(panel.prepared(), nullptr) << panel.errorText().toStdString();
    EXPECT_EQ(panel.prepared()->id.rfind("gat-", 0), 0u) << panel.prepared()->id;

    // A session of another family (File > Open) leaves the shown family's inputs remembered.
    WorkloadChoice vit;
    vit.family = "vit";
    vit.model = "deit-tiny";
    core::RunSettings settings;
    settings.batch = 3;
    panel.setWorkload(vit, settings);
    EXPECT_EQ(panel.choice().model, "deit-tiny");
    select(family, "gnn");
    EXPECT_EQ(panel.choice().model, "gat");
    EXPECT_EQ(panel.choice().parameters.at("hidden"), 64);
    select(family, "vit");
    EXPECT_EQ(panel.choice().model, "deit-tiny");
    EXPECT_EQ(panel.settings().batch, 3);
}

}  // namespace
}  // namespace rooflens::ui
