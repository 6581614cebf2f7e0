#include "cli/man_page.h"

#include <sstream>

namespace graft::cli {

namespace {

// Text for troff: backslashes doubled, hyphens that are options kept as \-, and a leading dot
// or quote escaped so a line never reads as a request.
std::string roff(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '\\')
      out += "\\e";
    else if (c == '-')
      out += "\\-";
    else
      out += c;
  }
  if (!out.empty() && (out[0] == '.' || out[0] == '\'')) out = "\\&" + out;
  return out;
}

std::string optionSynopsis(const CLI::Option* o) {
  std::string s = o->get_positional() ? o->get_name(true, false) : o->get_name(false, true);
  if (!o->get_positional() && o->get_type_size() != 0 && !o->get_type_name().empty())
    s += " " + o->get_type_name();
  return s;
}

void writeOptions(std::ostringstream& out, const CLI::App& command) {
  for (const CLI::Option* o : command.get_options()) {
    out << ".TP\n.B " << roff(optionSynopsis(o)) << "\n"
        << roff(o->get_description() + (o->get_required() ? " (required)" : "")) << "\n";
  }
}

}  // namespace

std::string manPage(const CLI::App& app) {
  std::ostringstream out;
  out << ".TH GRAFT\\-CLI 1 \"\" \"graft-cli " << GRAFT_VERSION << "\" \"User Commands\"\n"
      << ".nh\n.ad l\n"  // no hyphenation, ragged right: option names must stay whole
      << ".SH NAME\ngraft\\-cli \\- " << roff(app.get_description()) << "\n"
      << ".SH SYNOPSIS\n.B graft\\-cli\n.I COMMAND\n[\\fIOPTIONS\\fR]\n"
      << ".SH DESCRIPTION\n"
      << "Graft is a workbench for transfer learning by model surgery on Keras image networks. "
         "Every subcommand accepts \\fB\\-\\-help\\fR.\n"
      << ".SH OPTIONS\n";
  writeOptions(out, app);
  out << ".SH COMMANDS\n";
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
    out << ".SS \"" << roff(sub->get_name()) << "\"\n"
        << roff(sub->get_description()) << "\n.PP\n.B graft\\-cli " << roff(sub->get_name());
    for (const CLI::Option* o : sub->get_options())
      if (o->get_positional()) out << " " << roff(o->get_name(true, false));
    out << "\n[\\fIOPTIONS\\fR]\n";
    writeOptions(out, *sub);
    if (!sub->get_footer().empty()) out << ".PP\n" << roff(sub->get_footer()) << "\n";
  }
  out << ".SH EXIT STATUS\n"
      << "0 success; 1 bad input, a failed run or a failed pipeline check (the message on "
         "standard error names the file, layer or field); 2 usage error.\n"
      << ".SH ENVIRONMENT\n.TP\n.B KERAS_HOME\n"
         "Keras's folder: zoo weights are looked for in $KERAS_HOME/models "
         "(default ~/.keras/models).\n"
         ".TP\n.B GRAFT_WEIGHTS_BASE_URL\n"
         "Where fetch-weights downloads from instead of Keras's own address (a mirror): the "
         "base followed by Keras's path.\n"
         ".TP\n.B WORLD_SIZE, RANK, MASTER_ADDR, MASTER_PORT, LOCAL_RANK, LOCAL_WORLD_SIZE\n"
         "Distributed training (train): as torchrun sets them; WORLD_SIZE above 1 turns "
         "it on.\n"
         ".TP\n.B GRAFT_GLIBC_MALLOC_DEFAULTS\n"
         "1 keeps glibc's malloc settings (Graft keeps freed memory for the next training "
         "step).\n"
      << ".SH SEE ALSO\nThe README, docs/recipes.md and docs/pipelines.md of the Graft sources.\n";
  return out.str();
}

}  // namespace graft::cli
