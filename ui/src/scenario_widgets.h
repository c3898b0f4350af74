#pragma once
// Private editors of scenario parts, used by ScenarioEditor for the whole model and for each
// per-layer override: a tensor format, a sparsity setting and a low-rank setting.
#include <QWidget>

#include "core/scenario.h"

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QSpinBox;

namespace rooflens::ui {

// A tensor format with only the element type, group size and scale type set.
core::TensorFormat makeFormat(core::DataType type, std::int64_t groupSize = 0,
                              std::optional<core::DataType> scale = std::nullopt);

class FormatEditor : public QWidget {
    Q_OBJECT
public:
    explicit FormatEditor(const QString& name, QWidget* parent = nullptr);
    core::TensorFormat format() const;
    void setFormat(const core::TensorFormat& format);

private:
    // Microscaling types carry their own block scale: the group fields are disabled for them.
    void updateForType();

    QComboBox* m_type;
    QLabel* m_bits;
    QSpinBox* m_group;
    QSpinBox* m_groupRows;
    QComboBox* m_scale;
    QComboBox* m_zero;
    QSpinBox* m_secondGroup;
    QDoubleSpinBox* m_secondBits;
    QSpinBox* m_quantizedStats;
    QComboBox* m_channelScale;
    QDoubleSpinBox* m_outlierFraction;
    QDoubleSpinBox* m_outlierBits;
};

class SparsityEditor : public QWidget {
    Q_OBJECT
public:
    explicit SparsityEditor(const QString& name, QWidget* parent = nullptr);
    core::Sparsity sparsity() const;
    void setSparsity(const core::Sparsity& sparsity);

private:
    QComboBox* m_kind;
    QDoubleSpinBox* m_density;
    QComboBox* m_index;
    QCheckBox* m_sparseKernel;
    QSpinBox* m_blockSize;
};

class LowRankEditor : public QWidget {
    Q_OBJECT
public:
    explicit LowRankEditor(const QString& name, QWidget* parent = nullptr);
    core::LowRank lowRank() const;
    void setLowRank(const core::LowRank& lowRank);

private:
    QComboBox* m_mode;
    QDoubleSpinBox* m_ratio;
    QCheckBox* m_cacheProjection;
};

// A check box that enables the widget below it: "[x] Quantize weights" over a FormatEditor.
class OptionalGroup : public QWidget {
    Q_OBJECT
public:
    OptionalGroup(const QString& title, QWidget* content, const QString& name,
                  QWidget* parent = nullptr);
    bool isOn() const;
    void setOn(bool on);

private:
    QCheckBox* m_check;
    QWidget* m_content;
};

}  // namespace rooflens::ui
