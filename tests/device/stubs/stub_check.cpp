// Run by tests/device/prepare.sh against the staged folder: Debian 12's OpenCV imgcodecs loads
// with the GDAL stub and writes and reads PNG, JPEG, WebP and TIFF; a file that is no image reads
// as empty; libxml2 loads with the ICU stub and writes UTF-8 XML (what graft-cli's JUnit report
// does); OpenCV dnn loads. Usage: stub_check SCRATCH_DIR. Exit 0 when all of that holds.
#include <libxml/xmlwriter.h>

#include <cstdio>
#include <cstring>
#include <string>

#include <opencv2/dnn.hpp>
#include <opencv2/imgcodecs.hpp>

int main(int argc, char** argv) {
  if (argc != 2) return 2;
  int failures = 0;
  const cv::Mat image(32, 48, CV_8UC3, cv::Scalar(10, 200, 30));
  for (const char* extension : {".png", ".jpg", ".webp", ".tiff"}) {
    const std::string path = std::string(argv[1]) + "/stub_check" + extension;
    const bool written = cv::imwrite(path, image);
    const cv::Mat read = cv::imread(path);
    const bool ok = written && read.cols == 48 && read.rows == 32;
    std::printf("   imgcodecs %s: %s\n", extension, ok ? "written and read" : "FAILED");
    failures += ok ? 0 : 1;
  }
  const std::string notImage = std::string(argv[1]) + "/stub_check.txt";
  if (FILE* f = std::fopen(notImage.c_str(), "w")) {
    std::fputs("not an image\n", f);
    std::fclose(f);
  }
  const bool empty = cv::imread(notImage).empty();
  std::printf("   imgcodecs, not an image: %s\n", empty ? "empty" : "FAILED");
  failures += empty ? 0 : 1;

  xmlBufferPtr buffer = xmlBufferCreate();
  xmlTextWriterPtr writer = xmlNewTextWriterMemory(buffer, 0);
  xmlTextWriterStartDocument(writer, nullptr, "UTF-8", nullptr);
  xmlTextWriterStartElement(writer, BAD_CAST "testsuites");
  xmlTextWriterWriteAttribute(writer, BAD_CAST "name",
                              BAD_CAST
                              "gr\xC3\xBC\xC3\x9F"
                              "e");
  xmlTextWriterEndDocument(writer);
  xmlFreeTextWriter(writer);
  const bool xml = std::strstr(reinterpret_cast<const char*>(buffer->content),
                               "<testsuites name=\"gr\xC3\xBC\xC3\x9F"
                               "e\"/>") != nullptr;
  std::printf("   libxml2 UTF-8 writer: %s\n", xml ? "ok" : "FAILED");
  failures += xml ? 0 : 1;
  xmlBufferFree(buffer);

  const cv::dnn::Net net;
  std::printf("   dnn: loads (empty net %d)\n", static_cast<int>(net.empty()));
  return failures == 0 ? 0 : 1;
}
