#pragma once
// A pipeline's result as a JUnit XML report (the format CI systems read): one <testsuite> with
// a <testcase> per step and per check; a failed check is a <failure>, a step that could not
// run an <error>, a step after it <skipped/>.
#include <string>

#include "pipeline/pipeline_runner.h"

namespace graft::cli {

std::string junitXml(const PipelineResult& result, const std::string& suiteName);

// Writes the report atomically; throws graft::Error naming `path` when it cannot.
void writeJunitReport(const PipelineResult& result, const std::string& suiteName,
                      const std::string& path);

}  // namespace graft::cli
