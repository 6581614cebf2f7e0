// `graft-cli eval`'s and `export`'s options come from the evaluation's and the export's field
// tables (run/eval_spec.h, run/export_spec.h): every field is an option that sets that field,
// and the real commands list every field with its help text, in --help and in the manual page.
// A field added to a table and forgotten on the command line fails here.
#include <gtest/gtest.h>

#include <algorithm>

#include "cli/spec_options.h"
#include "run/eval_spec.h"
#include "run/export_spec.h"
#include "run/spec_text.h"
#include "support/test_support.h"
#include "support/train_spec_values.h"

namespace graft::test {
namespace {

// The spec the table's options give after parsing `args`; the required fields not in `args`
// get `required`'s value.
template <class Spec>
Spec parsed(const std::vector<SpecFieldOf<Spec>>& fields, const Spec& required,
            std::vector<std::string> args) {
  CLI::App app;
  auto spec = std::make_shared<Spec>();
  cli::addSpecOptions(app, fields, spec);
  for (const SpecFieldOf<Spec>& field : fields)
    if (field.required && std::find(args.begin(), args.end(), specFlag(field)) == args.end())
      args.insert(args.end(), {specFlag(field), specValueText(field, required)});
  std::reverse(args.begin(), args.end());  // CLI11 takes them last first
  app.parse(args);
  return *spec;
}

template <class Spec>
void expectEveryFieldIsAnOptionThatSetsIt(const std::vector<SpecFieldOf<Spec>>& fields,
                                          const Spec& required) {
  TempDir dir;
  for (const SpecFieldOf<Spec>& field : fields) {
    ASSERT_FALSE(field.fromModelOptions) << field.key;
    const std::string text = nonDefaultText(field, dir.path().string());
    std::vector<std::string> args = {specFlag(field)};
    if (field.kind != SpecKind::Flag) args.push_back(text);
    Spec expected = required;
    setFromText(field, text, expected);
    const Spec spec = parsed(fields, required, args);
    EXPECT_TRUE(sameValue(field, spec, expected)) << field.key;
  }
}

TEST(RunSpecsCli, EveryEvalFieldIsAnOptionThatSetsIt) {
  expectEveryFieldIsAnOptionThatSetsIt(evalSpecFields(), EvalSpec{"images"});
}

TEST(RunSpecsCli, EveryExportFieldIsAnOptionThatSetsIt) {
  expectEveryFieldIsAnOptionThatSetsIt(exportSpecFields(), ExportSpec{"onnx", "model.onnx"});
}

TEST(RunSpecsCli, RequiredFieldsAndChoicesAreUsageErrorsNamingTheFlag) {
  const auto refused = [](const std::vector<std::string>& args) {
    CLI::App app;
    cli::addSpecOptions(app, exportSpecFields(), std::make_shared<ExportSpec>());
    std::vector<std::string> reversed(args.rbegin(), args.rend());
    try {
      app.parse(reversed);
    } catch (const CLI::ParseError& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  EXPECT_NE(refused({"--format", "pdf", "-o", "m.pdf"}).find("--format"), std::string::npos);
  EXPECT_NE(refused({"--format", "onnx"}).find("--output"), std::string::npos);
  EXPECT_EQ(refused({"--format", "keras", "--output", "m.keras"}), "accepted");
}

// `command --help` and the manual page's section of it name every field's flag, and --help
// its help text.
template <class Spec>
void expectHelpAndManualList(const std::string& command,
                             const std::vector<SpecFieldOf<Spec>>& fields) {
  const auto help = runCli({command, "--help"});
  ASSERT_EQ(help.exitCode, 0) << help.err;
  const auto man = runCli({"--man"});
  ASSERT_EQ(man.exitCode, 0) << man.err;
  const size_t start = man.out.find(".SS \"" + command + "\"");
  ASSERT_NE(start, std::string::npos) << command;
  const std::string section = man.out.substr(start, man.out.find(".SS", start + 1) - start);
  for (const SpecFieldOf<Spec>& field : fields) {
    const std::string flag = specFlag(field);
    EXPECT_NE(help.out.find(flag), std::string::npos) << command << " " << flag;
    EXPECT_NE(help.out.find(field.help), std::string::npos) << command << " " << field.help;
    std::string roffFlag;
    for (char c : flag) roffFlag += c == '-' ? std::string("\\-") : std::string(1, c);
    EXPECT_NE(section.find(roffFlag), std::string::npos) << command << " " << flag;
  }
}

TEST(RunSpecsCli, EvalAndExportHelpAndTheManualListEveryField) {
  expectHelpAndManualList("eval", evalSpecFields());
  expectHelpAndManualList("export", exportSpecFields());
}

}  // namespace
}  // namespace graft::test
