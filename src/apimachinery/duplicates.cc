// json_duplicate_fields (duplicates.h): a structural scan of JSON text that tracks the path and
// the keys seen in each object.
#include "apimachinery/duplicates.h"

#include <set>

namespace skiff {
namespace {

constexpr int kMaxDepth = 512;

class Scanner {
 public:
  explicit Scanner(std::string_view text) : s_(text) {}

  void value(int depth) {
    ws();
    if (i_ >= s_.size() || depth > kMaxDepth) return fail();
    char c = s_[i_];
    if (c == '{') return object(depth);
    if (c == '[') return array(depth);
    if (c == '"') {
      std::string ignored;
      return (void)string(ignored);
    }
    // A number or a literal: everything up to the next delimiter.
    while (i_ < s_.size() && !is_delim(s_[i_])) ++i_;
  }

  bool failed() const { return failed_; }
  std::vector<std::string> take() { return std::move(found_); }

 private:
  static bool is_delim(char c) {
    return c == ',' || c == '}' || c == ']' || c == ' ' || c == '\t' || c == '\n' || c == '\r';
  }
  void ws() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\n' || s_[i_] == '\r'))
      ++i_;
  }
  void fail() {
    failed_ = true;
    i_ = s_.size();
  }

  static void put_utf8(std::string& out, uint32_t cp) {
    if (cp < 0x80) {
      out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      out.push_back(static_cast<char>(0xc0 | (cp >> 6)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
    } else if (cp < 0x10000) {
      out.push_back(static_cast<char>(0xe0 | (cp >> 12)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
    } else {
      out.push_back(static_cast<char>(0xf0 | (cp >> 18)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3f)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
    }
  }
  bool hex4(uint32_t& cp) {
    if (i_ + 4 > s_.size()) return false;
    cp = 0;
    for (int k = 0; k < 4; ++k) {
      char h = s_[i_++];
      cp <<= 4;
      if (h >= '0' && h <= '9') cp |= h - '0';
      else if (h >= 'a' && h <= 'f') cp |= h - 'a' + 10;
      else if (h >= 'A' && h <= 'F') cp |= h - 'A' + 10;
      else return false;
    }
    return true;
  }

  // A string starting at s_[i_] == '"', unescaped into `out`.
  bool string(std::string& out) {
    ++i_;
    while (i_ < s_.size()) {
      char c = s_[i_++];
      if (c == '"') return true;
      if (c != '\\') {
        out.push_back(c);
        continue;
      }
      if (i_ >= s_.size()) break;
      char e = s_[i_++];
      switch (e) {
        case 'b': out.push_back('\b'); break;
        case 'f': out.push_back('\f'); break;
        case 'n': out.push_back('\n'); break;
        case 'r': out.push_back('\r'); break;
        case 't': out.push_back('\t'); break;
        case 'u': {
          uint32_t cp;
          if (!hex4(cp)) return fail(), false;
          if (cp >= 0xd800 && cp < 0xdc00 && i_ + 6 <= s_.size() && s_[i_] == '\\' &&
              s_[i_ + 1] == 'u') {
            i_ += 2;
            uint32_t lo;
            if (!hex4(lo)) return fail(), false;
            cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
          }
          put_utf8(out, cp);
          break;
        }
        default: out.push_back(e);
      }
    }
    fail();
    return false;
  }

  std::string path_with(std::string_view key) const {
    return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
  }

  void object(int depth) {
    ++i_;
    std::set<std::string> seen;
    ws();
    if (i_ < s_.size() && s_[i_] == '}') return (void)++i_;
    while (i_ < s_.size()) {
      ws();
      if (i_ >= s_.size() || s_[i_] != '"') return fail();
      std::string key;
      if (!string(key)) return;
      ws();
      if (i_ >= s_.size() || s_[i_] != ':') return fail();
      ++i_;
      std::string field = path_with(key);
      if (!seen.insert(key).second && reported_.insert(field).second) found_.push_back(field);
      std::string saved = std::move(path_);
      path_ = field;
      value(depth + 1);
      path_ = std::move(saved);
      ws();
      if (i_ < s_.size() && s_[i_] == ',') {
        ++i_;
        continue;
      }
      if (i_ < s_.size() && s_[i_] == '}') return (void)++i_;
      return fail();
    }
  }

  void array(int depth) {
    ++i_;
    ws();
    if (i_ < s_.size() && s_[i_] == ']') return (void)++i_;
    for (size_t index = 0; i_ < s_.size(); ++index) {
      std::string saved = path_;
      path_ += "[" + std::to_string(index) + "]";
      value(depth + 1);
      path_ = std::move(saved);
      ws();
      if (i_ < s_.size() && s_[i_] == ',') {
        ++i_;
        continue;
      }
      if (i_ < s_.size() && s_[i_] == ']') return (void)++i_;
      return fail();
    }
  }

  std::string_view s_;
  size_t i_ = 0;
  bool failed_ = false;
  std::string path_;
  std::set<std::string> reported_;
  std::vector<std::string> found_;
};

}  // namespace

std::vector<std::string> json_duplicate_fields(std::string_view text) {
  Scanner sc(text);
  sc.value(0);
  return sc.take();
}

}  // namespace skiff
