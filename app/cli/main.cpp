// graft-cli: Graft without a display, on the same core code as the desktop application.
#include <algorithm>
#include <iostream>
#include <set>
#include <string>

#include "cli/cli_context.h"
#include "cli/man_page.h"
#include "cli/spec_options.h"
#include "io/hdf5_messages.h"
#include "io/json_file.h"
#include "io/zoo_option_error.h"
#include "runtime/data/opencv_messages.h"
#include "runtime/system/error_text.h"
#include "runtime/system/memory_policy.h"
#include "runtime/system/threads.h"

namespace {

// The command asked for --json, when it leaves its failures to main: a script reading stdout
// gets one object then too ({"error": ...}), not nothing. `run` and `train` print their own
// (with the steps, or what the file holds), `predict` its own per failed image and for a
// failure before them; `probe` may have printed its report before a cut failed, and `zoo`
// prints one object per line, which an error line would break.
bool failsInJson(const CLI::App& app) {
  const std::set<std::string> printOwn{"run", "train", "probe", "predict", "zoo"};
  for (const CLI::App* command : app.get_subcommands()) {
    if (printOwn.count(command->get_name())) return false;
    if (const CLI::Option* json = command->get_option_no_throw("--json"); json && json->count())
      return true;
  }
  return false;
}

}  // namespace

int main(int argc, char** argv) {
  // Commands that run networks start graft-cli again with OpenMP threads that spin only briefly
  // before they sleep (runtime/system/threads.h); the others are not worth a second start of the
  // libraries.
  const std::set<std::string> computing{"train", "predict", "eval", "run", "advise"};
  if (argc > 1 && computing.count(argv[1])) graft::useShortOpenMpSpin(argv);
  graft::h5::turnOffLibraryMessages();
  graft::turnOffOpenCvMessages();
  CLI::App app{"Graft: transfer learning by model surgery on Keras networks, headless.",
               "graft-cli"};
  app.set_version_flag("--version", std::string("graft-cli ") + GRAFT_VERSION);
  app.add_flag_callback(
      "--man",
      [&app] {
        std::cout << graft::cli::manPage(app);
        throw CLI::Success();
      },
      "print the manual page (troff; man -l <(graft-cli --man)) and exit");
  app.require_subcommand(1);
  graft::cli::registerZooCommand(app);
  graft::cli::registerSummaryCommand(app);
  graft::cli::registerPredictCommand(app);
  graft::cli::registerEditCommand(app);
  graft::cli::registerAdviseCommand(app);
  graft::cli::registerProbeCommand(app);
  graft::cli::registerTrainCommand(app);
  graft::cli::registerEvalCommand(app);
  graft::cli::registerSampleDataCommand(app);
  graft::cli::registerExportCommand(app);
  graft::cli::registerFetchWeightsCommand(app);
  graft::cli::registerRunCommand(app);
  graft::cli::refuseEmptyValues(app);
  // CLI11 would answer "A subcommand is required" to `graft-cli trian`: name the word instead.
  std::string known;
  bool isCommand = false;
  for (const CLI::App* command : app.get_subcommands([](CLI::App*) { return true; })) {
    known += (known.empty() ? "" : ", ") + command->get_name();
    isCommand = isCommand || (argc > 1 && command->get_name() == argv[1]);
  }
  if (argc > 1 && argv[1][0] != '-' && !isCommand) {
    std::cerr << "graft-cli: unknown command '" << argv[1] << "' (commands: " << known
              << "; graft-cli --help)\n";
    return 2;
  }
  try {
    graft::useAllCoresForTorch();
    graft::keepFreedMemoryForReuse();
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : 2;  // usage errors exit 2, as DESIGN.md's contract says
  } catch (const graft::ZooOptionRefused& e) {
    // An option the architecture does not take is a usage error wherever a zoo name (or a file
    // recognised as a zoo architecture) is the model, as fetch-weights says it: named by flag.
    std::string flag = "--" + e.option();
    std::replace(flag.begin(), flag.end(), '_', '-');
    app.exit(CLI::ValidationError(flag, e.what()));
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "graft-cli: error: " << graft::errorText(e) << "\n";
    if (failsInJson(app)) std::cout << graft::jsonText({{"error", graft::errorText(e)}}) << "\n";
    return 1;
  }
  return 0;
}
