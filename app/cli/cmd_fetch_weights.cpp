// graft-cli fetch-weights: downloads a Keras Applications weights file into Keras's cache (the
// same core code as the desktop's download button), with a progress bar on a terminal.
#include <cctype>
#include <cstdlib>

#include "cli/cli_context.h"
#include "cli/interrupt.h"
#include "cli/terminal_progress.h"
#include "io/fetch/fetch_weights.h"

namespace graft::cli {

namespace {

struct FetchArguments {
  std::string name;
  double alpha = 1.0;
  int64_t inputSize = 0;
  bool includeTop = false;
  bool noTop = false;
  bool quiet = false;
};

std::string progressLine(const fetch::DownloadProgress& p) {
  std::string line;
  if (p.total > 0)
    line = progressBar(static_cast<double>(p.received) / static_cast<double>(p.total)) + " " +
           formatBytes(static_cast<double>(p.received)) + " of " +
           formatBytes(static_cast<double>(p.total));
  else
    line = formatBytes(static_cast<double>(p.received));
  line += "  " + formatBytes(p.bytesPerSecond) + "/s";
  if (p.secondsLeft >= 0) line += "  " + formatDuration(p.secondsLeft) + " left";
  return line;
}

void run(const FetchArguments& a) {
  zoo::ZooOptions options;
  options.architecture = a.name;  // zoo names are lower case; MODEL arguments accept any case
  for (char& c : options.architecture)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  options.alpha = a.alpha;
  if (a.inputSize > 0) options.inputSize = a.inputSize;
  options.includeTop = !a.noTop;
  const std::string cache = kerasCacheDir(std::getenv("KERAS_HOME"), std::getenv("HOME"));
  const std::string base = fetch::weightsBaseUrl(std::getenv("GRAFT_WEIGHTS_BASE_URL"), "");
  const fetch::FetchRequest request = fetch::zooFetchRequest(options, cache, base);

  const bool showBar = !a.quiet && stderrIsTerminal();
  TerminalBar bar;
  const fetch::ProgressCallback progress = [&](const fetch::DownloadProgress& p) {
    if (showBar) bar.show(progressLine(p));
  };
  if (!a.quiet) std::cerr << "graft-cli: fetching " << request.url << "\n";
  fetch::FetchResult result;
  try {
    const InterruptScope interrupt;  // Ctrl-C or SIGTERM: stop, keep the part received
    result = fetch::fetchWeights(request, progress, InterruptScope::flag());
  } catch (const fetch::DownloadCancelled&) {
    bar.clear();
    throw Error(Diagnostic{request.fileName, "download interrupted; the part received is kept in " +
                                                 fetch::partialPath(request) +
                                                 ": fetch again to resume"});
  } catch (...) {
    bar.clear();
    throw;
  }
  bar.clear();
  if (!a.quiet && !result.replacedDamaged.empty())
    std::cerr << "graft-cli: replaced the damaged " << result.replacedDamaged << "\n";
  if (!a.quiet)
    std::cerr << "graft-cli: "
              << (result.alreadyInstalled ? result.check : "verified, " + result.check) << "\n";
  std::cout << result.path << "\n";
}

}  // namespace

void registerFetchWeightsCommand(CLI::App& app) {
  auto a = std::make_shared<FetchArguments>();
  auto* cmd = app.add_subcommand(
      "fetch-weights", "download Keras Applications weights into the Keras cache (checked)");
  cmd->add_option(
         "NAME", a->name,
         "architecture: " +
             [] {
               std::string names;
               for (const auto& n : zoo::architectures()) names += (names.empty() ? "" : " ") + n;
               return names;
             }())
      ->required();
  cmd->add_option("--alpha", a->alpha,
                  "MobileNet width multiplier (0.25, 0.5, 0.75, 1.0); MobileNetV2's (0.35, 0.5, "
                  "0.75, 1.0, 1.3, 1.4)");
  cmd->add_option("--input-size", a->inputSize,
                  "MobileNet input size: 128, 160, 192 or 224 (MobileNetV2 also 96)");
  auto* top =
      cmd->add_flag("--include-top", a->includeTop, "the file with the classifier (default)");
  auto* noTop = cmd->add_flag("--no-top", a->noTop, "the feature-extractor file");
  top->excludes(noTop);
  cmd->add_flag("-q,--quiet", a->quiet, "no progress or notes on stderr");
  cmd->callback([a] { run(*a); });
}

}  // namespace graft::cli
