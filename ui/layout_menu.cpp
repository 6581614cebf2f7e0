#include "ui/layout_menu.h"

#include <QAction>
#include <QActionGroup>
#include <QMenu>
#include <QSettings>

#include "ui/graph_scene.h"
#include "ui/graph_view.h"

namespace graft::ui {

QMenu* createLayoutMenu(GraphView* view, QWidget* parent) {
  using Arrangement = GraphScene::Arrangement;
  GraphScene* scene = view->graphScene();
  auto* menu = new QMenu(QObject::tr("&Layout"), parent);
  auto* group = new QActionGroup(menu);
  const struct {
    Arrangement arrangement;
    const char* text;
    const char* tip;
  } choices[] = {
      {Arrangement::TopToBottom, "&Top to Bottom", "One column, input at the top"},
      {Arrangement::WrappedColumns, "&Columns Fitting the Window",
       "Long chains continue in the next column so the whole graph fills the window"},
      {Arrangement::LeftToRight, "&Left to Right",
       "Input on the left, for wide screens (freeze from the menus: no freeze boundary)"},
  };
  QSettings settings;
  // Columns by default: a long chain fills the window and can be read when fitted whole.
  const int remembered =
      settings
          .value(QStringLiteral("view/arrangement"), static_cast<int>(Arrangement::WrappedColumns))
          .toInt();
  const bool compact = settings.value(QStringLiteral("view/compact"), false).toBool();
  for (const auto& choice : choices) {
    QAction* action = menu->addAction(QObject::tr(choice.text));
    action->setToolTip(QObject::tr(choice.tip));
    action->setCheckable(true);
    action->setData(static_cast<int>(choice.arrangement));
    action->setChecked(static_cast<int>(choice.arrangement) == remembered);
    group->addAction(action);
  }
  if (!group->checkedAction()) group->actions().front()->setChecked(true);
  menu->addSeparator();
  QAction* compactAction = menu->addAction(QObject::tr("C&ompact Cards"));
  compactAction->setToolTip(
      QObject::tr("Smaller cards with name and type; tensor shapes written on the connections"));
  compactAction->setCheckable(true);
  compactAction->setChecked(compact);
  QObject::connect(group, &QActionGroup::triggered, menu, [view, scene, group, compactAction] {
    const auto arrangement = static_cast<Arrangement>(group->checkedAction()->data().toInt());
    QSettings().setValue(QStringLiteral("view/arrangement"), static_cast<int>(arrangement));
    scene->setArrangement(arrangement, compactAction->isChecked());
    view->fitAll();
  });
  QObject::connect(compactAction, &QAction::toggled, menu, [view, scene, group](bool small) {
    QSettings().setValue(QStringLiteral("view/compact"), small);
    scene->setArrangement(static_cast<Arrangement>(group->checkedAction()->data().toInt()), small);
    view->fitAll();
  });
  scene->setArrangement(static_cast<Arrangement>(group->checkedAction()->data().toInt()), compact);
  return menu;
}

}  // namespace graft::ui
