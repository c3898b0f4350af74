#include "ui/scenario_panel.h"

#include "ui/file_dialogs.h"

#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QMenu>
#include <QTableView>
#include <QToolButton>
#include <QVBoxLayout>

#include <nlohmann/json.hpp>

#include "core/json_io.h"
#include "format.h"
#include "scenario_widgets.h"
#include "ui/scenario_editor.h"
#include "ui/workload_family.h"

namespace rooflens::ui {

namespace {

QToolButton* button(const QString& text, const QString& name, const QString& tip, QWidget* parent) {
    auto* b = new QToolButton(parent);
    b->setText(text);
    b->setObjectName(name);
    b->setToolTip(tip);
    b->setToolButtonStyle(Qt::ToolButtonTextOnly);
    return b;
}

// Uncompressed scenarios (nothing set) are analysed as the plain model.
bool isUncompressed(const core::Scenario& s) {
    core::Scenario plain;
    plain.name = s.name;
    plain.description = s.description;
    plain.citation = s.citation;
    return s == plain;
}

}  // namespace

ScenarioPanel::ScenarioPanel(QWidget* parent) : QWidget(parent) {
    setObjectName(QStringLiteral("scenarioPanel"));
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);

    auto* bar = new QHBoxLayout;
    bar->setSpacing(2);  // six buttons in a dock that fits a 1440-pixel window
    m_add = button(tr("Add"), QStringLiteral("addScenarioButton"),
                   tr("Add a built-in scenario preset or a new one"), this);
    m_add->setPopupMode(QToolButton::InstantPopup);
    auto* menu = new QMenu(m_add);
    menu->setObjectName(QStringLiteral("scenarioPresetMenu"));
    menu->addAction(tr("New scenario"), this, &ScenarioPanel::addNew);
    menu->addSeparator();
    for (const auto& name : core::listScenarioPresets()) {
        QAction* action = menu->addAction(qs(name));
        connect(action, &QAction::triggered, this, [this, name] { addPreset(name); });
    }
    m_add->setMenu(menu);
    auto* duplicate = button(tr("Copy"), QStringLiteral("duplicateScenarioButton"),
                             tr("Copy the selected scenario"), this);
    auto* edit = button(tr("Edit…"), QStringLiteral("editScenarioButton"),
                        tr("Edit formats, sparsity, low rank, KV cache, overrides"), this);
    auto* remove = button(tr("Delete"), QStringLiteral("deleteScenarioButton"),
                          tr("Delete the selected scenario"), this);
    auto* load = button(tr("Load…"), QStringLiteral("loadScenarioButton"),
                        tr("Load a scenario from a JSON file"), this);
    auto* save = button(tr("Save…"), QStringLiteral("saveScenarioButton"),
                        tr("Save the selected scenario as JSON"), this);
    for (auto* b : {m_add, duplicate, edit, remove, load, save}) {
        bar->addWidget(b);
    }
    bar->addStretch(1);
    layout->addLayout(bar);

    m_model = new ScenarioListModel(this);
    m_table = new QTableView(this);
    m_table->setObjectName(QStringLiteral("scenarioTable"));
    m_table->setModel(m_model);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->setEditTriggers(QAbstractItemView::EditKeyPressed |
                             QAbstractItemView::SelectedClicked);
    m_table->setToolTip(
        tr("Checked scenarios are analysed; the first is the baseline of "
           "comparisons. Double-click to edit."));
    layout->addWidget(m_table, 1);

    m_error = new QLabel(this);
    m_error->setObjectName(QStringLiteral("scenarioError"));
    m_error->setWordWrap(true);
    m_error->setStyleSheet(QStringLiteral("color: #c0392b;"));
    m_error->hide();
    layout->addWidget(m_error);

    connect(duplicate, &QToolButton::clicked, this, &ScenarioPanel::duplicateCurrent);
    connect(edit, &QToolButton::clicked, this, &ScenarioPanel::editCurrent);
    connect(remove, &QToolButton::clicked, this, &ScenarioPanel::deleteCurrent);
    connect(m_table, &QTableView::doubleClicked, this, [this] { editCurrent(); });
    connect(load, &QToolButton::clicked, this, [this] {
        const QString path = QFileDialog::getOpenFileName(
            this, tr("Load scenario"), dialogDirectory(), tr("Scenario (*.json);;All files (*)"));
        if (!path.isEmpty()) {
            rememberDialogDirectory(path);
            loadFile(path);
        }
    });
    connect(save, &QToolButton::clicked, this, [this] {
        const int row = currentRow();
        if (row < 0) {
            return;
        }
        const QString name = qs(m_model->items()[static_cast<std::size_t>(row)].scenario.name);
        const QString path = QFileDialog::getSaveFileName(
            this, tr("Save scenario"),
            dialogDirectory() + QLatin1Char('/') + name + QStringLiteral(".json"),
            tr("Scenario (*.json);;All files (*)"));
        if (!path.isEmpty()) {
            rememberDialogDirectory(path);
            saveCurrent(path);
        }
    });
    connect(m_model, &QAbstractItemModel::dataChanged, this, &ScenarioPanel::changed);
    connect(m_model, &QAbstractItemModel::rowsInserted, this, &ScenarioPanel::changed);
    connect(m_model, &QAbstractItemModel::rowsRemoved, this, &ScenarioPanel::changed);
    connect(m_model, &QAbstractItemModel::modelReset, this, &ScenarioPanel::changed);
}

void ScenarioPanel::setItems(std::vector<ScenarioItem> items) {
    m_model->setItems(std::move(items));
    m_table->resizeColumnToContents(ScenarioListModel::Name);
    setCurrentRow(0);
}

std::vector<ScenarioInput> ScenarioPanel::enabledInputs(const WorkloadFamily* family) {
    std::vector<ScenarioInput> out;
    QStringList problems;
    for (const auto& item : m_model->items()) {
        if (!item.enabled) {
            continue;
        }
        ScenarioInput input;
        input.name = item.scenario.name;
        if (!isUncompressed(item.scenario)) {
            input.scenario = item.scenario;
        }
        if (!item.tokenSchedule.empty()) {
            if (family == nullptr || !family->usesTokenSchedule()) {
                input.options = {};  // only ViTs reduce tokens; other families ignore it
            } else if (auto options = family->parseOptions(item.tokenSchedule); options) {
                input.options = options.value();
            } else {
                problems << qs(item.scenario.name) + QStringLiteral(": ") +
                                qs(options.error().message);
                continue;
            }
        }
        out.push_back(std::move(input));
    }
    showError(problems.join(QLatin1Char('\n')));
    return out;
}

int ScenarioPanel::currentRow() const {
    const QModelIndex index = m_table->currentIndex();
    return index.isValid() ? index.row() : (m_model->rowCount() > 0 ? 0 : -1);
}

void ScenarioPanel::setCurrentRow(int row) {
    if (row >= 0 && row < m_model->rowCount()) {
        m_table->setCurrentIndex(m_model->index(row, 0));
    }
}

bool ScenarioPanel::addPreset(const std::string& name) {
    auto scenario = core::resolveScenario(name);
    if (!scenario) {
        showError(qs(scenario.error().message));
        return false;
    }
    ScenarioItem item;
    item.scenario = std::move(scenario).value();
    item.scenario.name = m_model->uniqueName(item.scenario.name);
    setCurrentRow(m_model->add(std::move(item)));
    showError({});
    return true;
}

void ScenarioPanel::addNew() {
    ScenarioItem item;
    item.scenario.name = m_model->uniqueName("new scenario");
    item.scenario.weights = makeFormat(core::DataType::int4, 128, core::DataType::fp16);
    const int row = m_model->add(std::move(item));
    setCurrentRow(row);
    if (!editCurrent()) {
        m_model->remove(row);
    }
}

void ScenarioPanel::duplicateCurrent() {
    const int row = currentRow();
    if (row < 0) {
        return;
    }
    ScenarioItem copy = m_model->items()[static_cast<std::size_t>(row)];
    copy.scenario.name = m_model->uniqueName(copy.scenario.name + " copy");
    setCurrentRow(m_model->add(std::move(copy)));
}

void ScenarioPanel::deleteCurrent() {
    const int row = currentRow();
    if (row >= 0) {
        m_model->remove(row);
        setCurrentRow(std::min(row, m_model->rowCount() - 1));
    }
}

bool ScenarioPanel::editCurrent() {
    const int row = currentRow();
    if (row < 0) {
        return false;
    }
    ScenarioItem item = m_model->items()[static_cast<std::size_t>(row)];
    const std::string oldName = item.scenario.name;
    bool accepted = false;
    if (m_editHook) {
        accepted = m_editHook(item);
    } else {
        ScenarioEditor editor(item, m_family, this);
        accepted = editor.exec() == QDialog::Accepted;
        if (accepted) {
            item = editor.item();
        }
    }
    if (!accepted) {
        return false;
    }
    if (item.scenario.name != oldName) {
        item.scenario.name = m_model->uniqueName(item.scenario.name);
    }
    const bool enabled = m_model->items()[static_cast<std::size_t>(row)].enabled;
    auto items = m_model->items();
    items[static_cast<std::size_t>(row)] = item;
    items[static_cast<std::size_t>(row)].enabled = enabled;
    m_model->setItems(std::move(items));
    setCurrentRow(row);
    return true;
}

bool ScenarioPanel::loadFile(const QString& path) {
    auto scenario = core::loadScenario(toStd(path));
    if (!scenario) {
        showError(qs(scenario.error().message));
        return false;
    }
    ScenarioItem item;
    item.scenario = std::move(scenario).value();
    item.scenario.name = m_model->uniqueName(item.scenario.name);
    setCurrentRow(m_model->add(std::move(item)));
    showError({});
    return true;
}

bool ScenarioPanel::saveCurrent(const QString& path) {
    const int row = currentRow();
    if (row < 0) {
        return false;
    }
    const auto status = core::writeFileAtomic(
        toStd(path),
        core::serializeScenario(m_model->items()[static_cast<std::size_t>(row)].scenario));
    if (!status) {
        showError(qs(status.error().message));
        return false;
    }
    showError({});
    return true;
}

QString ScenarioPanel::errorText() const {
    return m_error->isHidden() ? QString() : m_error->text();
}

void ScenarioPanel::showError(const QString& text) {
    m_error->setText(text);
    m_error->setVisible(!text.isEmpty());
}

}  // namespace rooflens::ui
