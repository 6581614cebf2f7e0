// VGG16 and VGG19 (Simonyan & Zisserman), as keras.applications builds them.
#include "io/zoo/families.h"

namespace graft::zoo {

Graph buildVgg(const ZooOptions& options, int convsInBlocks345) {
  GraphBuilder b(convsInBlocks345 == 3 ? "vgg16" : "vgg19");
  std::string x = b.input("input_1", inputShapeFor(options));
  const int filters[] = {64, 128, 256, 512, 512};
  for (int block = 1; block <= 5; ++block) {
    const int convs = block <= 2 ? 2 : convsInBlocks345;
    const std::string prefix = "block" + std::to_string(block);
    for (int i = 1; i <= convs; ++i)
      x = b.add("Conv2D", prefix + "_conv" + std::to_string(i),
                {{"filters", filters[block - 1]},
                 {"kernel_size", {3, 3}},
                 {"activation", "relu"},
                 {"padding", "same"}},
                x);
    x = b.add("MaxPooling2D", prefix + "_pool", {{"pool_size", {2, 2}}, {"strides", {2, 2}}}, x);
  }
  if (options.includeTop) {
    x = b.add("Flatten", "flatten", {}, x);
    x = b.add("Dense", "fc1", {{"units", 4096}, {"activation", "relu"}}, x);
    x = b.add("Dense", "fc2", {{"units", 4096}, {"activation", "relu"}}, x);
    x = b.add("Dense", "predictions", {{"units", options.classes}, {"activation", "softmax"}}, x);
  } else {
    x = addPooling(b, options, x, "global_average_pooling2d", "global_max_pooling2d");
  }
  return b.build({x});
}

}  // namespace graft::zoo
