#include "ui/workload_panel.h"

#include "ui/file_dialogs.h"

#include <cmath>
#include <filesystem>

#include <QCheckBox>
#include <QComboBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QProgressBar>
#include <QSlider>
#include <QSpinBox>
#include <QToolButton>
#include <QVBoxLayout>

#include "format.h"
#include "models/onnx.h"

namespace rooflens::ui {

// A spin box with a slider on a log2 scale (1, 2, 4, ...): drag for coarse steps, type for any
// value. objectNames "<name>Spin" and "<name>Slider".
class SliderSpin : public QWidget {
    Q_OBJECT
public:
    SliderSpin(const QString& name, int minimum, int maximum, QWidget* parent) : QWidget(parent) {
        auto* layout = new QHBoxLayout(this);
        layout->setContentsMargins(0, 0, 0, 0);
        m_slider = new QSlider(Qt::Horizontal, this);
        m_slider->setObjectName(name + QStringLiteral("Slider"));
        m_slider->setRange(toSlider(minimum), toSlider(maximum));
        m_spin = new QSpinBox(this);
        m_spin->setObjectName(name + QStringLiteral("Spin"));
        m_spin->setRange(minimum, maximum);
        m_spin->setAccelerated(true);
        m_spin->setMinimumWidth(m_spin->fontMetrics().horizontalAdvance(QStringLiteral("0000000")) +
                                24);
        layout->addWidget(m_slider, 1);
        layout->addWidget(m_spin);
        connect(m_slider, &QSlider::valueChanged, this, [this](int v) {
            if (!m_sync) {
                m_sync = true;
                m_spin->setValue(fromSlider(v));
                m_sync = false;
            }
        });
        connect(m_spin, &QSpinBox::valueChanged, this, [this](int v) {
            if (!m_sync) {
                m_sync = true;
                m_slider->setValue(toSlider(v));
                m_sync = false;
            }
            Q_EMIT valueChanged(v);
        });
    }
    int value() const { return m_spin->value(); }
    void setValue(int v) { m_spin->setValue(v); }
    QSpinBox* spin() const { return m_spin; }

Q_SIGNALS:
    void valueChanged(int value);

private:
    // Four slider steps per doubling.
    static int toSlider(int v) {
        return static_cast<int>(std::lround(4 * std::log2(std::max(1, v))));
    }
    static int fromSlider(int s) { return static_cast<int>(std::lround(std::exp2(s / 4.0))); }

    QSlider* m_slider = nullptr;
    QSpinBox* m_spin = nullptr;
    bool m_sync = false;
};

namespace {

QString phaseLabel(core::Phase phase) {
    switch (phase) {
        case core::Phase::prefill:
            return QObject::tr("Prefill");
        case core::Phase::decode:
            return QObject::tr("Decode step");
        case core::Phase::request:
            return QObject::tr("Whole request");
    }
    return {};
}

bool isPath(const std::string& text) {
    return text.find('/') != std::string::npos ||
           (text.size() > 5 && text.compare(text.size() - 5, 5, ".json") == 0) ||
           models::isOnnxPath(text);
}

}  // namespace

WorkloadPanel::WorkloadPanel(QWidget* parent) : QWidget(parent) {
    setObjectName(QStringLiteral("workloadPanel"));
    // The word-wrapped status labels sit below the form, not in it: next to height-for-width
    // rows, a QFormLayout (Qt 6.4) gives rows that are shown again no height, which lost the
    // graph, batch, prompt and fused-attention rows on family switches.
    auto* layout = new QVBoxLayout(this);
    m_form = new QFormLayout;
    m_form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    layout->addLayout(m_form);
    createModelRows();
    createRunRows();
    createStatusRows(layout);
    layout->addStretch(1);

    m_batch->setValue(1);
    m_prompt->setValue(1024);
    m_context->setValue(1024);
    m_generate->setValue(128);
    m_imageSize->setValue(224);
    connectInputs();

    populateFamily();
    m_shownFamily = toStd(m_family->currentData().toString());
    reprepare();
}

void WorkloadPanel::createModelRows() {
    m_family = new QComboBox(this);
    m_family->setObjectName(QStringLiteral("familyCombo"));
    for (const auto& family : workloadFamilies()) {
        m_family->addItem(family->displayName(), qs(family->id()));
    }
    m_form->addRow(tr("&Family"), m_family);

    auto* modelRow = new QWidget(this);
    auto* modelLayout = new QHBoxLayout(modelRow);
    modelLayout->setContentsMargins(0, 0, 0, 0);
    m_model = new QComboBox(modelRow);
    m_model->setObjectName(QStringLiteral("modelCombo"));
    m_model->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_model->setMinimumContentsLength(14);
    m_importConfig = new QToolButton(modelRow);
    m_importConfig->setObjectName(QStringLiteral("importConfigButton"));
    m_importConfig->setText(tr("Import…"));
    m_importConfig->setToolTip(tr("Import a model config (a Hugging Face config.json for LLMs)"));
    modelLayout->addWidget(m_model, 1);
    modelLayout->addWidget(m_importConfig);
    m_form->addRow(tr("&Model"), modelRow);

    m_graphRow = new QWidget(this);
    auto* graphLayout = new QHBoxLayout(m_graphRow);
    graphLayout->setContentsMargins(0, 0, 0, 0);
    m_graph = new QComboBox(m_graphRow);
    m_graph->setObjectName(QStringLiteral("graphCombo"));
    m_importGraph = new QToolButton(m_graphRow);
    m_importGraph->setObjectName(QStringLiteral("importGraphButton"));
    m_importGraph->setText(tr("Import…"));
    m_importGraph->setToolTip(tr("Import an edge list or a Matrix Market (.mtx) graph"));
    graphLayout->addWidget(m_graph, 1);
    graphLayout->addWidget(m_importGraph);
    m_form->addRow(tr("&Graph"), m_graphRow);
    m_graphProgress = new QProgressBar(this);
    m_graphProgress->setObjectName(QStringLiteral("graphProgress"));
    m_graphProgress->setRange(0, 1000);
    m_form->addRow(QString(), m_graphProgress);
    m_form->setRowVisible(m_graphProgress, false);
}

void WorkloadPanel::createRunRows() {
    m_phase = new QComboBox(this);
    m_phase->setObjectName(QStringLiteral("phaseCombo"));
    m_form->addRow(tr("&Phase"), m_phase);
    m_batch = new SliderSpin(QStringLiteral("batch"), 1, 65536, this);
    m_batch->setToolTip(tr("Sequences (or images) per batch"));
    m_form->addRow(tr("&Batch"), m_batch);
    m_prompt = new SliderSpin(QStringLiteral("prompt"), 1, 1 << 20, this);
    m_prompt->setToolTip(tr("Prompt tokens per sequence"));
    m_form->addRow(tr("P&rompt tokens"), m_prompt);
    m_context = new SliderSpin(QStringLiteral("context"), 1, 1 << 20, this);
    m_context->setToolTip(tr("Tokens in the KV cache, the new one included"));
    m_form->addRow(tr("&Context tokens"), m_context);
    m_generate = new SliderSpin(QStringLiteral("generate"), 1, 1 << 16, this);
    m_generate->setToolTip(tr("Generated tokens per sequence"));
    m_form->addRow(tr("&Generated tokens"), m_generate);
    m_imageSize = new SliderSpin(QStringLiteral("imageSize"), 32, 4096, this);
    m_imageSize->setToolTip(tr("Input resolution (square images)"));
    m_form->addRow(tr("&Image size"), m_imageSize);
    m_flash = new QCheckBox(tr("&Fused attention (FlashAttention)"), this);
    m_flash->setObjectName(QStringLiteral("flashCheck"));
    m_flash->setToolTip(
        tr("FlashAttention IO model: attention reads Q, K, V once per query block"));
    m_form->addRow(QString(), m_flash);
}

void WorkloadPanel::createStatusRows(QVBoxLayout* layout) {
    m_summary = new QLabel(this);
    m_summary->setObjectName(QStringLiteral("workloadSummary"));
    m_summary->setWordWrap(true);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_summary);
    m_error = new QLabel(this);
    m_error->setObjectName(QStringLiteral("workloadError"));
    m_error->setWordWrap(true);
    m_error->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_error->setStyleSheet(QStringLiteral("color: #c0392b;"));
    m_error->hide();
    layout->addWidget(m_error);
}

void WorkloadPanel::connectInputs() {
    connect(m_family, &QComboBox::currentIndexChanged, this, [this] {
        if (!m_updating) {
            switchFamily();
        }
    });
    // Inputs the prepared builder depends on re-prepare it; the others only re-analyse.
    const auto reprepareAndEmit = [this] {
        if (!m_updating) {
            reprepare();
            emitChanged();
        }
    };
    connect(m_model, &QComboBox::currentIndexChanged, this, reprepareAndEmit);
    connect(m_graph, &QComboBox::currentIndexChanged, this, reprepareAndEmit);
    connect(m_imageSize, &SliderSpin::valueChanged, this, reprepareAndEmit);
    connect(m_phase, &QComboBox::currentIndexChanged, this, [this] {
        updateVisibility();
        emitChanged();
    });
    for (SliderSpin* s : {m_batch, m_prompt, m_context, m_generate}) {
        connect(s, &SliderSpin::valueChanged, this, &WorkloadPanel::emitChanged);
    }
    connect(m_flash, &QCheckBox::toggled, this, &WorkloadPanel::emitChanged);
    connect(m_importConfig, &QToolButton::clicked, this, &WorkloadPanel::openImportConfigDialog);
    connect(m_importGraph, &QToolButton::clicked, this, &WorkloadPanel::openImportGraphDialog);
}

void WorkloadPanel::rememberShownFamily() {
    if (m_shownFamily.empty()) {
        return;
    }
    FamilyState& left = m_remembered[m_shownFamily];
    left.choice = choice();
    left.choice.family = m_shownFamily;  // the family combo may already show the next one
    left.settings = settings();
}

void WorkloadPanel::switchFamily() {
    // The family combo already shows the new family; every other widget still holds the state
    // of the one being left.
    rememberShownFamily();
    m_shownFamily = toStd(m_family->currentData().toString());
    if (auto it = m_remembered.find(m_shownFamily); it != m_remembered.end()) {
        const FamilyState state = it->second;
        applyState(state.choice, state.settings);
    } else {
        populateFamily();
    }
    reprepare();
    emitChanged();
}

const WorkloadFamily* WorkloadPanel::family() const {
    return findFamily(toStd(m_family->currentData().toString()));
}

void WorkloadPanel::populateFamily() {
    const WorkloadFamily* f = family();
    if (f == nullptr) {
        return;
    }
    const bool was = m_updating;
    m_updating = true;
    m_model->clear();
    for (const auto& id : f->presets()) {
        m_model->addItem(qs(id), qs(id));
    }
    const int preset = m_model->findData(qs(f->defaultPreset()));
    m_model->setCurrentIndex(std::max(0, preset));
    m_graph->clear();
    for (const auto& id : f->graphs()) {
        m_graph->addItem(qs(id), qs(id));
    }
    const QVariant phase = m_phase->currentData();
    m_phase->clear();
    for (auto p : f->phases()) {
        m_phase->addItem(phaseLabel(p), static_cast<int>(p));
    }
    m_phase->setCurrentIndex(std::max(0, m_phase->findData(phase)));
    buildParameters();
    m_updating = was;
    updateVisibility();
}

void WorkloadPanel::buildParameters() {
    // The family's parameter rows are the last rows of the form.
    for (const auto& [key, spin] : m_paramSpins) {
        m_form->removeRow(spin);
    }
    m_paramSpins.clear();
    const WorkloadFamily* f = family();
    if (f == nullptr) {
        return;
    }
    for (const FamilyParameter& p : f->parameters()) {
        auto* spin = new QSpinBox(this);
        spin->setObjectName(QStringLiteral("param_") + qs(p.key));
        spin->setRange(static_cast<int>(p.minimum), static_cast<int>(p.maximum));
        spin->setValue(static_cast<int>(p.defaultValue));
        spin->setToolTip(p.toolTip);
        spin->setSpecialValueText(p.specialValueText);
        spin->setAccelerated(true);
        connect(spin, &QSpinBox::valueChanged, this, [this] {
            if (!m_updating) {
                reprepare();
                emitChanged();
            }
        });
        m_form->addRow(p.label, spin);
        m_paramSpins.emplace_back(p.key, spin);
    }
}

void WorkloadPanel::updateVisibility() {
    const WorkloadFamily* f = family();
    if (f == nullptr) {
        return;
    }
    const auto phase = static_cast<core::Phase>(m_phase->currentData().toInt());
    const bool lengths = f->usesLengths();
    m_form->setRowVisible(m_prompt, lengths && phase != core::Phase::decode);
    m_form->setRowVisible(m_context, lengths && phase == core::Phase::decode);
    m_form->setRowVisible(m_generate, lengths && phase == core::Phase::request);
    m_form->setRowVisible(m_imageSize, f->usesImageSize());
    m_form->setRowVisible(m_graphRow, f->usesGraph());
    m_form->setRowVisible(m_phase, f->phases().size() > 1);
    m_form->setRowVisible(m_batch, f->usesBatch());
    m_form->setRowVisible(m_flash, f->id() != "gnn");
}

WorkloadChoice WorkloadPanel::choice() const {
    WorkloadChoice c;
    c.family = toStd(m_family->currentData().toString());
    c.model = toStd(m_model->currentData().toString());
    c.graph = toStd(m_graph->currentData().toString());
    c.imageSize = m_imageSize->value();
    for (const auto& [key, spin] : m_paramSpins) {
        c.parameters[key] = spin->value();
    }
    return c;
}

core::RunSettings WorkloadPanel::settings() const {
    core::RunSettings s;
    s.phase = m_phase->count() > 0 ? static_cast<core::Phase>(m_phase->currentData().toInt())
                                   : core::Phase::prefill;
    s.batch = m_batch->value();
    s.promptLength = m_prompt->value();
    s.contextLength = m_context->value();
    s.generateLength = m_generate->value();
    s.flashAttention = m_flash->isChecked();
    return s;
}

void WorkloadPanel::setWorkload(const WorkloadChoice& choice, const core::RunSettings& settings) {
    if (choice.family != m_shownFamily) {
        rememberShownFamily();
    }
    applyState(choice, settings);
    m_shownFamily = toStd(m_family->currentData().toString());
    reprepare();
    emitChanged();
}

void WorkloadPanel::applyState(const WorkloadChoice& choice, const core::RunSettings& settings) {
    m_updating = true;
    const int family = m_family->findData(qs(choice.family));
    if (family >= 0) {
        m_family->setCurrentIndex(family);
    }
    populateFamily();
    m_updating = true;
    int model = m_model->findData(qs(choice.model));
    if (model < 0 && !choice.model.empty()) {
        m_model->addItem(QFileInfo(qs(choice.model)).fileName(), qs(choice.model));
        model = m_model->count() - 1;
    }
    m_model->setCurrentIndex(std::max(0, model));
    int graph = m_graph->findData(qs(choice.graph));
    if (graph < 0 && !choice.graph.empty()) {
        m_graph->addItem(QFileInfo(qs(choice.graph)).fileName(), qs(choice.graph));
        graph = m_graph->count() - 1;
    }
    m_graph->setCurrentIndex(graph);
    m_imageSize->setValue(static_cast<int>(choice.imageSize));
    for (const auto& [key, spin] : m_paramSpins) {
        if (auto it = choice.parameters.find(key); it != choice.parameters.end()) {
            spin->setValue(static_cast<int>(it->second));
        }
    }
    m_phase->setCurrentIndex(std::max(0, m_phase->findData(static_cast<int>(settings.phase))));
    m_batch->setValue(static_cast<int>(settings.batch));
    m_prompt->setValue(static_cast<int>(settings.promptLength));
    m_context->setValue(static_cast<int>(settings.contextLength));
    m_generate->setValue(static_cast<int>(settings.generateLength));
    m_flash->setChecked(settings.flashAttention);
    m_updating = false;
    updateVisibility();
}

void WorkloadPanel::reprepare() {
    const WorkloadFamily* f = family();
    m_prepared.reset();
    if (f == nullptr) {
        showError(tr("No model family selected."));
        return;
    }
    auto prepared = f->prepare(choice());
    if (!prepared) {
        showError(qs(prepared.error().message));
        m_summary->clear();
        return;
    }
    m_prepared = std::make_shared<const PreparedWorkload>(std::move(prepared).value());
    showError({});
    m_summary->setText(tr("%1 · %2").arg(f->displayName(), qs(m_prepared->id)));
}

void WorkloadPanel::showError(const QString& text) {
    m_error->setText(text);
    m_error->setVisible(!text.isEmpty());
}

QString WorkloadPanel::errorText() const {
    return m_error->isHidden() ? QString() : m_error->text();
}

void WorkloadPanel::emitChanged() {
    if (!m_updating) {
        Q_EMIT changed();
    }
}

bool WorkloadPanel::importConfig(const QString& path) {
    const WorkloadFamily* f = family();
    if (f == nullptr) {
        return false;
    }
    WorkloadChoice c = choice();
    c.model = toStd(path);
    if (!isPath(c.model)) {
        c.model = toStd(QFileInfo(path).absoluteFilePath());
    }
    auto prepared = f->prepare(c);
    if (!prepared) {
        showError(qs(prepared.error().message));
        return false;
    }
    m_updating = true;
    int index = m_model->findData(qs(c.model));
    if (index < 0) {
        m_model->addItem(QFileInfo(path).fileName() + tr(" (imported)"), qs(c.model));
        index = m_model->count() - 1;
    }
    m_model->setCurrentIndex(index);
    m_updating = false;
    reprepare();
    emitChanged();
    return true;
}

bool WorkloadPanel::importGraph(const QString& path) {
    const WorkloadFamily* f = family();
    if (f == nullptr || !f->usesGraph()) {
        showError(tr("%1: graphs belong to the GNN family").arg(path));
        return false;
    }
    const std::string absolute = toStd(QFileInfo(path).absoluteFilePath());
    m_graphProgress->setValue(0);
    m_form->setRowVisible(m_graphProgress, true);
    showError({});
    m_graphJob.start(
        [f, absolute](const core::CancelToken& cancel, const core::ProgressCallback& progress) {
            return f->importGraph(absolute, progress, cancel);
        },
        [this, absolute, path](const core::Status& status) {
            m_form->setRowVisible(m_graphProgress, false);
            if (!status) {
                showError(qs(status.error().message));
                Q_EMIT graphImported(false);
                return;
            }
            m_updating = true;
            int index = m_graph->findData(qs(absolute));
            if (index < 0) {
                m_graph->addItem(QFileInfo(path).fileName() + tr(" (imported)"), qs(absolute));
                index = m_graph->count() - 1;
            }
            m_graph->setCurrentIndex(index);
            m_updating = false;
            reprepare();
            emitChanged();
            Q_EMIT graphImported(true);
        },
        [this](double fraction, const QString& label) {
            m_graphProgress->setValue(static_cast<int>(fraction * 1000));
            m_graphProgress->setToolTip(label);
        });
    return true;
}

void WorkloadPanel::openImportConfigDialog() {
    const WorkloadFamily* f = family();
    const QString path = QFileDialog::getOpenFileName(
        this, tr("Import model config"), dialogDirectory(), f ? f->configFileFilter() : QString());
    if (!path.isEmpty()) {
        rememberDialogDirectory(path);
        importConfig(path);
    }
}

void WorkloadPanel::openImportGraphDialog() {
    const WorkloadFamily* f = family();
    const QString path = QFileDialog::getOpenFileName(this, tr("Import graph"), dialogDirectory(),
                                                      f ? f->graphFileFilter() : QString());
    if (!path.isEmpty()) {
        rememberDialogDirectory(path);
        importGraph(path);
    }
}

}  // namespace rooflens::ui

#include "workload_panel.moc"
