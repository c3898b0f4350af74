#pragma once
// MemoryBar: weights, KV cache and activations as a stacked bar against the device's memory
// capacity; turns red past the capacity.
#include <QWidget>

namespace rooflens::ui {

class MemoryBar : public QWidget {
    Q_OBJECT
public:
    explicit MemoryBar(QWidget* parent = nullptr);

    void setValues(double weightsBytes, double kvCacheBytes, double activationBytes,
                   double capacityBytes);
    double totalBytes() const { return m_weights + m_kv + m_activations; }
    double capacityBytes() const { return m_capacity; }
    bool overCapacity() const { return m_capacity > 0 && totalBytes() > m_capacity; }
    QString text() const;       // "14.5 GB of 80 GB (18 %)"
    QString shortText() const;  // "18 % of 80 GB", for a narrow dock

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

protected:
    void paintEvent(QPaintEvent* event) override;

private:
    double m_weights = 0;
    double m_kv = 0;
    double m_activations = 0;
    double m_capacity = 0;
};

}  // namespace rooflens::ui
