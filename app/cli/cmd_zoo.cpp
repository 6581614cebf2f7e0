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
    std::string family;
    for (const auto& arch : zoo::architectures()) {
      if (!*json && zoo::familyOf(arch) != family)
        std::cout << (family = zoo::familyOf(arch)) << "\n";
      std::vector<std::pair<std::string, bool>> files;
      for (double alpha : zoo::publishedAlphas(arch))
        for (int64_t size : zoo::publishedSizes(arch))
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
                          {"family", zoo::familyOf(arch)},
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
