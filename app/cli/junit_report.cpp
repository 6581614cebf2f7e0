#include "cli/junit_report.h"

#include <libxml/xmlwriter.h>

#include <memory>

#include "io/atomic_file.h"

namespace graft::cli {

namespace {

// XML 1.0 allows neither bytes that are not UTF-8 (a file name is bytes) nor control
// characters other than tab, newline and carriage return: each becomes U+FFFD, so that the
// report stays well-formed whatever a message quotes.
std::string xmlSafe(const std::string& text) {
  static const std::string replacement = "\xEF\xBF\xBD";
  std::string safe;
  safe.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if (byte < 0x80) {
      const bool allowed = byte >= 0x20 || byte == '\t' || byte == '\n' || byte == '\r';
      safe += allowed ? std::string(1, text[i]) : replacement;
      ++i;
      continue;
    }
    // The length a lead byte announces; continuation bytes are 10xxxxxx. The second byte's
    // range rules out overlong forms (E0, F0), surrogates (ED) and code points past U+10FFFF
    // (F4); U+FFFE and U+FFFF are not XML characters either.
    const size_t length = (byte & 0xE0) == 0xC0   ? 2
                          : (byte & 0xF0) == 0xE0 ? 3
                          : (byte & 0xF8) == 0xF0 ? 4
                                                  : 0;
    bool valid = length != 0 && byte >= 0xC2 && byte <= 0xF4 && i + length <= text.size();
    for (size_t k = 1; valid && k < length; ++k)
      valid = (static_cast<unsigned char>(text[i + k]) & 0xC0) == 0x80;
    if (valid && length > 2) {
      const auto second = static_cast<unsigned char>(text[i + 1]);
      if ((byte == 0xE0 && second < 0xA0) || (byte == 0xED && second >= 0xA0) ||
          (byte == 0xF0 && second < 0x90) || (byte == 0xF4 && second >= 0x90) ||
          (byte == 0xEF && second == 0xBF && static_cast<unsigned char>(text[i + 2]) >= 0xBE))
        valid = false;
    }
    if (valid) {
      safe.append(text, i, length);
      i += length;
    } else {
      safe += replacement;
      ++i;
    }
  }
  return safe;
}

// libxml2's writer escapes text and attributes; these wrappers keep its C calls readable.
class XmlWriter {
 public:
  XmlWriter() : buffer_(xmlBufferCreate()), writer_(xmlNewTextWriterMemory(buffer_, 0)) {
    if (!buffer_ || !writer_) throw Error("cannot create an XML writer (out of memory?)");
    xmlTextWriterSetIndent(writer_, 1);
    xmlTextWriterStartDocument(writer_, nullptr, "UTF-8", nullptr);
  }
  ~XmlWriter() {
    if (writer_) xmlFreeTextWriter(writer_);
    xmlBufferFree(buffer_);
  }
  XmlWriter(const XmlWriter&) = delete;
  XmlWriter& operator=(const XmlWriter&) = delete;

  void start(const char* element) { xmlTextWriterStartElement(writer_, name(element)); }
  void attribute(const char* key, const std::string& value) {
    xmlTextWriterWriteAttribute(writer_, name(key), name(xmlSafe(value).c_str()));
  }
  void text(const std::string& value) {
    xmlTextWriterWriteString(writer_, name(xmlSafe(value).c_str()));
  }
  void end() { xmlTextWriterEndElement(writer_); }

  std::string finish() {
    xmlTextWriterEndDocument(writer_);
    xmlFreeTextWriter(writer_);  // flushes into the buffer
    writer_ = nullptr;
    return std::string(reinterpret_cast<const char*>(xmlBufferContent(buffer_)),
                       static_cast<size_t>(xmlBufferLength(buffer_)));
  }

 private:
  static const xmlChar* name(const char* s) { return reinterpret_cast<const xmlChar*>(s); }
  xmlBufferPtr buffer_;
  xmlTextWriterPtr writer_;
};

std::string seconds(double s) {
  return std::to_string(s);
}

}  // namespace

std::string junitXml(const PipelineResult& result, const std::string& suiteName) {
  double total = 0.0;
  for (const auto& s : result.steps) total += s.seconds;
  XmlWriter xml;
  xml.start("testsuites");
  xml.attribute("name", "graft-cli run");
  xml.attribute("tests", std::to_string(result.steps.size()));
  xml.attribute("failures", std::to_string(result.count(StepStatus::Failed)));
  xml.attribute("errors", std::to_string(result.count(StepStatus::Error)));
  xml.attribute("time", seconds(total));
  xml.start("testsuite");
  xml.attribute("name", suiteName);
  xml.attribute("tests", std::to_string(result.steps.size()));
  xml.attribute("failures", std::to_string(result.count(StepStatus::Failed)));
  xml.attribute("errors", std::to_string(result.count(StepStatus::Error)));
  xml.attribute("skipped", std::to_string(result.count(StepStatus::Skipped)));
  xml.attribute("time", seconds(total));
  for (const auto& s : result.steps) {
    xml.start("testcase");
    xml.attribute("classname", suiteName + (s.isCheck ? ".checks" : ".steps"));
    xml.attribute("name", s.name);
    xml.attribute("time", seconds(s.seconds));
    switch (s.status) {
      case StepStatus::Passed:
        xml.start("system-out");
        xml.text(s.message);
        xml.end();
        break;
      case StepStatus::Failed:
        xml.start("failure");
        xml.attribute("message", s.message);
        xml.attribute("type", "check");
        xml.text(s.message);
        xml.end();
        break;
      case StepStatus::Error:
        xml.start("error");
        xml.attribute("message", s.message);
        xml.attribute("type", "step");
        xml.text(s.message);
        xml.end();
        break;
      case StepStatus::Skipped:
        xml.start("skipped");
        xml.attribute("message", s.message);
        xml.end();
        break;
    }
    xml.end();
  }
  xml.end();
  xml.end();
  return xml.finish();
}

void writeJunitReport(const PipelineResult& result, const std::string& suiteName,
                      const std::string& path) {
  writeTextAtomically(path, junitXml(result, suiteName), "the JUnit report");
}

}  // namespace graft::cli
