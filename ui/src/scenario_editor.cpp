#include "ui/scenario_editor.h"

#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScrollArea>
#include <QSpinBox>
#include <QTabWidget>
#include <QVBoxLayout>

#include <nlohmann/json.hpp>

#include "core/json_io.h"
#include "format.h"
#include "scenario_widgets.h"
#include "ui/workload_family.h"

namespace rooflens::ui {

namespace {

QWidget* scrolled(QWidget* content, QWidget* parent) {
    auto* area = new QScrollArea(parent);
    area->setWidget(content);
    area->setWidgetResizable(true);
    area->setFrameShape(QFrame::NoFrame);
    return area;
}

}  // namespace

ScenarioEditor::ScenarioEditor(const ScenarioItem& item, const WorkloadFamily* family,
                               QWidget* parent)
    : QDialog(parent), m_item(item), m_family(family) {
    setObjectName(QStringLiteral("scenarioEditor"));
    setWindowTitle(tr("Edit scenario"));
    resize(560, 620);
    auto* layout = new QVBoxLayout(this);
    m_tabs = new QTabWidget(this);
    m_tabs->setObjectName(QStringLiteral("scenarioTabs"));
    layout->addWidget(m_tabs, 1);
    m_tabs->addTab(scrolled(createGeneralTab(), this), tr("General"));
    m_tabs->addTab(scrolled(createFormatsTab(), this), tr("Formats"));
    m_tabs->addTab(scrolled(createKvTab(), this), tr("KV cache"));
    m_tabs->addTab(scrolled(createSparsityTab(), this), tr("Sparsity && low rank"));
    m_tabs->addTab(createOverridesTab(), tr("Per-layer overrides"));
    m_json = new QPlainTextEdit(this);
    m_json->setObjectName(QStringLiteral("scenarioJson"));
    m_json->setFont(QFont(QStringLiteral("monospace")));
    m_tabs->addTab(m_json, tr("JSON"));

    m_error = new QLabel(this);
    m_error->setObjectName(QStringLiteral("scenarioEditorError"));
    m_error->setWordWrap(true);
    m_error->setStyleSheet(QStringLiteral("color: #c0392b;"));
    m_error->hide();
    layout->addWidget(m_error);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    layout->addWidget(buttons);
    connect(buttons, &QDialogButtonBox::accepted, this, &ScenarioEditor::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &ScenarioEditor::reject);
    connect(m_json, &QPlainTextEdit::textChanged, this, [this] { m_jsonEdited = true; });
    connect(m_tabs, &QTabWidget::currentChanged, this, &ScenarioEditor::syncJson);

    load(m_item.scenario);
    m_tokenSchedule->setText(qs(m_item.tokenSchedule));
}

QWidget* ScenarioEditor::createGeneralTab() {
    auto* general = new QWidget;
    auto* gf = new QFormLayout(general);
    m_name = new QLineEdit(general);
    m_name->setObjectName(QStringLiteral("scenarioName"));
    m_description = new QLineEdit(general);
    m_citation = new QLineEdit(general);
    gf->addRow(tr("&Name"), m_name);
    gf->addRow(tr("&Description"), m_description);
    gf->addRow(tr("&Citation"), m_citation);
    m_dropBlocks = new QSpinBox(general);
    m_dropBlocks->setObjectName(QStringLiteral("dropBlocks"));
    m_dropBlocks->setRange(0, 10000);
    m_dropBlocks->setToolTip(tr("Layer pruning: the last N blocks are removed"));
    gf->addRow(tr("Drop last blocks"), m_dropBlocks);
    m_dropFraction = new QDoubleSpinBox(general);
    m_dropFraction->setObjectName(QStringLiteral("dropFraction"));
    m_dropFraction->setRange(0, 0.99);
    m_dropFraction->setDecimals(3);
    m_dropFraction->setSingleStep(0.05);
    m_dropFraction->setSpecialValueText(tr("off"));
    m_dropFraction->setToolTip(
        tr("Layer pruning as a fraction of the blocks, rounded to whole "
           "blocks (instead of a count)"));
    gf->addRow(tr("or drop a fraction"), m_dropFraction);
    m_exitDepth = new QDoubleSpinBox(general);
    m_exitDepth->setRange(0, 10000);
    m_exitDepth->setSpecialValueText(tr("off"));
    m_exitDepth->setToolTip(tr("Early exit: expected exit depth in blocks"));
    gf->addRow(tr("Early-exit depth"), m_exitDepth);
    m_exitEvery = new QSpinBox(general);
    m_exitEvery->setRange(1, 10000);
    gf->addRow(tr("Exit head every N blocks"), m_exitEvery);
    m_tokenSchedule = new QLineEdit(general);
    m_tokenSchedule->setObjectName(QStringLiteral("tokenSchedule"));
    m_tokenSchedule->setPlaceholderText(QStringLiteral("tome 16 · dynamicvit 0.7 at 3,6,9"));
    m_tokenSchedule->setToolTip(
        tr("ViT token reduction: 'tome R[,R...]', 'dynamicvit RHO [at B1,B2,...]', "
           "'schedule T1,T2,...' (tokens per block), 'diffrate PRUNE MERGE' or "
           "'zerotprune keep=RHO at B1,B2,... iters=K'; Vision Mamba: "
           "'rmeeto r=R every=K [prune]'"));
    gf->addRow(tr("&Token schedule (ViT)"), m_tokenSchedule);
    return general;
}

QWidget* ScenarioEditor::createFormatsTab() {
    auto* formats = new QWidget;
    auto* ff = new QVBoxLayout(formats);
    m_weights = new FormatEditor(QStringLiteral("weightsFormat"));
    m_weightsOn = new OptionalGroup(tr("Quantize &weights (linear layers)"), m_weights,
                                    QStringLiteral("weightsOn"), formats);
    m_activations = new FormatEditor(QStringLiteral("activationsFormat"));
    m_activationsOn = new OptionalGroup(tr("Quantize &activations (GEMM inputs)"), m_activations,
                                        QStringLiteral("activationsOn"), formats);
    ff->addWidget(m_weightsOn);
    ff->addWidget(m_activationsOn);
    ff->addStretch(1);
    return formats;
}

QWidget* ScenarioEditor::createKvTab() {
    auto* kv = new QWidget;
    auto* kvContent = new QWidget;
    auto* kf = new QFormLayout(kvContent);
    kf->setContentsMargins(0, 0, 0, 0);
    m_kvFormat = new FormatEditor(QStringLiteral("kvFormat"), kvContent);
    kf->addRow(m_kvFormat);
    m_kvWindow = new QSpinBox(kvContent);
    m_kvWindow->setRange(0, 1 << 24);
    m_kvWindow->setToolTip(tr("Most recent tokens kept in the float type (KIVI)"));
    kf->addRow(tr("Full-precision window"), m_kvWindow);
    m_kvKept = new QDoubleSpinBox(kvContent);
    m_kvKept->setObjectName(QStringLiteral("kvKept"));
    m_kvKept->setRange(0.001, 1);
    m_kvKept->setDecimals(3);
    m_kvKept->setSingleStep(0.05);
    m_kvKept->setToolTip(tr("Fraction of older tokens kept (eviction: H2O, StreamingLLM)"));
    kf->addRow(tr("Kept ratio"), m_kvKept);
    auto* kl = new QVBoxLayout(kv);
    m_kvOn = new OptionalGroup(tr("Compress the &KV cache"), kvContent, QStringLiteral("kvOn"), kv);
    kl->addWidget(m_kvOn);
    kl->addStretch(1);
    return kv;
}

QWidget* ScenarioEditor::createSparsityTab() {
    auto* sparse = new QWidget;
    auto* sl = new QVBoxLayout(sparse);
    m_sparsity = new SparsityEditor(QStringLiteral("sparsity"), sparse);
    sl->addWidget(m_sparsity);
    m_lowRank = new LowRankEditor(QStringLiteral("lowRank"));
    m_lowRankOn = new OptionalGroup(tr("&Low-rank factorization of linear layers"), m_lowRank,
                                    QStringLiteral("lowRankOn"), sparse);
    sl->addWidget(m_lowRankOn);
    sl->addStretch(1);
    return sparse;
}

// The list of overrides beside the editor of the selected one.
QWidget* ScenarioEditor::createOverridesTab() {
    auto* overrides = new QWidget;
    auto* ol = new QHBoxLayout(overrides);
    auto* listSide = new QVBoxLayout;
    m_overrideList = new QListWidget(overrides);
    m_overrideList->setObjectName(QStringLiteral("overrideList"));
    listSide->addWidget(m_overrideList, 1);
    auto* addOverride = new QPushButton(tr("Add"), overrides);
    addOverride->setObjectName(QStringLiteral("addOverrideButton"));
    auto* removeOverride = new QPushButton(tr("Remove"), overrides);
    auto* listButtons = new QHBoxLayout;
    listButtons->addWidget(addOverride);
    listButtons->addWidget(removeOverride);
    listSide->addLayout(listButtons);
    ol->addLayout(listSide, 1);
    ol->addWidget(scrolled(createOverrideEditor(), overrides), 2);

    connect(m_overrideList, &QListWidget::currentRowChanged, this, [this](int row) {
        storeOverride(m_overrideRow);
        loadOverride(row);
    });
    connect(m_overridePattern, &QLineEdit::textEdited, this, [this](const QString& text) {
        if (auto* item = m_overrideList->item(m_overrideRow)) {
            item->setText(text);
        }
    });
    connect(addOverride, &QPushButton::clicked, this, [this] {
        storeOverride(m_overrideRow);
        core::LayerOverride o;
        o.pattern = "blocks.*.mlp.*";
        m_overrides.push_back(o);
        m_overrideList->addItem(qs(o.pattern));
        m_overrideList->setCurrentRow(m_overrideList->count() - 1);
    });
    connect(removeOverride, &QPushButton::clicked, this, [this] {
        const int row = m_overrideList->currentRow();
        if (row < 0) {
            return;
        }
        m_overrideRow = -1;
        m_overrides.erase(m_overrides.begin() + row);
        delete m_overrideList->takeItem(row);
        loadOverride(m_overrideList->currentRow());
    });
    return overrides;
}

QWidget* ScenarioEditor::createOverrideEditor() {
    m_overrideEditor = new QWidget;
    auto* oe = new QVBoxLayout(m_overrideEditor);
    auto* patternRow = new QFormLayout;
    m_overridePattern = new QLineEdit(m_overrideEditor);
    m_overridePattern->setObjectName(QStringLiteral("overridePattern"));
    m_overridePattern->setToolTip(
        tr("Layer names to match: '*' any run, '?' one character, "
           "e.g. 'blocks.*.mlp.*' or 'lm_head'"));
    patternRow->addRow(tr("Pattern"), m_overridePattern);
    oe->addLayout(patternRow);
    m_overrideWeights = new FormatEditor(QStringLiteral("overrideWeights"));
    m_overrideWeightsOn = new OptionalGroup(tr("Weights"), m_overrideWeights,
                                            QStringLiteral("overrideWeightsOn"), m_overrideEditor);
    m_overrideActivations = new FormatEditor(QStringLiteral("overrideActivations"));
    m_overrideActivationsOn =
        new OptionalGroup(tr("Activations"), m_overrideActivations,
                          QStringLiteral("overrideActivationsOn"), m_overrideEditor);
    m_overrideSparsity = new SparsityEditor(QStringLiteral("overrideSparsity"));
    m_overrideSparsityOn = new OptionalGroup(
        tr("Sparsity"), m_overrideSparsity, QStringLiteral("overrideSparsityOn"), m_overrideEditor);
    m_overrideLowRank = new LowRankEditor(QStringLiteral("overrideLowRank"));
    m_overrideLowRankOn = new OptionalGroup(tr("Low rank"), m_overrideLowRank,
                                            QStringLiteral("overrideLowRankOn"), m_overrideEditor);
    for (auto* w : {m_overrideWeightsOn, m_overrideActivationsOn, m_overrideSparsityOn,
                    m_overrideLowRankOn}) {
        oe->addWidget(w);
    }
    oe->addStretch(1);
    return m_overrideEditor;
}

void ScenarioEditor::load(const core::Scenario& s) {
    m_name->setText(qs(s.name));
    m_description->setText(qs(s.description));
    m_citation->setText(qs(s.citation));
    m_weightsOn->setOn(s.weights.has_value());
    m_weights->setFormat(
        s.weights.value_or(makeFormat(core::DataType::int4, 128, core::DataType::fp16)));
    m_activationsOn->setOn(s.activations.has_value());
    m_activations->setFormat(s.activations.value_or(makeFormat(core::DataType::int8)));
    m_kvOn->setOn(s.kvCache.has_value());
    const core::KvCompression kv = s.kvCache.value_or(
        core::KvCompression{makeFormat(core::DataType::int8), 0, 1.0, std::nullopt});
    m_kvFormat->setFormat(kv.format);
    m_kvWindow->setValue(static_cast<int>(kv.fullPrecisionWindow));
    m_kvKept->setValue(kv.keptRatio);
    m_sparsity->setSparsity(s.sparsity);
    m_lowRankOn->setOn(s.lowRank.has_value());
    m_lowRank->setLowRank(s.lowRank.value_or(core::LowRank{0.5, 0, false}));
    m_dropBlocks->setValue(static_cast<int>(s.depth.dropBlocks));
    m_dropFraction->setValue(s.depth.dropFraction);
    m_exitDepth->setValue(s.depth.exitDepth);
    m_exitEvery->setValue(static_cast<int>(std::max<std::int64_t>(1, s.depth.exitCheckEvery)));
    m_overrides = s.overrides;
    m_shown = s;
    m_overrideRow = -1;
    m_overrideList->clear();
    for (const auto& o : m_overrides) {
        m_overrideList->addItem(qs(o.pattern));
    }
    m_overrideList->setCurrentRow(m_overrides.empty() ? -1 : 0);
    loadOverride(m_overrideList->currentRow());
}

void ScenarioEditor::loadOverride(int row) {
    m_overrideRow = row;
    const bool valid = row >= 0 && row < static_cast<int>(m_overrides.size());
    m_overrideEditor->setEnabled(valid);
    const core::LayerOverride o =
        valid ? m_overrides[static_cast<std::size_t>(row)] : core::LayerOverride{};
    m_overridePattern->setText(qs(o.pattern));
    m_overrideWeightsOn->setOn(o.weights.has_value());
    m_overrideWeights->setFormat(o.weights.value_or(makeFormat(core::DataType::int8)));
    m_overrideActivationsOn->setOn(o.activations.has_value());
    m_overrideActivations->setFormat(o.activations.value_or(core::TensorFormat{}));
    m_overrideSparsityOn->setOn(o.sparsity.has_value());
    m_overrideSparsity->setSparsity(o.sparsity.value_or(core::Sparsity{}));
    m_overrideLowRankOn->setOn(o.lowRank.has_value());
    m_overrideLowRank->setLowRank(o.lowRank.value_or(core::LowRank{0.5, 0, false}));
}

void ScenarioEditor::storeOverride(int row) {
    if (row < 0 || row >= static_cast<int>(m_overrides.size())) {
        return;
    }
    core::LayerOverride& o = m_overrides[static_cast<std::size_t>(row)];
    o.pattern = toStd(m_overridePattern->text().trimmed());
    o.weights =
        m_overrideWeightsOn->isOn() ? std::optional(m_overrideWeights->format()) : std::nullopt;
    o.activations = m_overrideActivationsOn->isOn() ? std::optional(m_overrideActivations->format())
                                                    : std::nullopt;
    o.sparsity =
        m_overrideSparsityOn->isOn() ? std::optional(m_overrideSparsity->sparsity()) : std::nullopt;
    o.lowRank =
        m_overrideLowRankOn->isOn() ? std::optional(m_overrideLowRank->lowRank()) : std::nullopt;
}

namespace {

// The format fields the format widget has no control for (RPTQ clusters, OliVe encoding) are
// kept from the scenario on display, so editing a preset never drops them.
core::TensorFormat keepHidden(core::TensorFormat f,
                              const std::optional<core::TensorFormat>& shown) {
    if (shown) {
        f.clusters = shown->clusters;
        f.olive = shown->olive;
        f.decodeOps = shown->decodeOps;
    }
    return f;
}

}  // namespace

core::Scenario ScenarioEditor::fromWidgets() const {
    core::Scenario s;
    s.name = toStd(m_name->text().trimmed());
    s.description = toStd(m_description->text());
    s.citation = toStd(m_citation->text());
    if (m_weightsOn->isOn()) {
        s.weights = keepHidden(m_weights->format(), m_shown.weights);
    }
    if (m_activationsOn->isOn()) {
        s.activations = keepHidden(m_activations->format(), m_shown.activations);
    }
    if (m_kvOn->isOn()) {
        s.kvCache = core::KvCompression{
            keepHidden(m_kvFormat->format(),
                       m_shown.kvCache ? std::optional(m_shown.kvCache->format) : std::nullopt),
            m_kvWindow->value(), m_kvKept->value(),
            m_shown.kvCache ? m_shown.kvCache->residual : std::nullopt};
    }
    s.sparsity = m_sparsity->sparsity();
    if (m_lowRankOn->isOn()) {
        s.lowRank = m_lowRank->lowRank();
    }
    s.depth.dropBlocks = m_dropBlocks->value();
    s.depth.dropFraction = m_dropFraction->value();
    s.depth.exitDepth = m_exitDepth->value();
    s.depth.exitCheckEvery = m_exitEvery->value();
    s.overrides = m_overrides;
    s.compensation = m_shown.compensation;
    s.sparseAttention = m_shown.sparseAttention;
    s.expertMerging = m_shown.expertMerging;
    s.attention = m_shown.attention;
    s.rotation = m_shown.rotation;
    s.tokenReduction = m_shown.tokenReduction;  // edited in the JSON tab
    return s;
}

void ScenarioEditor::syncJson(int tab) {
    const int jsonTab = m_tabs->indexOf(m_json);
    if (tab == jsonTab) {
        storeOverride(m_overrideRow);
        m_json->setPlainText(qs(core::serializeScenario(fromWidgets())));
        m_jsonEdited = false;
    } else if (m_previousTab == jsonTab && m_jsonEdited) {
        auto parsed = core::parseJsonText(toStd(m_json->toPlainText()), "scenario JSON");
        auto scenario = parsed ? core::parseScenario(parsed.value(), "scenario JSON")
                               : core::Result<core::Scenario>(parsed.error());
        if (scenario) {
            load(scenario.value());
            showError({});
        } else {
            showError(qs(scenario.error().message));
        }
    }
    m_previousTab = tab;
}

bool ScenarioEditor::collect() {
    storeOverride(m_overrideRow);
    core::Scenario s;
    if (m_tabs->currentWidget() == m_json && m_jsonEdited) {
        auto parsed = core::parseJsonText(toStd(m_json->toPlainText()), "scenario JSON");
        if (!parsed) {
            showError(qs(parsed.error().message));
            return false;
        }
        auto scenario = core::parseScenario(parsed.value(), "scenario JSON");
        if (!scenario) {
            showError(qs(scenario.error().message));
            return false;
        }
        s = std::move(scenario).value();
    } else {
        s = fromWidgets();
    }
    if (s.name.empty()) {
        showError(tr("The scenario needs a name."));
        return false;
    }
    // The engine's own reader validates every value and names the field at fault.
    auto roundTrip = core::parseJsonText(core::serializeScenario(s), "scenario");
    auto valid = roundTrip ? core::parseScenario(roundTrip.value(), "scenario " + s.name)
                           : core::Result<core::Scenario>(roundTrip.error());
    if (!valid) {
        showError(qs(valid.error().message));
        return false;
    }
    const std::string schedule = toStd(m_tokenSchedule->text().trimmed());
    if (!schedule.empty()) {
        auto options = m_family != nullptr
                           ? m_family->parseOptions(schedule)
                           : core::Result<FamilyOptions>(core::makeError("no model family"));
        if (!options) {
            showError(qs(options.error().message));
            return false;
        }
    }
    m_item.scenario = std::move(valid).value();
    m_item.tokenSchedule = schedule;
    showError({});
    return true;
}

QString ScenarioEditor::errorText() const {
    return m_error->isHidden() ? QString() : m_error->text();
}

void ScenarioEditor::showError(const QString& text) {
    m_error->setText(text);
    m_error->setVisible(!text.isEmpty());
}

void ScenarioEditor::accept() {
    if (collect()) {
        QDialog::accept();
    }
}

}  // namespace rooflens::ui
