#include "ui/deployment_panel.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFormLayout>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QSpinBox>

#include "format.h"
#include "hwdb/systems.h"

namespace rooflens::ui {

DeploymentPanel::DeploymentPanel(QWidget* parent) : QWidget(parent) {
    auto* form = new QFormLayout(this);
    m_system = new QComboBox;
    m_system->setObjectName(QStringLiteral("deploymentSystem"));
    m_system->setToolTip(
        tr("A built-in system (devices, nodes, links), or the selected "
           "devices with their own interconnect"));
    m_system->addItem(tr("Selected device(s)"), QString());
    // Long system names must not widen the dock (and the window past 1440 pixels).
    m_system->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_system->setMinimumContentsLength(16);
    form->addRow(tr("&System"), m_system);
    auto* degrees = new QGridLayout;  // two rows of two: the dock stays narrow
    m_tp = degreeBox(QStringLiteral("deploymentTp"), tr("Tensor parallelism (Megatron split)"));
    m_ep = degreeBox(QStringLiteral("deploymentEp"), tr("Expert parallelism (MoE models)"));
    m_pp = degreeBox(QStringLiteral("deploymentPp"), tr("Pipeline stages"));
    m_dp = degreeBox(QStringLiteral("deploymentDp"), tr("Data-parallel replicas"));
    int cell = 0;
    for (auto [label, box] : {std::pair{tr("TP"), m_tp}, std::pair{tr("EP"), m_ep},
                              std::pair{tr("PP"), m_pp}, std::pair{tr("DP"), m_dp}}) {
        auto* text = new QLabel(label);
        text->setBuddy(box);
        degrees->addWidget(text, cell / 2, (cell % 2) * 2);
        degrees->addWidget(box, cell / 2, (cell % 2) * 2 + 1);
        ++cell;
    }
    degrees->setColumnStretch(1, 1);
    degrees->setColumnStretch(3, 1);
    form->addRow(tr("Plan"), degrees);
    m_microBatches = degreeBox(QStringLiteral("deploymentMicroBatches"),
                               tr("Prefill micro-batches through the pipeline (GPipe)"));
    form->addRow(tr("&Micro-batches"), m_microBatches);
    m_overlap = new QCheckBox(tr("Overlap communication with compute"));
    m_overlap->setObjectName(QStringLiteral("deploymentOverlap"));
    form->addRow(m_overlap);
    m_compare = new QLineEdit;
    m_compare->setObjectName(QStringLiteral("deploymentComparePlans"));
    m_compare->setPlaceholderText(tr("e.g. TP8, TP4 PP2, TP2 EP4"));
    m_compare->setToolTip(
        tr("Plans to compare side by side on the chart, in the totals and in "
           "the Compare tab (each with the micro-batches and overlap above)"));
    form->addRow(tr("&Compare plans"), m_compare);
    connect(m_compare, &QLineEdit::editingFinished, this, [this] {
        updateSummary();
        if (!m_setting) {
            Q_EMIT changed();
        }
    });
    m_summary = new QLabel;
    m_summary->setObjectName(QStringLiteral("deploymentSummary"));
    m_summary->setWordWrap(true);
    form->addRow(m_summary);
    connect(m_system, &QComboBox::currentIndexChanged, this, [this] {
        updateSummary();
        if (!m_setting) {
            Q_EMIT changed();
        }
    });
    connect(m_overlap, &QCheckBox::toggled, this, [this] {
        if (!m_setting) {
            Q_EMIT changed();
        }
    });
    updateSummary();
}

QSpinBox* DeploymentPanel::degreeBox(const QString& name, const QString& tip) {
    auto* box = new QSpinBox;
    box->setObjectName(name);
    box->setRange(1, 1024);
    box->setToolTip(tip);
    box->setKeyboardTracking(false);
    connect(box, &QSpinBox::valueChanged, this, [this] {
        updateSummary();
        if (!m_setting) {
            Q_EMIT changed();
        }
    });
    return box;
}

void DeploymentPanel::setDatabase(const hwdb::Database& db) {
    const std::string current = systemId();
    m_setting = true;
    m_systems.clear();
    while (m_system->count() > 1) {
        m_system->removeItem(1);
    }
    QStringList failed;
    for (const auto& id : hwdb::listSystems()) {
        auto system = hwdb::resolveSystem(id, db);
        if (!system) {
            failed << qs(system.error().message);
            continue;
        }
        m_system->addItem(qs(system->id + " (" + std::to_string(system->devices()) + " x " +
                             system->device.id + ")"),
                          qs(system->id));
        m_systems.push_back(std::move(system).value());
    }
    const int index = m_system->findData(qs(current));
    m_system->setCurrentIndex(std::max(0, index));
    m_setting = false;
    m_system->setToolTip(failed.isEmpty() ? m_system->toolTip() : failed.join(QLatin1Char('\n')));
    updateSummary();
}

core::Deployment DeploymentPanel::deployment() const {
    core::Deployment d;
    d.tensorParallel = m_tp->value();
    d.expertParallel = m_ep->value();
    d.pipelineParallel = m_pp->value();
    d.dataParallel = m_dp->value();
    d.microBatches = m_microBatches->value();
    d.overlapCommunication = m_overlap->isChecked();
    return d;
}

std::optional<core::System> DeploymentPanel::system() const {
    const int index = m_system->currentIndex() - 1;
    if (index < 0 || index >= static_cast<int>(m_systems.size())) {
        return std::nullopt;
    }
    return m_systems[static_cast<std::size_t>(index)];
}

std::string DeploymentPanel::systemId() const {
    return toStd(m_system->currentData().toString());
}

void DeploymentPanel::setDeployment(const core::Deployment& d, const std::string& systemId) {
    m_setting = true;
    m_tp->setValue(d.tensorParallel);
    m_ep->setValue(d.expertParallel);
    m_pp->setValue(d.pipelineParallel);
    m_dp->setValue(d.dataParallel);
    m_microBatches->setValue(d.microBatches);
    m_overlap->setChecked(d.overlapCommunication);
    m_system->setCurrentIndex(std::max(0, m_system->findData(qs(systemId))));
    m_setting = false;
    updateSummary();
}

QString DeploymentPanel::summary() const {
    const core::Deployment d = deployment();
    const auto s = system();
    QString text = qs(core::planName(d));
    if (s) {
        text +=
            tr(": %1 of the %2 devices of %3").arg(d.devices()).arg(s->devices()).arg(qs(s->id));
    } else if (d.single()) {
        text += tr(": one device");
    } else {
        text += tr(": %1 of the selected device, over its own links").arg(d.devices());
    }
    return text;
}

std::vector<core::Deployment> DeploymentPanel::comparePlans() const {
    auto plans = core::parsePlanList(toStd(m_compare->text()));
    if (!plans) {
        return {};
    }
    const core::Deployment base = deployment();
    for (core::Deployment& d : *plans) {
        d.microBatches = base.microBatches;
        d.overlapCommunication = base.overlapCommunication;
    }
    return std::move(plans).value();
}

void DeploymentPanel::setComparePlans(const QString& text) {
    m_compare->setText(text);
    updateSummary();
    if (!m_setting) {
        Q_EMIT changed();
    }
}

QString DeploymentPanel::comparePlansText() const {
    return m_compare->text();
}

void DeploymentPanel::updateSummary() {
    QString text = summary();
    if (!m_compare->text().trimmed().isEmpty()) {
        auto plans = core::parsePlanList(toStd(m_compare->text()));
        text += QLatin1Char('\n') +
                (plans ? tr("Comparing %n plan(s)", nullptr, static_cast<int>(plans->size()))
                       : qs(plans.error().message));
    }
    m_summary->setText(text);
}

}  // namespace rooflens::ui
