// What a user reads of an exception: LibTorch's errors without the C++ backtrace that what()
// carries, everything else as it is.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "graph/diagnostic.h"
#include "runtime/system/error_text.h"

namespace graft {
namespace {

TEST(ErrorText, LibTorchErrorsLoseTheirBacktrace) {
  try {
    // A real LibTorch failure, as a training step meets one.
    torch::mm(torch::ones({2, 3}), torch::ones({2, 3}));
    FAIL() << "mm of 2x3 by 2x3 should throw";
  } catch (const std::exception& e) {
    const std::string text = errorText(e);
    EXPECT_NE(text.find("mat1 and mat2 shapes cannot be multiplied"), std::string::npos) << text;
    EXPECT_EQ(text.find("frame #"), std::string::npos) << text;
    EXPECT_EQ(text.find("Exception raised from"), std::string::npos) << text;
    EXPECT_LT(text.size(), std::string(e.what()).size()) << "what() has more: " << e.what();
  }
  const Error graftError("model.h5: not a Keras file");
  EXPECT_EQ(errorText(graftError), graftError.what());
}

}  // namespace
}  // namespace graft
