// graft-cli edit MODEL --recipe RECIPE.json -o OUT.graft: applies a recipe (surgery as data) and
// saves the result as a project that remembers the recipe.
#include <cctype>
#include <filesystem>

#include "cli/cli_context.h"
#include "cli/interrupt.h"
#include "cli/spec_options.h"
#include "graph/summary.h"
#include "io/json_file.h"
#include "io/project_file.h"
#include "io/recipe.h"
#include "pipeline/recipe_with_labels.h"
#include "run/counted.h"
#include "runtime/fusion/fuse_with_samples.h"

namespace graft::cli {

void registerEditCommand(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "edit",
      "apply a surgery recipe (cut, stack, insert, remove, replace, fuse, freeze, ...) "
      "and save the result as a .graft project");
  auto args = std::make_shared<ModelArguments>();
  auto recipe = std::make_shared<std::string>();
  auto output = std::make_shared<std::string>();
  auto json = std::make_shared<bool>(false);
  auto samples = std::make_shared<std::string>();
  auto sampleCount = std::make_shared<int64_t>(16);
  auto device = std::make_shared<std::string>("auto");
  args->addTo(*cmd);
  cmd->add_option("--recipe", *recipe,
                  "recipe JSON: {\"graft_recipe\": 1, \"operations\": [...]} (docs/recipes.md)")
      ->required();  // a missing file is bad input (exit 1, named), not a usage error
  cmd->add_option("-o,--output", *output, "the .graft project to write")->required();
  cmd->add_option("--samples", *samples,
                  "a folder of sample images (e.g. the training folder): with it, a fuse of two "
                  "Conv2D with a nonlinearity between them is fitted by least squares to the "
                  "pair's activations on these images, and its error is reported");
  cmd->add_option("--sample-count", *sampleCount,
                  "how many images of --samples to fit on, spread over the folder")
      ->check(CLI::Range(int64_t{1}, int64_t{4096}))
      ->capture_default_str();
  addDeviceOption(*cmd, *device);  // where the fit with --samples computes
  cmd->add_flag("--json", *json,
                "print one JSON object: file, layers, total_params, trainable_params, "
                "operations, notes");
  cmd->callback([cmd, args, recipe, output, json, samples, sampleCount, device] {
    const ModelSpec spec = args->spec(*cmd);  // usage errors first
    // Refused before anything is read.
    requireProjectName(*output,
                       "edit writes a Graft project: name it *.graft (Keras, TorchScript and ONNX "
                       "files come from graft-cli export)");
    const Json operations = readRecipeFile(*recipe);
    std::error_code ec;
    if (!samples->empty() && !std::filesystem::is_directory(*samples, ec))
      throw Error(*samples +
                  (std::filesystem::exists(*samples, ec) ? ": not a folder" : ": no such folder") +
                  " (--samples takes a folder of images)");
    LoadedModel loaded = loadModelReporting(spec, args->quiet);
    EditOptions options;
    options.seed = args->seed;
    RecipeStepRunner steps;
    if (!samples->empty())
      steps =
          stepsWithFolderSamples(*samples, *sampleCount, args->inputSize ? args->inputSize : 224,
                                 *parseDeviceChoice(*device));
    // --labels names the edited model's classes (refused when they do not fit it: a project
    // predict and export would refuse).
    Expected<RecipeResult> result =
        applyRecipeNamingItsClasses(loaded.model, operations, args->labels, options, steps);
    if (!result)
      throw Error(*recipe + ": recipe failed, nothing was written:\n" +
                  joinDiagnostics(result.diagnostics()));
    if (!args->quiet)
      for (const auto& note : result->notes) std::cerr << "graft-cli: " << note << "\n";
    {
      const TemporaryFileSweep sweep({*output});  // Ctrl-C mid-save leaves no temporary file
      saveProject(result->model, *output);
    }
    const GraphAnalysis analysis = analyze(result->model.graph);
    if (*json) {
      std::cout << jsonText(Json{{"file", *output},
                                 {"layers", result->model.graph.size()},
                                 {"total_params", analysis.totalParams},
                                 {"trainable_params", analysis.trainableParams},
                                 {"operations", operations.size()},
                                 {"notes", result->notes}})
                << "\n";
      return;
    }
    std::cout << "wrote " << *output << ": " << result->model.graph.size() << " layers, "
              << withThousands(analysis.totalParams) << " parameters ("
              << withThousands(analysis.trainableParams) << " trainable), "
              << counted(static_cast<int64_t>(operations.size()), "recipe operation applied",
                         "recipe operations applied")
              << "\n";
  });
}

}  // namespace graft::cli
