#include "scenario_widgets.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QLabel>
#include <QSpinBox>
#include <QVBoxLayout>

#include "format.h"

namespace rooflens::ui {

namespace {

// Element types (every type but the scale-only e8m0), or scale types (none and the scalar types:
// a microscaling type cannot be a scale).
QComboBox* typeCombo(QWidget* parent, bool scales) {
    auto* combo = new QComboBox(parent);
    if (scales) {
        combo->addItem(QObject::tr("none"), -1);
    }
    for (auto type : core::kAllDataTypes) {
        const bool skip = scales ? core::isBlockScaled(type) : core::isScaleOnly(type);
        if (!skip) {
            combo->addItem(qs(core::nameOf(type)), static_cast<int>(type));
        }
    }
    return combo;
}

void selectType(QComboBox* combo, std::optional<core::DataType> type) {
    combo->setCurrentIndex(std::max(0, combo->findData(type ? static_cast<int>(*type) : -1)));
}

std::optional<core::DataType> typeOf(const QComboBox* combo) {
    const int v = combo->currentData().toInt();
    if (v < 0) {
        return std::nullopt;
    }
    return static_cast<core::DataType>(v);
}

}  // namespace

core::TensorFormat makeFormat(core::DataType type, std::int64_t groupSize,
                              std::optional<core::DataType> scale) {
    core::TensorFormat f;
    f.type = type;
    f.groupSize = groupSize;
    f.scale = scale;
    return f;
}

FormatEditor::FormatEditor(const QString& name, QWidget* parent) : QWidget(parent) {
    setObjectName(name);
    auto* form = new QFormLayout(this);
    form->setContentsMargins(0, 0, 0, 0);
    m_type = typeCombo(this, false);
    m_type->setObjectName(name + QStringLiteral("Type"));
    m_type->setToolTip(
        tr("nvfp4, mxfp4, mxfp6_*, mxfp8_*: microscaling formats with their own "
           "block scales"));
    form->addRow(tr("Element type"), m_type);
    m_bits = new QLabel(this);
    m_bits->setObjectName(name + QStringLiteral("Bits"));
    form->addRow(tr("Bits per element"), m_bits);
    m_group = new QSpinBox(this);
    m_group->setObjectName(name + QStringLiteral("Group"));
    m_group->setRange(0, 1 << 20);
    m_group->setSpecialValueText(tr("none (per tensor)"));
    m_group->setToolTip(tr("Elements per scale group along the reduction dimension"));
    form->addRow(tr("Group size"), m_group);
    m_groupRows = new QSpinBox(this);
    m_groupRows->setObjectName(name + QStringLiteral("GroupRows"));
    m_groupRows->setRange(1, 1 << 20);
    m_groupRows->setToolTip(
        tr("Rows per scale group across the reduction dimension: 2-D blocks (DeepSeek-V3 128 x "
           "128 weight blocks)"));
    form->addRow(tr("Group rows"), m_groupRows);
    m_scale = typeCombo(this, true);
    form->addRow(tr("Scale type"), m_scale);
    m_zero = typeCombo(this, true);
    form->addRow(tr("Zero-point type"), m_zero);

    auto* advanced =
        new QGroupBox(tr("Metadata of metadata (NF4 double quant, SpQR, QServe)"), this);
    advanced->setCheckable(true);
    advanced->setChecked(false);
    auto* adv = new QFormLayout(advanced);
    m_secondGroup = new QSpinBox(advanced);
    m_secondGroup->setRange(0, 1 << 20);
    m_secondGroup->setSpecialValueText(tr("none"));
    adv->addRow(tr("Stats per second-level group"), m_secondGroup);
    m_secondBits = new QDoubleSpinBox(advanced);
    m_secondBits->setRange(0, 256);
    adv->addRow(tr("Bits per second-level group"), m_secondBits);
    m_quantizedStats = new QSpinBox(advanced);
    m_quantizedStats->setRange(0, 2);
    adv->addRow(tr("Quantized stats (scale, zero)"), m_quantizedStats);
    m_channelScale = typeCombo(advanced, true);
    adv->addRow(tr("Per-channel scale"), m_channelScale);
    m_outlierFraction = new QDoubleSpinBox(advanced);
    m_outlierFraction->setRange(0, 1);
    m_outlierFraction->setDecimals(4);
    m_outlierFraction->setSingleStep(0.001);
    adv->addRow(tr("Outlier fraction"), m_outlierFraction);
    m_outlierBits = new QDoubleSpinBox(advanced);
    m_outlierBits->setRange(0, 128);
    adv->addRow(tr("Bits per outlier"), m_outlierBits);
    form->addRow(advanced);
    connect(advanced, &QGroupBox::toggled, this, [advanced](bool on) {
        for (auto* child : advanced->findChildren<QWidget*>()) {
            child->setVisible(on);
        }
    });
    for (auto* child : advanced->findChildren<QWidget*>()) {
        child->setVisible(false);
    }
    connect(m_type, &QComboBox::currentIndexChanged, this, &FormatEditor::updateForType);
    for (auto* spin : {m_group, m_groupRows}) {
        connect(spin, &QSpinBox::valueChanged, this, &FormatEditor::updateForType);
    }
    for (auto* combo : {m_scale, m_zero}) {
        connect(combo, &QComboBox::currentIndexChanged, this, &FormatEditor::updateForType);
    }
    setFormat({});
}

void FormatEditor::updateForType() {
    const core::DataType type = typeOf(m_type).value_or(core::DataType::fp16);
    const auto block = core::blockScalingOf(type);
    for (QWidget* field : {static_cast<QWidget*>(m_group), static_cast<QWidget*>(m_groupRows),
                           static_cast<QWidget*>(m_scale), static_cast<QWidget*>(m_zero)}) {
        field->setEnabled(!block);
    }
    QString text = QString::number(format().effectiveBits(), 'g', 6);
    if (block) {
        text += tr(" (%1 elements, one %2 scale per %3%4)")
                    .arg(qs(core::nameOf(block->element)), qs(core::nameOf(block->scale)))
                    .arg(block->blockSize)
                    .arg(block->tensorScaleBits > 0 ? tr(", plus one fp32 scale per tensor")
                                                    : QString());
    }
    m_bits->setText(text);
}

core::TensorFormat FormatEditor::format() const {
    core::TensorFormat f;
    f.type = typeOf(m_type).value_or(core::DataType::fp16);
    if (!core::isBlockScaled(f.type)) {
        f.groupSize = m_group->value();
        f.groupRows = f.groupSize > 0 ? m_groupRows->value() : 1;
        f.scale = typeOf(m_scale);
        f.zero = typeOf(m_zero);
    }
    f.secondLevelGroup = m_secondGroup->value();
    f.secondLevelBits = m_secondBits->value();
    f.quantizedStats = m_quantizedStats->value();
    f.channelScale = typeOf(m_channelScale);
    f.outlierFraction = m_outlierFraction->value();
    f.outlierBits = m_outlierBits->value();
    return f;
}

void FormatEditor::setFormat(const core::TensorFormat& f) {
    selectType(m_type, f.type);
    m_group->setValue(static_cast<int>(f.groupSize));
    m_groupRows->setValue(static_cast<int>(f.groupRows));
    selectType(m_scale, f.scale);
    selectType(m_zero, f.zero);
    m_secondGroup->setValue(static_cast<int>(f.secondLevelGroup));
    m_secondBits->setValue(f.secondLevelBits);
    m_quantizedStats->setValue(f.quantizedStats);
    selectType(m_channelScale, f.channelScale);
    m_outlierFraction->setValue(f.outlierFraction);
    m_outlierBits->setValue(f.outlierBits);
    updateForType();
}

SparsityEditor::SparsityEditor(const QString& name, QWidget* parent) : QWidget(parent) {
    setObjectName(name);
    auto* form = new QFormLayout(this);
    form->setContentsMargins(0, 0, 0, 0);
    m_kind = new QComboBox(this);
    m_kind->setObjectName(name + QStringLiteral("Kind"));
    m_kind->addItem(tr("dense"), static_cast<int>(core::SparsityKind::dense));
    m_kind->addItem(tr("unstructured"), static_cast<int>(core::SparsityKind::unstructured));
    m_kind->addItem(tr("2:4 structured"), static_cast<int>(core::SparsityKind::structured24));
    m_kind->addItem(tr("block (LPViT)"), static_cast<int>(core::SparsityKind::block));
    form->addRow(tr("Sparsity"), m_kind);
    m_density = new QDoubleSpinBox(this);
    m_density->setObjectName(name + QStringLiteral("Density"));
    m_density->setRange(0.001, 1);
    m_density->setDecimals(3);
    m_density->setSingleStep(0.05);
    m_density->setToolTip(tr("Fraction of non-zero weights"));
    form->addRow(tr("Density"), m_density);
    m_index = new QComboBox(this);
    m_index->addItem(QStringLiteral("CSR, 16-bit indices"),
                     static_cast<int>(core::IndexFormat::csr16));
    m_index->addItem(QStringLiteral("CSR, 32-bit indices"),
                     static_cast<int>(core::IndexFormat::csr32));
    m_index->addItem(tr("bitmap"), static_cast<int>(core::IndexFormat::bitmap));
    form->addRow(tr("Index format"), m_index);
    m_sparseKernel = new QCheckBox(tr("Sparse kernel (math on non-zeros only)"), this);
    form->addRow(QString(), m_sparseKernel);
    m_blockSize = new QSpinBox(this);
    m_blockSize->setObjectName(name + QStringLiteral("BlockSize"));
    m_blockSize->setRange(1, 4096);
    m_blockSize->setToolTip(tr("Block edge b: whole b x b weight tiles are zero"));
    form->addRow(tr("Block size"), m_blockSize);
    auto update = [this] {
        const int kind = m_kind->currentData().toInt();
        const bool unstructured = kind == static_cast<int>(core::SparsityKind::unstructured);
        const bool block = kind == static_cast<int>(core::SparsityKind::block);
        m_density->setEnabled(unstructured || block);
        m_index->setEnabled(unstructured);
        m_sparseKernel->setEnabled(unstructured);
        m_blockSize->setEnabled(block);
    };
    connect(m_kind, &QComboBox::currentIndexChanged, this, update);
    setSparsity({});
    update();
}

core::Sparsity SparsityEditor::sparsity() const {
    core::Sparsity s;
    s.kind = static_cast<core::SparsityKind>(m_kind->currentData().toInt());
    s.density = s.kind == core::SparsityKind::unstructured || s.kind == core::SparsityKind::block
                    ? m_density->value()
                : s.kind == core::SparsityKind::structured24 ? 0.5
                                                             : 1.0;
    s.blockSize = m_blockSize->value();
    s.index = static_cast<core::IndexFormat>(m_index->currentData().toInt());
    s.sparseKernel = m_sparseKernel->isChecked();
    return s;
}

void SparsityEditor::setSparsity(const core::Sparsity& s) {
    m_kind->setCurrentIndex(std::max(0, m_kind->findData(static_cast<int>(s.kind))));
    m_density->setValue(s.density);
    m_index->setCurrentIndex(std::max(0, m_index->findData(static_cast<int>(s.index))));
    m_sparseKernel->setChecked(s.sparseKernel);
    m_blockSize->setValue(static_cast<int>(s.blockSize));
}

LowRankEditor::LowRankEditor(const QString& name, QWidget* parent) : QWidget(parent) {
    setObjectName(name);
    auto* form = new QFormLayout(this);
    form->setContentsMargins(0, 0, 0, 0);
    m_mode = new QComboBox(this);
    m_mode->addItem(tr("rank ratio r / min(d_in, d_out)"));
    m_mode->addItem(tr("parameters kept"));
    m_mode->addItem(tr("off (keep these layers full rank)"));
    form->addRow(tr("Given as"), m_mode);
    m_ratio = new QDoubleSpinBox(this);
    m_ratio->setObjectName(name + QStringLiteral("Ratio"));
    m_ratio->setRange(0.001, 1);
    m_ratio->setDecimals(3);
    m_ratio->setSingleStep(0.05);
    form->addRow(tr("Ratio"), m_ratio);
    m_cacheProjection = new QCheckBox(tr("Cache the rank-r latent instead of K and V"), this);
    form->addRow(QString(), m_cacheProjection);
    connect(m_mode, &QComboBox::currentIndexChanged, this, [this](int mode) {
        m_ratio->setEnabled(mode != 2);
        m_cacheProjection->setEnabled(mode != 2);
    });
    setLowRank({0.5, 0, false});
}

core::LowRank LowRankEditor::lowRank() const {
    core::LowRank lr;
    if (m_mode->currentIndex() == 2) {
        return lr;  // both ratios 0: low rank switched off
    }
    (m_mode->currentIndex() == 0 ? lr.rankRatio : lr.paramRatio) = m_ratio->value();
    lr.cacheProjection = m_cacheProjection->isChecked();
    return lr;
}

void LowRankEditor::setLowRank(const core::LowRank& lr) {
    const bool off = lr.rankRatio <= 0 && lr.paramRatio <= 0;
    m_mode->setCurrentIndex(off ? 2 : lr.paramRatio > 0 && lr.rankRatio <= 0 ? 1 : 0);
    m_ratio->setValue(lr.paramRatio > 0 && lr.rankRatio <= 0 ? lr.paramRatio
                      : lr.rankRatio > 0                     ? lr.rankRatio
                                                             : 0.5);
    m_cacheProjection->setChecked(lr.cacheProjection);
}

OptionalGroup::OptionalGroup(const QString& title, QWidget* content, const QString& name,
                             QWidget* parent)
    : QWidget(parent), m_content(content) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    m_check = new QCheckBox(title, this);
    m_check->setObjectName(name);
    layout->addWidget(m_check);
    content->setParent(this);
    layout->addWidget(content);
    connect(m_check, &QCheckBox::toggled, content, &QWidget::setEnabled);
    content->setEnabled(false);
}

bool OptionalGroup::isOn() const {
    return m_check->isChecked();
}

void OptionalGroup::setOn(bool on) {
    m_check->setChecked(on);
    m_content->setEnabled(on);
}

}  // namespace rooflens::ui
