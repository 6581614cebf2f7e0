// Pipeline documents to Pipeline values; every problem is named by its JSON path.
#include <cctype>
#include <climits>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <sstream>

#include "graph/surgery/operation_form.h"
#include "io/json_file.h"
#include "io/recipe.h"
#include "io/zoo/zoo.h"
#include "pipeline/pipeline.h"
#include "pipeline/pipeline_outputs.h"
#include "pipeline/pipeline_spec.h"
#include "pipeline/pipeline_train.h"
#include "run/compute_choice.h"

namespace graft {

namespace {

ModelSpec parseModel(const Json& json, const std::string& baseDir, const std::string& source) {
  // "model": "mobilenet" is short for {"source": "mobilenet"}.
  const Json object = json.is_string() ? Json{{"source", json}} : json;
  PipelineFields f(object, source, "model");
  ModelSpec spec;
  spec.source = f.string("source");
  if (spec.source.empty()) f.fail("source", "missing: a zoo name, a Keras .h5/.json or a .graft");
  // A zoo name stays a name, in any case as on the command line ("VGG16" was looked for as a
  // file) unless a file beside the pipeline has it; anything else is a file there.
  if (!zoo::isArchitecture(spec.source)) {
    std::string lowered = spec.source;
    for (char& c : lowered) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const std::string file = resolveAgainst(baseDir, spec.source);
    std::error_code ec;
    spec.source =
        zoo::isArchitecture(lowered) && !std::filesystem::exists(file, ec) ? lowered : file;
  }
  if (f.has("alpha")) spec.alpha = f.number("alpha", 1.0);
  if (f.has("input_size")) spec.inputSize = f.integerIn("input_size", 0, 1, INT_MAX);
  if (f.has("include_top")) spec.includeTop = f.boolean("include_top", true);
  if (f.has("classes")) spec.classes = f.integerIn("classes", 0, 1, INT_MAX);
  spec.pooling = f.string("pooling");
  if (!spec.pooling.empty() && spec.pooling != "avg" && spec.pooling != "max")
    f.fail("pooling", "expected \"avg\" or \"max\", found \"" + spec.pooling + "\"");
  if (f.has("minimalistic")) spec.minimalistic = f.boolean("minimalistic", false);
  if (f.has("include_preprocessing"))
    spec.includePreprocessing = f.boolean("include_preprocessing", true);
  if (f.has("dropout_rate")) spec.dropoutRate = f.number("dropout_rate", 0.2);
  spec.weightsFile = f.filePath("weights", baseDir);
  if (f.has("preprocessing")) spec.preprocessing = f.string("preprocessing");
  spec.labelsFile = f.filePath("labels", baseDir);
  spec.seed = f.seed("seed", 0);
  f.alsoKnown({"alpha", "input_size", "include_top", "classes", "minimalistic",
               "include_preprocessing", "dropout_rate", "preprocessing"});
  f.refuseUnknown();
  spec.kerasCacheDir = kerasCacheDir(std::getenv("KERAS_HOME"), std::getenv("HOME"));
  return spec;
}

// Each operation's form (graph/surgery/operation_form.h), checked as the file is read: an
// unknown "op" was a step error after the model loaded, without the file or the JSON path that
// names every other bad field. `where` is "FILE: recipe.operations" for an inline recipe,
// "FILE: recipe: RECIPE.json: operations" for one in a file of its own.
void checkOperationForms(const Json& operations, const std::string& where) {
  if (!operations.is_array()) return;  // applyRecipe says so
  for (size_t i = 0; i < operations.size(); ++i)
    if (const auto problem = operationFormProblem(operations[i]))
      throw Error(where + "[" + std::to_string(i) + "]." + problem->subject + ": " +
                  problem->message);
}

Json parseRecipe(const Json& json, const std::string& baseDir, const std::string& source) {
  if (json.is_string()) {
    if (json.get<std::string>().empty())
      throw Error(source + ": recipe: expected a recipe file name or the recipe, found \"\"");
    const std::string path = resolveAgainst(baseDir, json.get<std::string>());
    Json operations;
    try {
      operations = readRecipeFile(path);
    } catch (const Error& e) {
      throw Error(source + ": recipe: " + e.what());
    }
    checkOperationForms(operations, source + ": recipe: " + path + ": operations");
    return operations;
  }
  Json operations = json.is_array() ? json : recipeOperations(json, source + ": recipe");
  // The list itself, or the document's "operations".
  checkOperationForms(operations, source + (json.is_array() ? ": recipe" : ": recipe.operations"));
  return operations;
}

// "samples": "images/" or {"data": "images/", "count": 16, "device": "auto"}.
PipelineSamples parseSamples(const Json& json, const std::string& baseDir,
                             const std::string& source) {
  const auto folderProblem = [](const std::string& folder) -> std::string {
    if (folder.empty()) return "missing: a folder of sample images";
    std::error_code ec;
    if (std::filesystem::is_directory(folder, ec)) return "";
    return folder + (std::filesystem::exists(folder, ec) ? ": not a folder" : ": no such folder");
  };
  PipelineSamples s;
  if (json.is_string()) {
    // The folder itself: named as the user wrote it ("samples", not "samples.data").
    const std::string& folder = json.get<std::string>();
    s.folder = folder.empty() ? folder : resolveAgainst(baseDir, folder);
    if (const std::string problem = folderProblem(s.folder); !problem.empty())
      throw Error(source + ": samples: " + problem);
    return s;
  }
  PipelineFields f(json, source, "samples");
  s.folder = f.filePath("data", baseDir);
  if (const std::string problem = folderProblem(s.folder); !problem.empty())
    f.fail("data", problem);
  s.count = f.integerIn("count", s.count, 1, INT_MAX);
  s.device = f.string("device", s.device);
  const std::string problem = deviceChoiceProblem(s.device);
  if (!problem.empty()) f.fail("device", problem);
  f.refuseUnknown();
  return s;
}

std::vector<PipelineExport> parseExports(const Json& json, const std::string& baseDir,
                                         const std::string& source) {
  if (!json.is_array())
    throw Error(source + ": exports: expected a list of {\"format\", \"output\"}, found " +
                json.dump());
  std::vector<PipelineExport> exports;
  for (size_t i = 0; i < json.size(); ++i) {
    PipelineFields f(json[i], source, "exports[" + std::to_string(i) + "]");
    const ExportSpec spec = readSpec(f, exportSpecFields(), baseDir);
    exports.push_back(
        {f.reading("format", [&] { return exportFormatFromName(spec.format); }), spec.output});
  }
  return exports;
}

PipelineEval parseEval(const Json& json, const std::string& baseDir, const std::string& source) {
  PipelineFields f(json, source, "eval");
  PipelineEval eval = readSpec(f, evalSpecFields(), baseDir);
  // graft-cli eval leaves a batch of 0 to the loader (exit 1, its contract); a file says so now.
  if (eval.batchSize < 1)
    f.fail("batch_size", "expected at least 1, found " + std::to_string(eval.batchSize));
  return eval;
}

CheckOp checkOpFromSymbol(const std::string& symbol, const PipelineFields& f) {
  if (symbol == "<") return CheckOp::Less;
  if (symbol == "<=") return CheckOp::LessEqual;
  if (symbol == ">") return CheckOp::Greater;
  if (symbol == ">=") return CheckOp::GreaterEqual;
  if (symbol == "==") return CheckOp::Equal;
  f.fail("op", "expected one of <, <=, >, >=, ==, found \"" + symbol + "\"");
}

// {"metric": "val_accuracy", "op": ">=", "value": 0.9} or
// {"metric": "prediction", "file": "cat.png", "label": "cat"}.
PipelineCheck parseCheckObject(PipelineFields f, const std::string& baseDir) {
  PipelineCheck c;
  c.metric = f.string("metric");
  if (c.metric.empty()) f.fail("metric", "missing: e.g. \"val_accuracy\"");
  if (c.metric == "prediction") {
    c.op = CheckOp::Is;
    c.file = f.filePath("file", baseDir);
    if (c.file.empty()) f.fail("file", "missing: the image to predict");
    f.known("label");
    const Json& label = f.at("label");
    if (!label.is_string() && !label.is_number_integer())
      f.fail("label", "expected a class name or index, found " + label.dump());
    c.label = label.is_string() ? label.get<std::string>() : label.dump();
    c.text = "prediction of " + f.string("file") + " is " + c.label;
  } else {
    // No default comparison: ">=" would be the wrong way round for a loss.
    f.known("op");
    if (!f.at("op").is_string())
      f.fail("op",
             "expected one of \"<\", \"<=\", \">\", \">=\", \"==\", found " + f.at("op").dump());
    c.op = checkOpFromSymbol(f.string("op"), f);
    f.known("value");
    if (!f.at("value").is_number())
      f.fail("value", "expected a number, found " + f.at("value").dump());
    c.value = f.number("value", 0.0);
    if (f.has("export")) {
      if (c.metric != "export_max_difference")
        f.fail("export", "picks one export for export_max_difference, not for " + c.metric);
      c.exportIndex = static_cast<size_t>(f.integerIn("export", 0, 0, INT_MAX));
    }
    c.text = c.metric + " " + checkOpSymbol(c.op) + " " + checkNumberText(c.value);
  }
  if (f.has("name")) c.text = f.string("name");
  if (c.metric == "prediction")
    f.alsoKnown({"name"});
  else
    f.alsoKnown({"name", "export"});
  f.refuseUnknown();
  return c;
}

void checkMetric(const PipelineCheck& c, const Pipeline& p, const std::string& where,
                 const std::string& exportWhere) {
  if (c.metric == "prediction" && c.op != CheckOp::Is)
    throw Error(where +
                ": a prediction is checked as \"prediction of FILE is LABEL\" (or "
                "{\"metric\": \"prediction\", \"file\": ..., \"label\": ...}), not "
                "compared with a number");
  for (const auto& m : pipelineMetrics()) {
    if (c.metric != m.name) continue;
    const std::string needs = m.needs;
    const bool present = needs.empty() || (needs == "train" && p.train) ||
                         (needs == "eval" && p.eval) || (needs == "exports" && !p.exports.empty());
    if (!present)
      throw Error(where + ": '" + c.metric + "' is measured by the \"" + needs +
                  "\" section, which the pipeline does not have");
    if (c.exportIndex && *c.exportIndex >= p.exports.size())
      throw Error(exportWhere + ": export " + std::to_string(*c.exportIndex) + " does not exist (" +
                  std::to_string(p.exports.size()) + " export(s), counted from 0)");
    return;
  }
  std::string known;
  for (const auto& m : pipelineMetrics())
    known += (known.empty() ? "" : ", ") + std::string(m.name);
  throw Error(where + ": unknown metric '" + c.metric + "' (expected one of: " + known + ")");
}

std::vector<PipelineCheck> parseChecks(const Json& json, const Pipeline& p,
                                       const std::string& baseDir, const std::string& source) {
  if (!json.is_array())
    throw Error(source + ": checks: expected a list of checks, found " + json.dump());
  std::vector<PipelineCheck> checks;
  for (size_t i = 0; i < json.size(); ++i) {
    const std::string path = "checks[" + std::to_string(i) + "]";
    PipelineCheck c;
    std::string where = source + ": " + path;
    std::string exportWhere = where;
    if (json[i].is_string()) {
      c = parseCheckText(json[i].get<std::string>(), where);
      if (!c.file.empty()) c.file = resolveAgainst(baseDir, c.file);
    } else {
      c = parseCheckObject(PipelineFields(json[i], source, path), baseDir);
      exportWhere = where + ".export";
      where += ".metric";
    }
    checkMetric(c, p, where, exportWhere);
    checks.push_back(c);
  }
  return checks;
}

}  // namespace

const std::vector<MetricInfo>& pipelineMetrics() {
  static const std::vector<MetricInfo> metrics = {
      {"total_params", ""},      {"trainable_params", ""}, {"non_trainable_params", ""},
      {"prediction", ""},        {"accuracy", "train"},    {"loss", "train"},
      {"val_accuracy", "train"}, {"val_loss", "train"},    {"epochs", "train"},
      {"eval_accuracy", "eval"}, {"eval_loss", "eval"},    {"export_max_difference", "exports"},
  };
  return metrics;
}

Pipeline parsePipeline(const Json& document, const std::string& baseDir,
                       const std::string& source) {
  PipelineFields f(document, source, "");
  f.known("graft_pipeline");
  if (!f.has("graft_pipeline"))
    throw Error(source +
                ": not a Graft pipeline (expected {\"graft_pipeline\": 1, \"model\": "
                "..., ...}; see docs/pipelines.md)");
  const Json& version = f.at("graft_pipeline");
  if (!version.is_number_integer() || version.get<int64_t>() < 1)
    f.fail("graft_pipeline", "expected a positive integer (the format version)");
  if (version.get<int64_t>() > kPipelineFormatVersion)
    f.fail("graft_pipeline", "format version " + version.dump() +
                                 " was written by a newer Graft; this build reads up to " +
                                 std::to_string(kPipelineFormatVersion));
  Pipeline p;
  p.path = source;
  for (const char* key : {"model", "recipe", "samples", "train", "exports", "eval", "checks"})
    f.known(key);
  p.model = parseModel(f.at("model"), baseDir, source);
  if (f.has("recipe")) {
    p.recipe = parseRecipe(f.at("recipe"), baseDir, source);
    if (f.at("recipe").is_string())
      p.recipeFile = resolveAgainst(baseDir, f.at("recipe").get<std::string>());
  }
  if (f.has("samples")) p.samples = parseSamples(f.at("samples"), baseDir, source);
  if (f.has("train")) p.train = parseTrainSpec(f.at("train"), baseDir, source);
  if (f.has("exports")) p.exports = parseExports(f.at("exports"), baseDir, source);
  if (f.has("eval")) p.eval = parseEval(f.at("eval"), baseDir, source);
  p.output = f.filePath("output", baseDir);
  p.description = f.string("description");
  if (f.has("checks")) p.checks = parseChecks(f.at("checks"), p, baseDir, source);
  f.refuseUnknown();
  checkPipelineOutputs(p);
  return p;
}

Pipeline readPipelineFile(const std::string& path) {
  const Json document = readJsonFile(path, "pipeline");
  const std::string folder = std::filesystem::path(path).parent_path().string();
  return parsePipeline(document, folder.empty() ? "." : folder, path);
}

}  // namespace graft
