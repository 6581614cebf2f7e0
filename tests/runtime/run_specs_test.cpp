// The evaluation's and the export's field tables (run/eval_spec.h, run/export_spec.h) are the
// one description of `graft-cli eval` / `export`, a pipeline's "eval" and "exports": every
// field must round-trip through the pipeline's writer and reader, be named in the pipeline
// documentation, and a mistake in a pipeline must be named by its JSON path. The command line
// is checked in tests/cli/run_specs_cli_test.cpp, the export dialog in
// tests/ui/export_dialog_test.cpp.
#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>

#include "pipeline/pipeline.h"
#include "support/test_support.h"
#include "support/train_spec_values.h"

namespace graft {
namespace {

// A pipeline with an evaluation and one export, both valid.
Pipeline pipelineWith(const std::string& dir) {
  Pipeline p;
  p.model.source = dir + "/model.graft";
  p.eval = EvalSpec{dir + "/images"};
  p.exports = {{ExportFormat::Onnx, dir + "/model.onnx"}};
  return p;
}

Json roundTrip(const Pipeline& p, const std::string& dir, Pipeline& back) {
  const Json written = pipelineToJson(p, dir);
  back = parsePipeline(written, dir, "ci.json");
  return written;
}

std::string parseError(const Json& document) {
  try {
    parsePipeline(document, ".", "ci.json");
  } catch (const Error& e) {
    return e.what();
  }
  return "no error";
}

TEST(EvalSpec, EveryFieldIsWrittenToAPipelineAndReadBackEqual) {
  test::TempDir dir;
  const std::string base = dir.path().string();
  for (const EvalSpecField& field : evalSpecFields()) {
    Pipeline p = pipelineWith(base);
    test::setFromText(field, test::nonDefaultText(field, base), *p.eval);
    ASSERT_FALSE(isDefaultValue(field, *p.eval)) << field.key << ": the test value is the default";
    Pipeline back;
    const Json written = roundTrip(p, base, back);
    EXPECT_TRUE(written.at("eval").contains(field.key)) << field.key << ": " << written.dump();
    ASSERT_TRUE(back.eval.has_value());
    EXPECT_TRUE(test::sameValue(field, *p.eval, *back.eval))
        << field.key << " read back differently from " << written.dump();
  }
}

TEST(ExportSpec, EveryFieldIsWrittenToAPipelineAndReadBackEqual) {
  test::TempDir dir;
  const std::string base = dir.path().string();
  for (const ExportSpecField& field : exportSpecFields()) {
    const ExportSpec start = exportSpecOf(pipelineWith(base).exports[0]);
    ExportSpec spec = start;
    test::setFromText(field, test::nonDefaultText(field, base), spec);
    ASSERT_FALSE(test::sameValue(field, spec, start))
        << field.key << ": the test value is the start";
    if (std::string(field.key) == "format")  // another format is written under its own suffix
      spec.output = base + "/model" + exportFormatSuffix(exportFormatFromName(spec.format));
    Pipeline p = pipelineWith(base);
    p.exports = {{exportFormatFromName(spec.format), spec.output}};
    Pipeline back;
    const Json written = roundTrip(p, base, back);
    EXPECT_TRUE(written.at("exports").at(0).contains(field.key))
        << field.key << ": " << written.dump();
    ASSERT_EQ(back.exports.size(), 1u);
    EXPECT_TRUE(test::sameValue(field, spec, exportSpecOf(back.exports[0])))
        << field.key << " read back differently from " << written.dump();
  }
}

TEST(ExportSpec, TheFormatChoicesAreTheExportersFormats) {
  // The table is torch-free text; export/export.h resolves it. Every choice must resolve, and
  // resolve to a distinct format that writes the same name back.
  std::set<ExportFormat> formats;
  for (const std::string& name : exportSpecField("format").choices) {
    const ExportFormat format = exportFormatFromName(name);
    EXPECT_EQ(exportFormatName(format), name);
    formats.insert(format);
  }
  EXPECT_EQ(formats.size(), exportSpecField("format").choices.size());
  for (ExportFormat format : {ExportFormat::TorchScript, ExportFormat::Onnx, ExportFormat::KerasH5,
                              ExportFormat::KerasWeights, ExportFormat::Keras})
    EXPECT_EQ(formats.count(format), 1u) << exportFormatName(format) << " is not a choice";
}

TEST(RunSpecs, ThePipelineDocumentationNamesEveryEvalAndExportField) {
  std::ifstream in(test::sourceDir() + "/docs/pipelines.md");
  ASSERT_TRUE(in);
  std::stringstream text;
  text << in.rdbuf();
  std::vector<std::string> keys;
  for (const EvalSpecField& field : evalSpecFields()) keys.emplace_back(field.key);
  for (const ExportSpecField& field : exportSpecFields()) keys.emplace_back(field.key);
  for (const std::string& key : keys)
    EXPECT_NE(text.str().find("`" + key + "`"), std::string::npos)
        << key << " is not in docs/pipelines.md";
  for (const std::string& format : exportSpecField("format").choices)
    EXPECT_NE(text.str().find("\"" + format + "\""), std::string::npos)
        << "format " << format << " is not in docs/pipelines.md";
}

TEST(RunSpecs, MistakesInEvalAndExportsAreNamedByTheirJsonPath) {
  const Json base = {{"graft_pipeline", 1}, {"model", "tiny.json"}};
  const auto error = [&](const Json& patch) {
    Json document = base;
    document.merge_patch(patch);
    return parseError(document);
  };
  EXPECT_EQ(error({{"eval", {{"data", "d"}, {"batchsize", 8}}}}),
            "ci.json: eval.batchsize: unknown field (expected one of: batch_size, data, device, "
            "max_unreadable)");
  EXPECT_EQ(error({{"eval", {{"data", "d"}, {"batch_size", "8"}}}}),
            "ci.json: eval.batch_size: expected an integer, found \"8\"");
  EXPECT_EQ(error({{"eval", {{"batch_size", 8}}}}),
            "ci.json: eval.data: missing: image folder: one subfolder of images per class");
  const Json good = {{"format", "onnx"}, {"output", "m.onnx"}};
  Json typo = good;
  typo["fromat"] = "onnx";
  EXPECT_EQ(error({{"exports", {good, typo}}}),
            "ci.json: exports[1].fromat: unknown field (expected one of: format, output)");
  EXPECT_EQ(error({{"exports", {{{"format", "pdf"}, {"output", "m.pdf"}}}}}),
            "ci.json: exports[0].format: expected one of torchscript, onnx, keras-h5, "
            "keras-weights, keras, found \"pdf\"");
  EXPECT_NE(error({{"exports", {{{"output", "m.onnx"}}}}})
                .find("ci.json: exports[0].format: missing: torchscript, onnx"),
            std::string::npos);
  EXPECT_NE(error({{"exports", {{{"format", "onnx"}}}}})
                .find("ci.json: exports[0].output: missing: the file to write"),
            std::string::npos);
  EXPECT_EQ(error({{"exports", {{{"format", "onnx"}, {"output", ""}}}}}),
            "ci.json: exports[0].output: expected a file or folder name, found \"\"");
}

TEST(ExportSpec, AFileNamedForAnotherFormatIsRefused) {
  // `--format onnx -o model.pt` wrote ONNX bytes under a TorchScript name; the next tool opened
  // it by its suffix and failed far from the cause.
  EXPECT_EQ(exportFileNameProblem("onnx", "out/model.pt"),
            "out/model.pt: .pt is the suffix of torchscript files; give the onnx export the suffix "
            ".onnx (e.g. "
            "out/model.onnx)");
  EXPECT_NE(exportFileNameProblem("keras-h5", "m.weights.h5")
                .find(".weights.h5 is the suffix of keras-weights files"),
            std::string::npos);
  EXPECT_NE(exportFileNameProblem("torchscript", "m.KERAS").find("suffix of keras files"),
            std::string::npos);
  // A project's suffix: opened later as a project, the export failed.
  EXPECT_EQ(exportFileNameProblem("onnx", "out/m.graft"),
            "out/m.graft: .graft is the suffix of Graft projects (train -o, the workbench's "
            "Save); give the onnx export the suffix .onnx (e.g. out/m.onnx)");
  // Keras 3 picks its reader by the suffix, so its files must carry theirs.
  EXPECT_EQ(exportFileNameProblem("keras-weights", "m.h5"),
            "m.h5: .h5 is the suffix of keras-h5 files; give the keras-weights export the suffix "
            ".weights.h5 (e.g. "
            "m.weights.h5)");
  EXPECT_NE(exportFileNameProblem("keras", "model").find("only by the suffix .keras"),
            std::string::npos);
  // Each format's own suffix, its other common ones and names of no format are fine.
  for (ExportFormat format : {ExportFormat::TorchScript, ExportFormat::Onnx, ExportFormat::KerasH5,
                              ExportFormat::KerasWeights, ExportFormat::Keras})
    EXPECT_EQ(exportFileNameProblem(exportFormatName(format), "m" + exportFormatSuffix(format)), "")
        << exportFormatName(format);
  EXPECT_EQ(exportFileNameProblem("torchscript", "m.pth"), "");
  EXPECT_EQ(exportFileNameProblem("keras-h5", "m.hdf5"), "");
  EXPECT_EQ(exportFileNameProblem("onnx", "model"), "");

  // The GUI's dialog shows validateExportSpec's problem; a pipeline names the JSON path.
  const auto problem = validateExportSpec({"onnx", "model.pt"});
  ASSERT_TRUE(problem);
  EXPECT_EQ(problem->key, "output");
  test::TempDir dir;
  EXPECT_NE(parseError({{"graft_pipeline", 1},
                        {"model", "tiny.json"},
                        {"exports", {{{"format", "keras"}, {"output", "m.h5"}}}}})
                .find("exports[0].output: m.h5: .h5 is the suffix of keras-h5 files"),
            std::string::npos);
}

// "-" is standard output to other tools; Graft wrote a file named "-". Every path field says so,
// and "./-" is still a file of that name.
TEST(RunSpecs, ADashIsRefusedAsAPathWithTheWayToNameSuchAFile) {
  const auto exportProblem = validateExportSpec({"onnx", "-"});
  ASSERT_TRUE(exportProblem);
  EXPECT_EQ(exportProblem->key, "output");
  EXPECT_NE(exportProblem->message.find("./-"), std::string::npos) << exportProblem->message;
  EXPECT_FALSE(validateExportSpec({"onnx", "./-"}));

  TrainSpec train;
  train.data = "images";
  train.log = "-";
  const auto trainProblem = validateTrainSpec(train);
  ASSERT_TRUE(trainProblem);
  EXPECT_EQ(trainProblem->key, "log");
  train.log.clear();
  train.output = "-";
  ASSERT_TRUE(validateTrainSpec(train));
  EXPECT_EQ(validateTrainSpec(train)->key, "output");

  // In a pipeline file too (its paths are resolved against its folder first).
  EXPECT_NE(parseError({{"graft_pipeline", 1},
                        {"model", "tiny.json"},
                        {"exports", {{{"format", "onnx"}, {"output", "-"}}}}})
                .find("exports[0].output: \"-\" (standard input or output) is not taken here"),
            std::string::npos);
}

}  // namespace
}  // namespace graft
