#pragma once
// HardwareListModel: the device picker's rows (built-in, user and calibrated profiles), with the
// headline numbers formatted for display and raw for sorting; vendor, kind and release year for
// the panel's filters.
#include <vector>

#include <QAbstractTableModel>

#include "core/hardware.h"

namespace rooflens::ui {

enum class HardwareOrigin { builtin, user, calibrated };

struct HardwareRow {
    core::Hardware hardware;
    HardwareOrigin origin = HardwareOrigin::builtin;
};

class HardwareListModel : public QAbstractTableModel {
    Q_OBJECT
public:
    // Vendor, Kind and Year come last so that the older column indices stay put.
    enum Column : int {
        Name,
        Id,
        Origin,
        Memory,
        Bandwidth,
        Peak,
        Vendor,
        Kind,
        Year,
        ColumnCount
    };

    explicit HardwareListModel(QObject* parent = nullptr);

    void setRows(std::vector<HardwareRow> rows);
    const std::vector<HardwareRow>& rows() const { return m_rows; }
    // Row of a device id, or -1.
    int rowOf(const std::string& id) const;

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

    // Best 16-bit float peak (matrix or vector), else fp32: the headline compute number.
    static double headlinePeak(const core::Hardware& hw);
    static QString originName(HardwareOrigin origin);

private:
    std::vector<HardwareRow> m_rows;
};

}  // namespace rooflens::ui
