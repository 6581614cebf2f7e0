// graft-cli summary MODEL [--json] [--expand]: Keras's model.summary() table (nested models one
// row each, or expanded), or its JSON form.
#include "cli/cli_context.h"
#include "graph/summary.h"
#include "io/json_file.h"
#include "runtime/prediction/predict_output.h"

namespace graft::cli {

void registerSummaryCommand(CLI::App& app) {
  auto* cmd = app.add_subcommand("summary", "print the layers, output shapes and parameter counts");
  auto args = std::make_shared<ModelArguments>();
  auto json = std::make_shared<bool>(false);
  auto expand = std::make_shared<bool>(false);
  args->addTo(*cmd);
  cmd->add_flag("--json", *json, "print one JSON object instead of the table");
  cmd->add_flag("--expand", *expand,
                "list the layers inside nested models (Keras's expand_nested); without it a "
                "nested model is one row with its totals");
  cmd->callback([cmd, args, json, expand] {
    LoadedModel loaded = loadModelReporting(args->spec(*cmd), args->quiet);
    // Class names that do not fit the output: refused as predict, export and train refuse them
    // (a summary is where a user checks the model before using it).
    try {
      checkModelLabels(loaded.model);
    } catch (const Error& e) {
      const Diagnostics& d = e.diagnostics();
      if (!args->labels.empty() && d.size() == 1 && d.front().subject == "labels")
        throw Error(Diagnostic{args->labels, d.front().message});
      throw Error(args->source + ": " + e.what());
    }
    const GraphAnalysis analysis = analyze(loaded.model.graph);
    const int64_t trainedAt = loaded.model.trainedInputSize;
    if (*json) {
      Json summary = summaryJson(loaded.model.graph, analysis);
      if (trainedAt > 0) summary["trained_input_size"] = trainedAt;
      std::cout << jsonText(summary) << "\n";
    } else {
      std::cout << formatSummary(loaded.model.graph, analysis, SummaryOptions{*expand});
      if (trainedAt > 0)
        std::cout << "Trained at " << trainedAt << " x " << trainedAt
                  << " (its free input's size when none is given)\n";
    }
    if (!analysis.ok()) throw Error(analysis.diagnostics);
  });
}

}  // namespace graft::cli
