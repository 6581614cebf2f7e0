#include "runtime/distributed/launch_environment.h"

#include <cstdlib>

#include "graph/diagnostic.h"

namespace graft {

namespace {

int integerVariable(const EnvironmentReader& read, const char* name, int low, int high,
                    std::optional<int> fallback = std::nullopt) {
  const char* raw = read(name);
  if (!raw || !*raw) {
    if (fallback) return *fallback;
    throw Error(Diagnostic{name,
                           "is not set; a distributed run (WORLD_SIZE > 1) needs "
                           "MASTER_ADDR, MASTER_PORT, RANK and WORLD_SIZE, as torchrun "
                           "sets them"});
  }
  char* end = nullptr;
  const long value = std::strtol(raw, &end, 10);
  if (*end != '\0' || end == raw || value < low || value > high)
    throw Error(Diagnostic{name, "must be an integer from " + std::to_string(low) + " to " +
                                     std::to_string(high) + ", got '" + raw + "'"});
  return static_cast<int>(value);
}

}  // namespace

std::string LaunchEnvironment::describe() const {
  return "rank " + std::to_string(rank) + " of " + std::to_string(worldSize) + " (rendezvous at " +
         masterAddress + ":" + std::to_string(masterPort) + ")";
}

std::optional<LaunchEnvironment> launchEnvironmentFromVariables(const EnvironmentReader& reader) {
  const EnvironmentReader read =
      reader ? reader : [](const char* name) -> const char* { return std::getenv(name); };
  constexpr int kMaxProcesses = 1 << 16;
  const int worldSize = integerVariable(read, "WORLD_SIZE", 1, kMaxProcesses, 1);
  if (worldSize == 1) {
    // A lone process is no distributed run, but a RANK beyond 0 says the launch is not what the
    // user meant (a mistyped WORLD_SIZE): training alone would repeat another rank's work.
    const char* rank = read("RANK");
    if (rank && *rank && std::string(rank) != "0")
      throw Error(Diagnostic{"RANK", std::string("is '") + rank + "' but WORLD_SIZE is " +
                                         (read("WORLD_SIZE") ? "1" : "not set (1 process)") +
                                         "; ranks go from 0 to WORLD_SIZE - 1 (unset both to "
                                         "train in one process)"});
    return std::nullopt;
  }
  LaunchEnvironment env;
  env.worldSize = worldSize;
  env.rank = integerVariable(read, "RANK", 0, worldSize - 1);
  env.localWorldSize = integerVariable(read, "LOCAL_WORLD_SIZE", 1, worldSize, 1);
  env.localRank = integerVariable(read, "LOCAL_RANK", 0, worldSize - 1, 0);
  env.masterPort = integerVariable(read, "MASTER_PORT", 1, 65535);
  const char* address = read("MASTER_ADDR");
  if (!address || !*address)
    throw Error(Diagnostic{"MASTER_ADDR",
                           "is not set; it names the machine of rank 0 (the "
                           "rendezvous), e.g. 127.0.0.1 on one machine"});
  env.masterAddress = address;
  const char* agentStore = read("TORCHELASTIC_USE_AGENT_STORE");
  env.agentStore = agentStore && std::string(agentStore) == "True";
  if (env.agentStore)
    env.restartCount = integerVariable(read, "TORCHELASTIC_RESTART_COUNT", 0, 1 << 30, 0);
  return env;
}

}  // namespace graft
