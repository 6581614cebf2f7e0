// graft-cli fetch-weights: downloads a Keras Applications weights file into Keras's cache (the
// same core code as the desktop's download button), with a progress bar on a terminal.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <optional>
#include <sstream>
#include <type_traits>
#include <vector>

#include "cli/cli_context.h"
#include "cli/interrupt.h"
#include "cli/spec_options.h"
#include "cli/terminal_progress.h"
#include "io/fetch/fetch_weights.h"
#include "io/model_source.h"

namespace graft::cli {

namespace {

struct FetchArguments {
  std::string name;
  std::optional<double> alpha;
  std::optional<int64_t> inputSize;
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

// "0.25, 0.5, 0.75 or 1.0" / "128, 160, 192 or 224", smallest first.
template <class T>
std::string allowedValues(std::vector<T> values) {
  std::sort(values.begin(), values.end());
  std::ostringstream out;
  for (size_t i = 0; i < values.size(); ++i) {
    out << (i == 0 ? "" : i + 1 == values.size() ? " or " : ", ") << values[i];
    if constexpr (std::is_floating_point_v<T>)
      if (values[i] == static_cast<double>(static_cast<int64_t>(values[i]))) out << ".0";
  }
  return out.str();
}

// The options as summary and edit check them (zooOptionsOf: an option the architecture does not
// have), then against the files Keras publishes. Each refusal is a usage error (exit 2) naming
// the option and its values: the loader takes the 224 file at another MobileNet size, as Keras
// does, but a download asked for at 100 px installed the 224 file without a word, and
// `vgg16 --alpha 0.5` the plain VGG16.
zoo::ZooOptions checkedOptions(const FetchArguments& a) {
  ModelSpec spec;
  spec.source = a.name;  // zoo names are lower case; MODEL arguments accept any case
  for (char& c : spec.source) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (!zoo::isArchitecture(spec.source)) {
    zoo::ZooOptions unknown;  // zooFetchRequest names it
    unknown.architecture = spec.source;
    return unknown;
  }
  spec.alpha = a.alpha;
  spec.inputSize = a.inputSize;
  spec.includeTop = !a.noTop;
  std::optional<zoo::ZooOptions> options;
  try {
    options = zooOptionsOf(spec);
  } catch (const Error& e) {
    throw CLI::ValidationError("--alpha", e.what());  // the one option zooOptionsOf refuses here
  }
  if (!options) {  // a file of that name in the working folder: the zoo's options all the same
    options.emplace();
    options->architecture = zoo::canonicalArchitecture(spec.source);
    if (a.alpha) options->alpha = *a.alpha;
    if (a.inputSize) options->inputSize = *a.inputSize;
    options->includeTop = !a.noTop;
  }
  const std::string& name = options->architecture;
  const auto alphas = zoo::publishedAlphas(name);
  if (a.alpha && std::none_of(alphas.begin(), alphas.end(),
                              [&](double v) { return std::abs(v - *a.alpha) < 1e-9; }))
    throw CLI::ValidationError("--alpha", "Keras publishes " + name + " weights for alpha " +
                                              allowedValues(alphas) + ", not " +
                                              allowedValues(std::vector<double>{*a.alpha}));
  if (a.inputSize) {
    const auto sizes = zoo::publishedSizes(name);
    if (sizes == std::vector<int64_t>{0})
      throw CLI::ValidationError("--input-size", name +
                                                     "'s weights are one file for every input "
                                                     "size (only MobileNet and MobileNetV2 "
                                                     "publish one per size): leave it out");
    if (std::find(sizes.begin(), sizes.end(), *a.inputSize) == sizes.end())
      throw CLI::ValidationError("--input-size",
                                 "Keras publishes " + name + " weights at " + allowedValues(sizes) +
                                     ", not " + std::to_string(*a.inputSize) +
                                     " (a model at another size loads the 224 file)");
  }
  return *options;
}

void run(const FetchArguments& a) {
  const zoo::ZooOptions options = checkedOptions(a);
  const std::string cache = kerasCacheDir(std::getenv("KERAS_HOME"), std::getenv("HOME"));
  const std::string base = fetch::weightsBaseUrl(std::getenv("GRAFT_WEIGHTS_BASE_URL"), "");
  const fetch::FetchRequest request = fetch::zooFetchRequest(options, cache, base);

  const bool showBar = !a.quiet && stderrIsTerminal();
  TerminalBar bar;
  // Said once the download starts: an installed file that passes its check makes no request.
  bool started = false;
  const fetch::ProgressCallback progress = [&](const fetch::DownloadProgress& p) {
    if (!started && !a.quiet) std::cerr << "graft-cli: fetching " << request.url << std::endl;
    started = true;
    if (showBar) bar.show(progressLine(p));
  };
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
  if (!a.quiet && result.alreadyInstalled)
    std::cerr << "graft-cli: " << request.fileName
              << " is already installed and verified, nothing was downloaded: " << result.check
              << "\n";
  else if (!a.quiet)
    std::cerr << "graft-cli: verified, " << result.check << "\n";
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
  cmd->add_option_function<double>(
      "--alpha", [a](const double& alpha) { a->alpha = alpha; },
      "MobileNet width multiplier (0.25, 0.5, 0.75, 1.0); MobileNetV2's (0.35, 0.5, "
      "0.75, 1.0, 1.3, 1.4)");
  cmd->add_option_function<int64_t>(
         "--input-size", [a](const int64_t& size) { a->inputSize = size; },
         "MobileNet input size: 128, 160, 192 or 224 (MobileNetV2 also 96)")
      ->check(specRangeValidator({1.0, std::nullopt, false, false}));
  auto* top =
      cmd->add_flag("--include-top", a->includeTop, "the file with the classifier (default)");
  auto* noTop = cmd->add_flag("--no-top", a->noTop, "the feature-extractor file");
  top->excludes(noTop);
  cmd->add_flag("-q,--quiet", a->quiet, "no progress or notes on stderr");
  cmd->callback([a] { run(*a); });
}

}  // namespace graft::cli
