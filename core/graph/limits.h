#pragma once
// Bounds on what Graft accepts from files, far above any real image network, so that a hostile
// or broken file is refused with a message before anything large is allocated.
#include <cstddef>
#include <cstdint>

namespace graft::limits {

constexpr int64_t kMaxWeightElements = int64_t{1} << 31;  // 8 GiB of float32 in one tensor
constexpr int64_t kMaxModelParams = int64_t{4} << 30;     // 16 GiB of float32 in a model
// One layer's output for one image: VGG's largest at 224 px is 3.2 M, at 4096 px about 1 G.
constexpr int64_t kMaxActivationElements = int64_t{1} << 31;
constexpr size_t kMaxLayers = 20000;                      // InceptionV3 has 313
constexpr int kMaxJsonDepth = 128;                        // Keras configs nest ~10 deep
constexpr size_t kMaxAttributeBytes = size_t{256} << 20;  // one HDF5 attribute
constexpr size_t kMaxLayerNameBytes = 1024;               // Keras's are under 100
// One image file's pixels: Graft shrinks every image to the model's input, and decoding one
// takes 15 bytes a pixel (8-bit BGR, then float RGB). A 108-megapixel phone photo fits; a
// 20000 x 20000 picture (7 GB to decode) does not.
constexpr int64_t kMaxImagePixels = int64_t{1} << 27;

}  // namespace graft::limits
