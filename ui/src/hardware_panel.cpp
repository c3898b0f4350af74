#include "ui/hardware_panel.h"

#include "ui/file_dialogs.h"

#include <QComboBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QSignalBlocker>
#include <QSplitter>
#include <QTableView>
#include <QTextBrowser>
#include <QVBoxLayout>

#include "core/units.h"
#include "format.h"
#include "itemmodels/hardware_filter_proxy.h"
#include "itemmodels/hardware_list_model.h"
#include "itemmodels/roles.h"
#include "itemmodels/text_format.h"

namespace rooflens::ui {

namespace {

bool isCalibrated(const core::Hardware& hw) {
    for (const auto& p : hw.provenance) {
        if (p.status == core::Provenance::measured) {
            return true;
        }
    }
    for (const auto& level : hw.memory) {
        if (level.measured) {
            return true;
        }
    }
    return false;
}

const core::ProvenanceEntry* provenanceOf(const core::Hardware& hw, const std::string& path) {
    for (const auto& p : hw.provenance) {
        if (p.jsonPath == path) {
            return &p;
        }
    }
    return nullptr;
}

// The provenance of a peak: its own key, or the key that set it with others (fp8 for both FP8
// types, an element type or the fp4/fp6 family for the microscaling formats in block_scales).
const core::ProvenanceEntry* peakProvenance(const core::Hardware& hw, const std::string& prefix,
                                            core::DataType type) {
    const auto block = core::blockScalingOf(type);
    const core::DataType element = block ? block->element : type;
    std::vector<std::string> keys = {std::string(core::nameOf(type)),
                                     std::string(core::nameOf(element))};
    if (element == core::DataType::fp8_e4m3 || element == core::DataType::fp8_e5m2) {
        keys.emplace_back("fp8");
    } else if (element == core::DataType::fp6_e2m3 || element == core::DataType::fp6_e3m2) {
        keys.emplace_back("fp6");
    } else if (element == core::DataType::fp4_e2m1) {
        keys.emplace_back("fp4");
    }
    for (const auto& key : keys) {
        if (const auto* p = provenanceOf(hw, prefix + key + "/dense")) {
            return p;
        }
    }
    return nullptr;
}

QString provenanceBadge(const core::ProvenanceEntry* p) {
    if (p == nullptr) {
        return {};
    }
    QString text = qs(core::nameOf(p->status));
    if (!p->source.empty() && p->source.rfind("http", 0) == 0) {
        text = QStringLiteral("<a href=\"%1\">%2</a>").arg(qs(p->source).toHtmlEscaped(), text);
    }
    return text;
}

QString linkRow(const QString& tier, const core::Link& link, const QString& extra,
                const core::Hardware& hw, const std::string& path) {
    const QString bandwidth =
        link.bytesPerSecond > 0 ? siText(link.bytesPerSecond, "B/s") : QStringLiteral("–");
    QString latency = qs(core::formatSeconds(link.latencySeconds));
    if (link.latencyDefaulted) {
        latency += QObject::tr(" (default)");
    }
    return QStringLiteral(
               "<tr><td>%1</td><td>%2<br><small>%3%4</small></td><td align='right'>%5</td>"
               "<td align='right'>%6</td><td>%7</td></tr>")
        .arg(tier, qs(link.name).toHtmlEscaped(), qs(core::nameOf(link.kind)), extra, bandwidth,
             latency, provenanceBadge(provenanceOf(hw, path + "/bandwidth_per_direction")));
}

// Scale-up, host and scale-out links, power and release year.
QString interconnectHtml(const core::Hardware& hw) {
    const core::Interconnect& net = hw.interconnect;
    QString html = QStringLiteral(
                       "<br><table cellspacing='0' cellpadding='2'><tr><th align='left'>%1</th>"
                       "<th align='left'>%2</th><th align='right'>%3</th>"
                       "<th align='right'>%4</th><th align='left'>%5</th></tr>")
                       .arg(QObject::tr("Link"), QObject::tr("Name"), QObject::tr("Per direction"),
                            QObject::tr("Latency"), QObject::tr("Source"));
    if (net.scaleUp) {
        const auto& up = *net.scaleUp;
        QString extra = QObject::tr(", %1 devices, %2")
                            .arg(up.domainDevices)
                            .arg(qs(core::nameOf(up.topology)));
        if (up.inNetworkReduction) {
            extra += QObject::tr(", in-network reduction");
        }
        html += linkRow(QObject::tr("scale-up"), up, extra, hw, "/interconnect/scale_up");
    }
    if (net.host) {
        QString extra;
        if (net.host->pcieGeneration > 0) {
            extra = QObject::tr(", gen %1").arg(net.host->pcieGeneration);
            if (net.host->pcieLanes > 0) {
                extra += QStringLiteral(" x%1").arg(net.host->pcieLanes);
            }
        }
        html += linkRow(QObject::tr("host"), *net.host, extra, hw, "/interconnect/host");
    }
    if (net.scaleOut) {
        html += linkRow(QObject::tr("scale-out"), *net.scaleOut, {}, hw, "/interconnect/scale_out");
    }
    if (!net.any()) {
        html += QStringLiteral("<tr><td colspan='5'>%1</td></tr>")
                    .arg(QObject::tr("no interconnect described"));
    }
    html += QStringLiteral("</table>");
    QStringList facts;
    facts << (hw.tdpWatts > 0 ? QObject::tr("TDP %1 W").arg(hw.tdpWatts)
                              : QObject::tr("TDP not published"));
    if (hw.idleWatts > 0) {
        facts << QObject::tr("idle %1 W").arg(hw.idleWatts);
    }
    facts << (hw.releaseYear > 0 ? QObject::tr("released %1").arg(hw.releaseYear)
                                 : QObject::tr("release year unknown"));
    return html + QStringLiteral("<p>%1</p>").arg(facts.join(QStringLiteral(" · ")));
}

}  // namespace

QString deviceDetailsHtml(const core::Hardware& hw, const QString& origin) {
    QString html = QStringLiteral("<h3>%1</h3><p>%2 · %3 · <code>%4</code> · %5</p>")
                       .arg(qs(hw.name).toHtmlEscaped(), qs(hw.vendor).toHtmlEscaped(),
                            qs(core::nameOf(hw.kind)), qs(hw.id).toHtmlEscaped(), origin);
    if (!hw.sourceFile.empty()) {
        html += QStringLiteral("<p><small>%1</small></p>").arg(qs(hw.sourceFile).toHtmlEscaped());
    }
    html += QStringLiteral(
                "<table cellspacing='0' cellpadding='2'><tr><th align='left'>%1</th>"
                "<th align='right'>%2</th><th align='right'>%3</th>"
                "<th align='left'>%4</th></tr>")
                .arg(QObject::tr("Peak"), QObject::tr("Dense"), QObject::tr("2:4 sparse"),
                     QObject::tr("Source"));
    for (const bool matrix : {true, false}) {
        const core::PeakTable& dense = matrix ? hw.matrixDense : hw.vector;
        for (auto type : core::kAllDataTypes) {
            if (dense.at(type) <= 0) {
                continue;
            }
            const std::string unit = matrix ? "matrix" : "vector";
            const auto* p = peakProvenance(hw, "/compute/" + unit + "/", type);
            const double sparse = matrix ? hw.matrixSparse.at(type) : 0;
            html += QStringLiteral(
                        "<tr><td>%1 %2</td><td align='right'>%3</td>"
                        "<td align='right'>%4</td><td>%5</td></tr>")
                        .arg(qs(core::nameOf(type)), qs(unit), siText(dense.at(type), "OP/s"),
                             sparse > 0 ? siText(sparse, "OP/s") : QStringLiteral("–"),
                             provenanceBadge(p));
        }
    }
    html += QStringLiteral(
                "</table><br><table cellspacing='0' cellpadding='2'><tr>"
                "<th align='left'>%1</th><th align='right'>%2</th>"
                "<th align='right'>%3</th><th align='left'>%4</th></tr>")
                .arg(QObject::tr("Memory"), QObject::tr("Capacity"), QObject::tr("Bandwidth"),
                     QObject::tr("Source"));
    for (std::size_t i = 0; i < hw.memory.size(); ++i) {
        const auto& level = hw.memory[i];
        const auto* p = provenanceOf(hw, "/memory/" + std::to_string(i) + "/bandwidth");
        html += QStringLiteral(
                    "<tr><td>%1</td><td align='right'>%2</td><td align='right'>%3</td>"
                    "<td>%4</td></tr>")
                    .arg(qs(level.name).toHtmlEscaped(), bytesText(level.capacityBytes),
                         level.bytesPerSecond > 0 ? siText(level.bytesPerSecond, "B/s")
                                                  : QStringLiteral("–"),
                         level.measured ? QObject::tr("measured") : provenanceBadge(p));
    }
    html += QStringLiteral("</table>");
    html += interconnectHtml(hw);
    if (hw.sramPerCoreBytes > 0) {
        html +=
            QStringLiteral("<p>%1 %2</p>")
                .arg(QObject::tr("On-chip SRAM per core:"), binaryText(hw.sramPerCoreBytes, "B"));
    }
    if (!hw.notes.empty()) {
        html += QStringLiteral("<p><small>%1</small></p>").arg(qs(hw.notes).toHtmlEscaped());
    }
    return html;
}

HardwarePanel::HardwarePanel(QWidget* parent)
    : QWidget(parent),
      m_builtinDir(hwdb::Database::defaultBuiltinDir()),
      m_userDir(hwdb::Database::defaultUserDir()) {
    setObjectName(QStringLiteral("hardwarePanel"));
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);

    layout->addLayout(buildFilters());
    layout->addWidget(buildTable(), 1);
    m_error = new QLabel(this);
    m_error->setObjectName(QStringLiteral("hardwareError"));
    m_error->setWordWrap(true);
    m_error->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_error->setStyleSheet(QStringLiteral("color: #c0392b;"));
    m_error->hide();
    layout->addWidget(m_error);

    QPushButton* import = nullptr;
    QPushButton* calibrate = nullptr;
    QPushButton* reloadButton = nullptr;
    layout->addLayout(buildButtons(import, calibrate, reloadButton));

    connect(m_filter, &QLineEdit::textChanged, m_proxy, &HardwareFilterProxy::setTextFilter);
    connect(m_vendorFilter, &QComboBox::currentIndexChanged, this, &HardwarePanel::applyFilters);
    connect(m_kindFilter, &QComboBox::currentIndexChanged, this, &HardwarePanel::applyFilters);
    connect(m_table->selectionModel(), &QItemSelectionModel::selectionChanged, this, [this] {
        if (!m_selecting) {
            Q_EMIT selectionChanged();
        }
    });
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            &HardwarePanel::showDetails);
    connect(import, &QPushButton::clicked, this, &HardwarePanel::openImportDialog);
    connect(calibrate, &QPushButton::clicked, this, &HardwarePanel::calibrateRequested);
    connect(reloadButton, &QPushButton::clicked, this, [this] {
        const auto ids = selectedIds();
        reload();
        setSelectedIds(ids);
    });
    reload();
}

QLayout* HardwarePanel::buildFilters() {
    auto* filters = new QHBoxLayout;
    m_filter = new QLineEdit(this);
    m_filter->setObjectName(QStringLiteral("hardwareFilter"));
    m_filter->setPlaceholderText(tr("Filter devices…"));
    m_filter->setClearButtonEnabled(true);
    m_vendorFilter = new QComboBox(this);
    m_vendorFilter->setObjectName(QStringLiteral("hardwareVendorFilter"));
    m_vendorFilter->setToolTip(tr("Show one vendor's devices"));
    m_kindFilter = new QComboBox(this);
    m_kindFilter->setObjectName(QStringLiteral("hardwareKindFilter"));
    m_kindFilter->setToolTip(tr("Show one kind of device"));
    m_kindFilter->addItem(tr("All kinds"), -1);
    for (auto kind : {core::DeviceKind::gpu, core::DeviceKind::cpu, core::DeviceKind::tpu,
                      core::DeviceKind::soc}) {
        m_kindFilter->addItem(qs(core::nameOf(kind)), static_cast<int>(kind));
    }
    filters->addWidget(m_filter, 1);
    filters->addWidget(m_vendorFilter);
    filters->addWidget(m_kindFilter);
    return filters;
}

QWidget* HardwarePanel::buildTable() {
    auto* splitter = new QSplitter(Qt::Vertical, this);
    m_model = new HardwareListModel(this);
    m_proxy = new HardwareFilterProxy(this);
    m_proxy->setSourceModel(m_model);
    m_table = new QTableView(splitter);
    m_table->setObjectName(QStringLiteral("hardwareTable"));
    m_table->setModel(m_proxy);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(-1, Qt::AscendingOrder);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setStretchLastSection(false);
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_table->horizontalHeader()->setSectionResizeMode(HardwareListModel::Name,
                                                      QHeaderView::Stretch);
    m_table->setColumnHidden(HardwareListModel::Id, true);
    m_table->setColumnHidden(HardwareListModel::Origin, true);  // shown in the name instead
    m_table->setColumnHidden(HardwareListModel::Peak, true);    // in the details below
    m_table->setColumnHidden(HardwareListModel::Vendor, true);  // filtered by the combo box
    m_table->setColumnHidden(HardwareListModel::Kind, true);    // filtered by the combo box
    m_table->setWordWrap(false);
    m_table->setTextElideMode(Qt::ElideRight);  // "NVIDIA H100 SX…": the vendor and model stay
    m_table->setToolTip(tr("Ctrl+click or Shift+click to compare several devices"));
    m_details = new QTextBrowser(splitter);
    m_details->setObjectName(QStringLiteral("hardwareDetails"));
    m_details->setOpenExternalLinks(true);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 2);
    return splitter;
}

QLayout* HardwarePanel::buildButtons(QPushButton*& import, QPushButton*& calibrate,
                                     QPushButton*& reloadButton) {
    auto* buttons = new QHBoxLayout;
    import = new QPushButton(tr("&Import…"), this);
    import->setObjectName(QStringLiteral("importProfileButton"));
    import->setToolTip(
        tr("Import a hardware profile (.json); you can also drop one on the window"));
    calibrate = new QPushButton(tr("&Calibrate…"), this);
    calibrate->setObjectName(QStringLiteral("calibrateButton"));
    calibrate->setToolTip(tr("Measure this machine's ceilings and save them as a profile"));
    reloadButton = new QPushButton(tr("Reload"), this);
    reloadButton->setObjectName(QStringLiteral("reloadHardwareButton"));
    buttons->addWidget(import);
    buttons->addWidget(calibrate);
    buttons->addStretch(1);
    buttons->addWidget(reloadButton);
    return buttons;
}

void HardwarePanel::setDirectories(std::filesystem::path builtinDir,
                                   std::filesystem::path userDir) {
    m_builtinDir = std::move(builtinDir);
    m_userDir = std::move(userDir);
    reload();
}

void HardwarePanel::reload() {
    m_db = hwdb::Database::load(m_builtinDir, m_userDir);
    std::vector<HardwareRow> rows;
    for (const auto* entry : m_db.visibleEntries()) {
        HardwareRow row;
        row.hardware = entry->hardware;
        row.origin = entry->origin == hwdb::Origin::builtin ? HardwareOrigin::builtin
                     : isCalibrated(entry->hardware)        ? HardwareOrigin::calibrated
                                                            : HardwareOrigin::user;
        rows.push_back(std::move(row));
    }
    m_selecting = true;
    m_model->setRows(std::move(rows));
    m_selecting = false;
    fillVendorFilter();
    QStringList problems;
    for (const auto& error : m_db.errors()) {
        problems << tr("skipped %1").arg(qs(error.message));
    }
    showError(problems.join(QLatin1Char('\n')));
}

void HardwarePanel::fillVendorFilter() {
    const QString current = m_vendorFilter->currentData().toString();
    QStringList vendors;
    for (const auto& row : m_model->rows()) {
        const QString vendor = qs(row.hardware.vendor);
        if (!vendors.contains(vendor)) {
            vendors << vendor;
        }
    }
    vendors.sort(Qt::CaseInsensitive);
    const QSignalBlocker blocker(m_vendorFilter);
    m_vendorFilter->clear();
    m_vendorFilter->addItem(tr("All vendors"), QString());
    for (const auto& vendor : vendors) {
        m_vendorFilter->addItem(vendor, vendor);
    }
    m_vendorFilter->setCurrentIndex(std::max(0, m_vendorFilter->findData(current)));
    applyFilters();
}

void HardwarePanel::applyFilters() {
    m_proxy->setVendorFilter(m_vendorFilter->currentData().toString());
    const int kind = m_kindFilter->currentData().toInt();
    m_proxy->setKindFilter(
        kind < 0 ? std::nullopt
                 : std::optional<core::DeviceKind>(static_cast<core::DeviceKind>(kind)));
}

std::vector<std::string> HardwarePanel::selectedIds() const {
    std::vector<std::string> ids;
    QModelIndexList rows = m_table->selectionModel()->selectedRows(HardwareListModel::Name);
    std::sort(rows.begin(), rows.end(),
              [](const QModelIndex& a, const QModelIndex& b) { return a.row() < b.row(); });
    for (const auto& index : rows) {
        ids.push_back(toStd(index.data(IdRole).toString()));
    }
    return ids;
}

std::vector<core::Hardware> HardwarePanel::selectedDevices() const {
    std::vector<core::Hardware> out;
    for (const auto& id : selectedIds()) {
        const int row = m_model->rowOf(id);
        if (row >= 0) {
            out.push_back(m_model->rows()[static_cast<std::size_t>(row)].hardware);
        }
    }
    if (out.empty() && !m_model->rows().empty()) {
        out.push_back(m_model->rows().front().hardware);
    }
    return out;
}

void HardwarePanel::setSelectedIds(const std::vector<std::string>& ids) {
    m_selecting = true;
    QItemSelection selection;
    QModelIndex first;
    QStringList unknown;
    for (const auto& id : ids) {
        const int row = m_model->rowOf(id);
        if (row < 0) {
            unknown << qs(id);
            continue;
        }
        const QModelIndex index = m_proxy->mapFromSource(m_model->index(row, 0));
        if (!first.isValid()) {
            first = index;
        }
        selection.select(index, index.siblingAtColumn(HardwareListModel::ColumnCount - 1));
    }
    m_table->selectionModel()->select(
        selection, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    if (first.isValid()) {
        m_table->selectionModel()->setCurrentIndex(first, QItemSelectionModel::NoUpdate);
        m_table->scrollTo(first);
    }
    m_selecting = false;
    if (!unknown.isEmpty()) {
        showError(tr("unknown device: %1").arg(unknown.join(QStringLiteral(", "))));
    }
    showDetails();
    Q_EMIT selectionChanged();
}

void HardwarePanel::showDetails() {
    QModelIndex current = m_table->selectionModel()->currentIndex();
    if (!current.isValid()) {
        const auto rows = m_table->selectionModel()->selectedRows();
        if (rows.isEmpty()) {
            m_details->clear();
            return;
        }
        current = rows.front();
    }
    const int row = m_proxy->mapToSource(current).row();
    if (row < 0 || row >= m_model->rowCount()) {
        return;
    }
    const HardwareRow& r = m_model->rows()[static_cast<std::size_t>(row)];
    m_details->setHtml(deviceDetailsHtml(r.hardware, HardwareListModel::originName(r.origin)));
}

void HardwarePanel::showError(const QString& text) {
    m_error->setText(text);
    m_error->setVisible(!text.isEmpty());
}

QString HardwarePanel::errorText() const {
    return m_error->isHidden() ? QString() : m_error->text();
}

bool HardwarePanel::importFile(const QString& path) {
    const std::filesystem::path file(toStd(path));
    auto parsed = hwdb::loadDeviceFile(file);
    if (!parsed) {
        showError(tr("Import failed: %1").arg(qs(parsed.error().message)));
        return false;
    }
    bool force = false;
    if (m_db.find(parsed->id) != nullptr) {
        if (m_confirmReplace &&
            QMessageBox::question(this, tr("Replace profile?"),
                                  tr("A device with id '%1' exists. Import %2 over it?")
                                      .arg(qs(parsed->id), QFileInfo(path).fileName())) !=
                QMessageBox::Yes) {
            return false;
        }
        force = true;
    }
    auto imported = m_db.importProfile(file, force);
    if (!imported) {
        showError(tr("Import failed: %1").arg(qs(imported.error().message)));
        return false;
    }
    reload();
    setSelectedIds({imported->id});
    showError({});
    return true;
}

void HardwarePanel::openImportDialog() {
    const QString path =
        QFileDialog::getOpenFileName(this, tr("Import hardware profile"), dialogDirectory(),
                                     tr("Hardware profile (*.json);;All files (*)"));
    if (!path.isEmpty()) {
        rememberDialogDirectory(path);
        importFile(path);
    }
}

}  // namespace rooflens::ui
