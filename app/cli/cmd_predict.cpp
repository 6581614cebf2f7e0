// graft-cli predict: provided by the runtime (see runtime/predictor.h once it lands).
#include "cli/cli_context.h"

namespace graft::cli {

void registerPredictCommand(CLI::App&) {}

}  // namespace graft::cli
