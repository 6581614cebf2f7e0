#pragma once
// Runs one piece of long work (loading, saving, exporting a model) on its own thread and hands
// the outcome back to the GUI thread as a queued call, so the window keeps painting. Errors
// thrown by the work arrive as their message.
#include <QObject>
#include <QString>
#include <functional>

namespace graft::ui {

// `work` runs on a new thread; afterwards `done` runs on `context`'s thread with an empty
// string on success or the exception's message. Nothing runs if `context` is gone by then.
void runInBackground(QObject* context, std::function<void()> work,
                     std::function<void(const QString& error)> done);

// Waits until every piece of work runInBackground started has ended. main() calls it when the
// event loop has returned, before anything is destroyed: a prediction still computing when the
// window closed ran into oneDNN's statics as the process tore them down (SIGSEGV on quit, 6 of
// 8 tries). Their `done` calls do not run (no event loop any more).
void waitForBackgroundWork();

}  // namespace graft::ui
