#pragma once
// HardwarePanel: the device picker. Lists built-in, user and calibrated profiles from the
// hardware database (filtered by vendor, kind and text), shows the selected device's details
// (peaks, memory levels, interconnect, power, provenance),
// imports profiles from a file (validated; errors name the file and the JSON path, shown in the
// panel, never a crash). Several selected rows are compared side by side.
#include <filesystem>
#include <string>
#include <vector>

#include <QWidget>

#include "core/hardware.h"
#include "hwdb/hwdb.h"

class QComboBox;
class QLabel;
class QLineEdit;
class QTableView;
class QTextBrowser;

class QLayout;
class QPushButton;

namespace rooflens::ui {

class HardwareFilterProxy;
class HardwareListModel;

class HardwarePanel : public QWidget {
    Q_OBJECT
public:
    explicit HardwarePanel(QWidget* parent = nullptr);

    // Where profiles come from; defaults to hwdb::Database's directories. Reloads.
    void setDirectories(std::filesystem::path builtinDir, std::filesystem::path userDir);
    void reload();
    const hwdb::Database& database() const { return m_db; }

    // The selected devices in table order; never empty while the database has devices.
    std::vector<core::Hardware> selectedDevices() const;
    std::vector<std::string> selectedIds() const;
    // Selects these ids (unknown ones are reported in the error line); the first is current.
    void setSelectedIds(const std::vector<std::string>& ids);

    // Validates and imports a profile into the user directory and selects it. On failure the
    // error (file and field) is shown in the panel and false returned.
    bool importFile(const QString& path);
    // Whether importing a profile whose id exists asks before replacing (tests turn it off).
    void setConfirmReplace(bool confirm) { m_confirmReplace = confirm; }
    QString errorText() const;

public Q_SLOTS:
    void openImportDialog();

Q_SIGNALS:
    void selectionChanged();
    void calibrateRequested();

private:
    QLayout* buildFilters();
    QWidget* buildTable();
    QLayout* buildButtons(QPushButton*& import, QPushButton*& calibrate,
                          QPushButton*& reloadButton);
    void showError(const QString& text);
    void showDetails();
    void fillVendorFilter();
    void applyFilters();

    hwdb::Database m_db;
    std::filesystem::path m_builtinDir;
    std::filesystem::path m_userDir;
    HardwareListModel* m_model = nullptr;
    HardwareFilterProxy* m_proxy = nullptr;
    QTableView* m_table = nullptr;
    QLineEdit* m_filter = nullptr;
    QComboBox* m_vendorFilter = nullptr;
    QComboBox* m_kindFilter = nullptr;
    QTextBrowser* m_details = nullptr;
    QLabel* m_error = nullptr;
    bool m_confirmReplace = true;
    bool m_selecting = false;
};

// The details of one device as HTML: peaks per unit and data type with their provenance,
// memory levels, interconnect (scale-up, host, scale-out), power, release year, notes.
QString deviceDetailsHtml(const core::Hardware& hw, const QString& origin);

}  // namespace rooflens::ui
