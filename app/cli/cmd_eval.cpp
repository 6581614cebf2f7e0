// graft-cli eval MODEL --data DIR [--json]: accuracy, loss, per-class precision / recall and the
// confusion matrix of a model on an image folder (runtime/prediction/evaluate.h), the pipeline
// runner's eval step (cli/command_pipeline.h).
#include <iomanip>
#include <optional>
#include <sstream>

#include "cli/command_pipeline.h"
#include "cli/spec_options.h"
#include "cli/text_columns.h"
#include "io/json_file.h"
#include "run/eval_spec.h"
#include "runtime/prediction/evaluate.h"

namespace graft::cli {

namespace {

void printReport(const EvalReport& report) {
  std::cout << std::fixed << std::setprecision(4) << "accuracy " << report.accuracy << "  loss "
            << report.loss << "  images " << report.count << "\n\n";
  size_t width = 5;
  for (const auto& c : report.classes) width = std::max(width, terminalColumns(c));
  std::cout << padToColumns("class", width) << std::setw(11) << "precision" << std::setw(9)
            << "recall" << std::setw(8) << "count"
            << "\n";
  const auto cell = [](const std::optional<double>& v, int w) {
    std::ostringstream out;
    out << std::fixed << std::setprecision(4) << std::setw(w);
    if (v)
      out << *v;
    else
      out << "-";  // never predicted / no images: undefined, not 0
    return out.str();
  };
  for (const auto& c : report.perClass)
    std::cout << padToColumns(c.name, width) << cell(c.precision, 11) << cell(c.recall, 9)
              << std::setw(8) << c.count << "\n";
  std::cout << "\nconfusion matrix (rows: true class, columns: predicted)\n";
  for (size_t r = 0; r < report.confusion.size(); ++r) {
    std::cout << padToColumns(report.classes[r], width);
    for (auto v : report.confusion[r]) std::cout << std::setw(7) << v;
    std::cout << "\n";
  }
}

}  // namespace

void registerEvalCommand(CLI::App& app) {
  auto* cmd = app.add_subcommand("eval", "measure the model on a folder of labelled images");
  auto args = std::make_shared<ModelArguments>();
  auto spec = std::make_shared<EvalSpec>();
  auto json = std::make_shared<bool>(false);
  args->addTo(*cmd);
  addSpecOptions(*cmd, evalSpecFields(), spec);  // --data, --batch-size (run/eval_spec.h)
  cmd->add_flag("--json", *json, "print one JSON object (README, Training) instead of the table");
  cmd->callback([cmd, args, spec, json] {
    Pipeline pipeline = commandPipeline(*args, *cmd);
    pipeline.eval = *spec;
    CliObserver notes(args->quiet);
    const EvalReport report = *runCommandPipeline(pipeline, notes).evaluation;
    if (!args->quiet)
      for (const auto& [path, reason] : report.skippedFiles)
        std::cerr << "graft-cli: skipped unreadable file: " << reason << "\n";
    if (*json)
      std::cout << jsonText(evalReportJson(report)) << "\n";
    else
      printReport(report);
  });
}

}  // namespace graft::cli
