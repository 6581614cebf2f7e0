#pragma once
// The training doctor's findings on the training panel (runtime/training/training_doctor.h): one
// row per kind of finding, what is wrong in bold and the doctor's fix below it, and a button beside
// it when the panel can apply the fix itself (ui/doc/doctor_fixes.h). Amber, like a warning; hidden
// while there is nothing to say; many findings scroll. The banner only shows and reports clicks:
// the panel applies.
#include <QFrame>
#include <QMap>
#include <QString>
#include <QStringList>

class QLabel;
class QPushButton;
class QScrollArea;
class QVBoxLayout;

namespace graft::ui {

class DoctorBanner : public QFrame {
  Q_OBJECT
 public:
  explicit DoctorBanner(QWidget* parent = nullptr);

  // Adds a finding unless one with this code is shown already (false then). `fix` empty: the
  // message says it all (an advisor's warning); `fixLabel` empty: no button.
  bool addFinding(const QString& code, const QString& message, const QString& fix,
                  const QString& fixLabel);
  // Removes the finding with this code (false when none is shown); hides an empty banner.
  bool removeFinding(const QString& code);
  // Removes every finding and hides the banner (a new run starts).
  void clear();
  // A line under the findings ("Stopping the run to apply the fix…"); empty removes it.
  void setStatus(const QString& text);
  // While false the buttons are disabled (a fix is being applied).
  void setFixesEnabled(bool enabled);

  bool hasFinding(const QString& code) const { return rows_.contains(code); }
  QStringList codes() const { return order_; }
  // Every finding's text, as plain text, one per line (then the status line).
  QString text() const;
  // The fix button of a finding; null when it has none.
  QPushButton* fixButton(const QString& code) const;

 Q_SIGNALS:
  void fixRequested(const QString& code);

 protected:
  void resizeEvent(QResizeEvent* event) override;

 private:
  // The findings take the height their wrapped text needs at the banner's width, up to a
  // third of the panel, and scroll beyond: never squeezed into overlapping lines.
  void fitHeight();
  struct Row {
    QWidget* widget = nullptr;
    QLabel* label = nullptr;
    QPushButton* button = nullptr;
  };
  QScrollArea* scroll_;
  QWidget* rowsWidget_;
  QVBoxLayout* rowsLayout_;
  QLabel* status_;
  QMap<QString, Row> rows_;
  QStringList order_;  // codes in the order they came
};

}  // namespace graft::ui
