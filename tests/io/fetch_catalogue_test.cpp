// The catalogue of Keras's published weight files: one entry for every zoo variant, under the
// name the zoo looks for in the Keras cache, with Keras's address and hash.
#include <gtest/gtest.h>

#include <set>

#include "graph/diagnostic.h"
#include "io/fetch/fetch_weights.h"
#include "io/fetch/file_digest.h"
#include "support/test_support.h"

namespace graft {
namespace {

TEST(FetchCatalogue, EveryZooVariantHasKerasFileUnderTheZooCacheName) {
  std::set<std::string> names;
  for (const zoo::ZooOptions& o : fetch::publishedVariants()) {
    const auto weights = fetch::publishedWeights(o);
    ASSERT_TRUE(weights) << o.architecture << " alpha " << o.alpha << " size "
                         << o.inputSize.value_or(0) << " top " << o.includeTop;
    EXPECT_EQ(weights->fileName, zoo::standardWeightsFileName(o));
    // The address names the file as the cache does, except NASNet's: nasnet.py's get_file
    // stores NASNet-mobile.h5 as nasnet_mobile.h5.
    const std::string remote = weights->relativePath.substr(weights->relativePath.rfind('/') + 1);
    if (zoo::familyOf(o.architecture) == "NASNet")
      EXPECT_EQ(remote.substr(0, 7), "NASNet-") << weights->fileName;
    else
      EXPECT_EQ(remote, weights->fileName);
    if (o.architecture == "mobilenet" || o.architecture == "mobilenetv2") {
      EXPECT_TRUE(weights->hash.empty()) << "Keras publishes no MobileNet hash";
    } else {
      EXPECT_NO_THROW(fetch::digestAlgorithmFor(weights->hash)) << weights->fileName;
    }
    names.insert(weights->fileName);
  }
  // 14 architectures with and without the top, MobileNet 4 alphas x 4 sizes, MobileNetV2 6 x 5,
  // MobileNetV3Small and Large 3 each (alpha 0.75, 1.0 and minimalistic 1.0),
  // EfficientNetB0 .. B7, EfficientNetV2B0 .. B3, S, M, L, ConvNeXt's 5, NASNet's 2.
  EXPECT_EQ(names.size(), 14u * 2u + 4u * 4u * 2u + 6u * 5u * 2u + 2u * 3u * 2u + 8u * 2u +
                              7u * 2u + 5u * 2u + 2u * 2u);
  EXPECT_EQ(fetch::allPublishedWeights().size(), names.size());
}

TEST(FetchCatalogue, AddressesAreKerasOwnUnlessABaseIsGiven) {
  zoo::ZooOptions vgg;
  vgg.architecture = "vgg16";
  vgg.includeTop = false;
  const auto weights = *fetch::publishedWeights(vgg);
  // keras/applications/vgg16.py WEIGHTS_PATH_NO_TOP and its get_file hash.
  EXPECT_EQ(fetch::downloadUrl(weights, ""),
            "https://storage.googleapis.com/tensorflow/keras-applications/vgg16/"
            "vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5");
  EXPECT_EQ(weights.hash, "6d6bbae143d832006294945121d1f1fc");
  EXPECT_EQ(fetch::downloadUrl(weights, "http://mirror.example/keras"),
            "http://mirror.example/keras/vgg16/vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5");

  zoo::ZooOptions mobilenet;
  mobilenet.architecture = "mobilenet";
  mobilenet.alpha = 0.5;
  mobilenet.inputSize = 160;
  EXPECT_EQ(fetch::downloadUrl(*fetch::publishedWeights(mobilenet), ""),
            "https://storage.googleapis.com/tensorflow/keras-applications/mobilenet/"
            "mobilenet_5_0_160_tf.h5");
}

TEST(FetchCatalogue, TheEnvironmentWinsOverTheSetting) {
  EXPECT_EQ(fetch::weightsBaseUrl("http://env/", "http://setting/"), "http://env/");
  EXPECT_EQ(fetch::weightsBaseUrl(nullptr, "http://setting/"), "http://setting/");
  EXPECT_EQ(fetch::weightsBaseUrl("", ""), "");
}

TEST(FetchCatalogue, VariantsKerasDoesNotPublishAreRefusedWithTheReason) {
  zoo::ZooOptions tenClasses;
  tenClasses.architecture = "vgg16";
  tenClasses.classes = 10;
  EXPECT_FALSE(fetch::publishedWeights(tenClasses));
  try {
    fetch::zooFetchRequest(tenClasses, "/tmp/unused", "");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("1000"), std::string::npos) << e.what();
  }
  zoo::ZooOptions oddAlpha;
  oddAlpha.architecture = "mobilenet";
  oddAlpha.alpha = 0.3;
  EXPECT_FALSE(fetch::publishedWeights(oddAlpha));
  EXPECT_THROW(fetch::zooFetchRequest(oddAlpha, "/tmp/unused", ""), Error);
  // Like Keras, MobileNet at a size without its own file uses the 224 one.
  zoo::ZooOptions oddSize;
  oddSize.architecture = "mobilenet";
  oddSize.inputSize = 200;
  EXPECT_EQ(fetch::publishedWeights(oddSize)->fileName, "mobilenet_1_0_224_tf.h5");
  zoo::ZooOptions unknown;
  unknown.architecture = "alexnet";
  EXPECT_THROW(fetch::zooFetchRequest(unknown, "/tmp/unused", ""), Error);
}

TEST(FetchCatalogue, DigestAlgorithmFollowsTheHashLengthLikeKerasGetFile) {
  EXPECT_EQ(fetch::digestAlgorithmFor(std::string(64, 'a')), fetch::DigestAlgorithm::Sha256);
  EXPECT_EQ(fetch::digestAlgorithmFor(std::string(32, 'F')), fetch::DigestAlgorithm::Md5);
  EXPECT_THROW(fetch::digestAlgorithmFor(std::string(40, 'a')), Error);
  EXPECT_THROW(fetch::digestAlgorithmFor(std::string(32, 'z')), Error);
}

// Published Keras files among the shared fixtures must match the catalogue's hash.
TEST(FetchCatalogue, KerasFilesAmongTheFixturesMatchTheirPublishedHash) {
  int checked = 0;
  for (const auto& weights : fetch::allPublishedWeights()) {
    const std::string file = test::fixture("keras/" + weights.fileName);
    if (file.empty() || weights.hash.empty()) continue;
    const auto algorithm = fetch::digestAlgorithmFor(weights.hash);
    EXPECT_EQ(fetch::fileDigestHex(file, algorithm), weights.hash) << file;
    ++checked;
  }
  if (checked == 0)
    GTEST_SKIP() << "no Keras file with a published hash under " << test::fixturesDir()
                 << "/keras (MobileNet's has none: FetchKerasFiles checks it by reading it)";
}

}  // namespace
}  // namespace graft
