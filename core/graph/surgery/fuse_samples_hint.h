#pragma once
// Where a least-squares fusion's sample images come from, in the words of where the recipe runs.
// The fuse operation's refusals say it as graft-cli edit and the window take them; a pipeline
// gives them in its "samples" field, and says that instead (samplesHintInPipeline).
#include <string>
#include <utility>

namespace graft {

inline constexpr const char* kSamplesFromEdit =
    "graft-cli edit --samples DIR, or Fuse in the window, which asks for them";
inline constexpr const char* kSamplesToReplay = "graft-cli edit --samples DIR";

// `message` with the edit's words for giving samples replaced by the pipeline's field.
inline std::string samplesHintInPipeline(std::string message) {
  const std::pair<std::string, std::string> words[] = {
      {kSamplesFromEdit, "the pipeline's \"samples\" field, a folder of images"},
      {kSamplesToReplay, "the pipeline's \"samples\" field"}};
  for (const auto& [edit, pipeline] : words)
    for (size_t at = message.find(edit); at != std::string::npos;
         at = message.find(edit, at + pipeline.size()))
      message.replace(at, edit.size(), pipeline);
  return message;
}

}  // namespace graft
