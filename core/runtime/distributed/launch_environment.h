#pragma once
// Where this process sits in a distributed run, read from the variables torchrun sets for each
// process it starts (MASTER_ADDR, MASTER_PORT, RANK, WORLD_SIZE, LOCAL_RANK,
// LOCAL_WORLD_SIZE). Processes started by hand set the same variables.
#include <functional>
#include <optional>
#include <string>

namespace graft {

struct LaunchEnvironment {
  int rank = 0;
  int worldSize = 1;
  int localRank = 0;
  int localWorldSize = 1;  // processes on this machine (threads per process are shared out)
  std::string masterAddress;
  int masterPort = 0;
  // Under torchrun (TORCHELASTIC_USE_AGENT_STORE=True) its agent already serves the store at
  // MASTER_ADDR:MASTER_PORT: every rank is a client, under the prefix of the agent's restart
  // count, as torch.distributed's env:// rendezvous does.
  bool agentStore = false;
  int restartCount = 0;

  std::string describe() const;  // "rank 1 of 2 (rendezvous at 127.0.0.1:29500)"
};

// Reads a variable; nullptr when unset. The default reads the process environment.
using EnvironmentReader = std::function<const char*(const char*)>;

// nullopt when WORLD_SIZE is unset or 1: a single process (nothing to connect). Otherwise every
// variable must be present and valid; throws graft::Error naming the variable and what was
// expected (e.g. "RANK: must be an integer from 0 to 1, got '2'").
std::optional<LaunchEnvironment> launchEnvironmentFromVariables(
    const EnvironmentReader& read = nullptr);

}  // namespace graft
