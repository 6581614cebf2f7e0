// graft-cli zoo: the architectures Graft builds and which Keras weight files are on this machine.
#include <filesystem>

#include "cli/cli_context.h"

namespace graft::cli {

void registerZooCommand(CLI::App& app) {
  auto* cmd = app.add_subcommand("zoo", "list architectures and the weight files found");
  auto json = std::make_shared<bool>(false);
  cmd->add_flag("--json", *json, "print one JSON object per architecture");
  cmd->callback([json] {
    const std::string cache = kerasCacheDir(std::getenv("KERAS_HOME"), std::getenv("HOME"));
    if (!*json) std::cout << "Keras weights cache: " << cache << "\n";
    for (const auto& arch : zoo::architectures()) {
      std::vector<std::pair<std::string, bool>> files;
      const std::vector<double> alphas = arch == "mobilenet"
                                             ? std::vector<double>{1.0, 0.75, 0.5, 0.25}
                                             : std::vector<double>{1.0};
      const std::vector<int64_t> sizes =
          arch == "mobilenet" ? std::vector<int64_t>{224, 192, 160, 128} : std::vector<int64_t>{0};
      for (double alpha : alphas)
        for (int64_t size : sizes)
          for (bool top : {true, false}) {
            zoo::ZooOptions o;
            o.architecture = arch;
            o.alpha = alpha;
            if (size) o.inputSize = size;
            o.includeTop = top;
            const std::string name = zoo::standardWeightsFileName(o);
            files.emplace_back(name, std::filesystem::exists(std::filesystem::path(cache) / name));
          }
      if (*json) {
        Json found = Json::array(), missing = Json::array();
        for (const auto& [name, exists] : files) (exists ? found : missing).push_back(name);
        std::cout << Json{{"architecture", arch},
                          {"preprocessing", preprocessingName(zoo::preprocessingFor(arch))},
                          {"default_input_size", zoo::defaultInputSize(arch)},
                          {"found", found},
                          {"missing", missing}}
                         .dump()
                  << "\n";
      } else {
        int count = 0;
        std::string list;
        for (const auto& [name, exists] : files)
          if (exists) list += "\n    found: " + name, ++count;
        std::cout << "  " << arch << " (input " << zoo::defaultInputSize(arch) << ", "
                  << preprocessingName(zoo::preprocessingFor(arch)) << " preprocessing): " << count
                  << " of " << files.size() << " standard weight files" << list << "\n";
      }
    }
  });
}

}  // namespace graft::cli
