// graft-cli sample-data DIR: a small labelled image folder to try training on at once.
#include "cli/cli_context.h"
#include "cli/interrupt.h"
#include "runtime/data/sample_data.h"

namespace graft::cli {

void registerSampleDataCommand(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "sample-data",
      "write a small labelled image folder to DIR: 3 classes of drawn shapes, or 5 classes of "
      "Fashion-MNIST-style clothing (--kind fashion)");
  auto dir = std::make_shared<std::string>();
  auto options = std::make_shared<SampleDataOptions>();
  cmd->add_option("DIR", *dir, "the folder to create (must not exist, or be empty)")->required();
  auto kind = std::make_shared<std::string>("shapes");
  cmd->add_option("--kind", *kind,
                  "shapes (coloured circles, squares, triangles) or fashion (grey t-shirts, "
                  "trousers, dresses, sneakers, bags; told apart by outline only)")
      ->check(CLI::IsMember({"shapes", "fashion"}));
  cmd->add_option("--images-per-class", options->imagesPerClass, "default 40")
      ->check(CLI::Range(1, 100000));
  cmd->add_option("--size", options->size,
                  "image width and height in pixels, 8 to 4096 (default 64 for shapes, 28 for "
                  "fashion)")
      ->check(CLI::Range(8, 4096));
  cmd->add_option("--seed", options->seed, "another seed draws other images (default 0)");
  // Every subcommand takes -q (DESIGN.md); this one prints only its result.
  cmd->add_flag("-q,--quiet", "no notes on stderr (this command prints only its result)");
  cmd->callback([dir, options, kind] {
    options->kind = sampleKindFromName(*kind);
    // Ctrl-C stops between images and removes the half-drawn folder (a thousand large images
    // per class take minutes).
    const InterruptScope interrupt;
    options->stopRequested = InterruptScope::flag();
    const SampleDataResult result = writeSampleData(*dir, *options);
    std::string classes;
    for (const auto& c : result.classes) classes += (classes.empty() ? "" : ", ") + c;
    std::cout << "wrote " << result.images << " images of " << result.classes.size() << " classes ("
              << classes << ") to " << *dir << "\n";
  });
}

}  // namespace graft::cli
