#include "images/system_image.h"

#include <elf.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>
#include <sstream>
#include <stdexcept>

#include "common/json.h"
#include "common/log.h"
#include "common/version.h"
#include "images/digest.h"
#include "images/stream.h"
#include "images/tar_writer.h"

namespace skiff::images {
namespace fs = std::filesystem;
namespace {

constexpr const char* kExe = "/proc/self/exe";

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The parts of the running binary's ELF headers we need: the GNU build ID (hex) and PT_INTERP.
struct ElfFacts {
  std::string build_id, interpreter;
};

ElfFacts read_elf(const std::string& path) {
  ElfFacts f;
  std::ifstream in(path, std::ios::binary);
  Elf64_Ehdr eh{};
  if (!in.read(reinterpret_cast<char*>(&eh), sizeof eh) || std::memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 ||
      eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_phentsize != sizeof(Elf64_Phdr) || eh.e_phnum > 256)
    return f;
  for (int i = 0; i < eh.e_phnum; ++i) {
    Elf64_Phdr ph{};
    in.seekg(static_cast<std::streamoff>(eh.e_phoff + i * sizeof ph));
    if (!in.read(reinterpret_cast<char*>(&ph), sizeof ph)) return f;
    if (ph.p_filesz > (1 << 16)) continue;  // notes and the interpreter path are small
    std::string seg(ph.p_filesz, '\0');
    auto pos = in.tellg();
    in.seekg(static_cast<std::streamoff>(ph.p_offset));
    if (!in.read(seg.data(), static_cast<std::streamsize>(seg.size()))) return f;
    in.seekg(pos);
    if (ph.p_type == PT_INTERP) {
      f.interpreter = seg.c_str();
    } else if (ph.p_type == PT_NOTE) {
      // Elf64_Nhdr, name and descriptor each padded to 4 bytes.
      size_t off = 0;
      while (off + sizeof(Elf64_Nhdr) <= seg.size()) {
        Elf64_Nhdr nh;
        std::memcpy(&nh, seg.data() + off, sizeof nh);
        off += sizeof nh;
        const size_t name_at = off, desc_at = off + ((nh.n_namesz + 3) & ~3u);
        off = desc_at + ((nh.n_descsz + 3) & ~3u);
        if (off > seg.size()) break;
        if (nh.n_type == NT_GNU_BUILD_ID && nh.n_namesz == 4 && std::memcmp(seg.data() + name_at, "GNU", 4) == 0) {
          static const char* hex = "0123456789abcdef";
          for (size_t k = 0; k < nh.n_descsz; ++k) {
            auto b = static_cast<unsigned char>(seg[desc_at + k]);
            f.build_id += hex[b >> 4];
            f.build_id += hex[b & 15];
          }
        }
      }
    }
  }
  return f;
}

std::string architecture() {
  utsname u{};
  uname(&u);
  std::string m = u.machine;
  if (m == "x86_64") return "amd64";
  if (m == "aarch64") return "arm64";
  return m;
}

// Writes `data` as a blob of the layout archive; returns its descriptor.
json::object put_blob(TarWriter& tw, const std::string& media_type, const std::string& data) {
  std::string d = sha256_digest(data);
  tw.file("blobs/sha256/" + digest_hex(d), data);
  return json::object{{"mediaType", media_type}, {"digest", d}, {"size", static_cast<int64_t>(data.size())}};
}

// Every directory above `path` (relative, no leading '/'), outermost first, once.
void parents(TarWriter& tw, const std::string& path, std::set<std::string>& made) {
  for (size_t p = path.find('/'); p != std::string::npos; p = path.find('/', p + 1)) {
    std::string d = path.substr(0, p);
    if (made.insert(d).second) tw.dir(d);
  }
}

// The layer (an uncompressed tar) into `layer_path`; returns its digest, the diffID.
std::string write_layer(const std::string& layer_path) {
  std::FILE* out = std::fopen(layer_path.c_str(), "wb");
  if (!out) throw std::runtime_error("cannot write " + layer_path);
  try {
    TarWriter tw(out);
    std::set<std::string> made;
    for (const char* d : {"etc", "tmp", "proc", "dev", "sys", "run", "var", "usr", "usr/bin"}) {
      tw.dir(d, std::string(d) == "tmp" ? 01777 : 0755);
      made.insert(d);
    }
    tw.file("etc/passwd", "root:x:0:0:root:/:/usr/bin/skiff\n");
    tw.file("etc/group", "root:x:0:\n");
    tw.file_from("usr/bin/skiff", kExe, 0755);
    const std::string interp = read_elf(kExe).interpreter;
    for (const auto& lib : system_image_libraries()) {
      std::error_code ec;
      std::string real = fs::canonical(lib, ec).string();
      if (ec) throw std::runtime_error("cannot resolve " + lib + ": " + ec.message());
      std::string rel = real.substr(1);
      if (made.insert(rel).second) {
        parents(tw, rel, made);
        tw.file_from(rel, real, 0755);
      }
      // The names the loader looks for (DT_NEEDED holds sonames: libsqlite3.so.0) are symlinks
      // beside the file /proc/self/maps names (libsqlite3.so.0.8.6): every symlink of that
      // directory resolving to it comes along.
      const fs::path dir = fs::path(real).parent_path();
      for (const auto& e : fs::directory_iterator(dir, ec)) {
        if (!e.is_symlink(ec)) continue;
        const std::string link = e.path().string();
        if (fs::canonical(e.path(), ec) != real || ec || !made.insert(link.substr(1)).second) continue;
        tw.symlink(link.substr(1), fs::read_symlink(e.path(), ec).string());
      }
      // The interpreter's own path (e.g. /lib64/ld-linux-x86-64.so.2) is what the kernel opens.
      if (lib == interp && lib != real && made.insert(lib.substr(1)).second) {
        parents(tw, lib.substr(1), made);
        tw.symlink(lib.substr(1), real);
      }
    }
    tw.finish();
  } catch (...) {
    std::fclose(out);
    throw;
  }
  if (std::fclose(out) != 0) throw std::runtime_error("cannot write " + layer_path);
  auto r = open_file_reader(layer_path);
  Sha256 h;
  char buf[1 << 16];
  while (size_t n = r->read(buf, sizeof buf)) h.update(buf, n);
  return h.digest();
}

// The OCI image-layout archive of the system image at `archive_path`.
void write_archive(const std::string& archive_path, const std::string& layer_path) {
  const std::string diff_id = write_layer(layer_path);
  const auto layer_size = static_cast<int64_t>(fs::file_size(layer_path));
  std::FILE* out = std::fopen(archive_path.c_str(), "wb");
  if (!out) throw std::runtime_error("cannot write " + archive_path);
  try {
    TarWriter tw(out);
    tw.file("oci-layout", R"({"imageLayoutVersion":"1.0.0"})");
    tw.file_from("blobs/sha256/" + digest_hex(diff_id), layer_path, 0644);
    json::object config{
        {"architecture", architecture()},
        {"os", "linux"},
        {"config", json::object{{"Entrypoint", json::array{"/usr/bin/skiff"}},
                                {"Env", json::array{"PATH=/usr/bin:/bin"}},
                                {"WorkingDir", "/"}}},
        {"rootfs", json::object{{"type", "layers"}, {"diff_ids", json::array{json::value(diff_id)}}}}};
    json::object cfg_desc = put_blob(tw, "application/vnd.oci.image.config.v1+json", json::serialize(config));
    json::object manifest{
        {"schemaVersion", 2},
        {"mediaType", "application/vnd.oci.image.manifest.v1+json"},
        {"config", cfg_desc},
        {"layers", json::array{json::object{{"mediaType", "application/vnd.oci.image.layer.v1.tar"},
                                            {"digest", diff_id},
                                            {"size", layer_size}}}}};
    json::object man_desc = put_blob(tw, "application/vnd.oci.image.manifest.v1+json", json::serialize(manifest));
    man_desc["annotations"] = json::object{{"io.containerd.image.name", system_image_ref()}};
    json::object index{{"schemaVersion", 2}, {"manifests", json::array{man_desc}}};
    tw.file("index.json", json::serialize(index));
    tw.finish();
  } catch (...) {
    std::fclose(out);
    throw;
  }
  if (std::fclose(out) != 0) throw std::runtime_error("cannot write " + archive_path);
}

}  // namespace

const std::string& system_image_ref() {
  static const std::string ref = [] {
    std::string id = read_elf(kExe).build_id;
    // A binary linked without a build ID: hash its content instead (slower, same guarantee).
    if (id.empty()) id = digest_hex(sha256_digest(read_file(kExe)));
    return std::string(kSystemImageName) + ":" + kSkiffVersion + "-" + id.substr(0, 12);
  }();
  return ref;
}

std::vector<std::string> system_image_libraries() {
  std::vector<std::string> out;
  std::set<std::string> seen;
  std::error_code ec;
  const std::string self = fs::read_symlink(kExe, ec).string();
  const std::string interp = read_elf(kExe).interpreter;
  if (!interp.empty() && seen.insert(interp).second) out.push_back(interp);
  std::ifstream maps("/proc/self/maps");
  std::string line;
  while (std::getline(maps, line)) {
    // address perms offset dev inode path
    auto slash = line.find('/');
    if (slash == std::string::npos) continue;
    std::string path = line.substr(slash);
    if (path.ends_with(" (deleted)") || path == self) continue;
    auto base = path.substr(path.rfind('/') + 1);
    if (base.find(".so") == std::string::npos) continue;  // locale archives, data files
    if (seen.insert(path).second) out.push_back(path);
  }
  return out;
}

Status ensure_system_image(ImageService& svc, const std::string& tmp_dir) {
  static std::mutex mu;  // one build at a time in this process; the others wait and find it
  std::lock_guard lock(mu);
  Image img;
  if (svc.get(system_image_ref(), img).ok()) return Status::Ok();
  std::error_code ec;
  fs::create_directories(tmp_dir, ec);
  const std::string base = tmp_dir + "/system-image." + std::to_string(getpid());
  const std::string layer = base + ".layer", archive = base + ".tar";
  Status st;
  try {
    write_archive(archive, layer);
    fs::remove(layer, ec);
    std::vector<Image> got;
    st = svc.import_archive(archive, got);
  } catch (const std::exception& e) {
    st = Status{Status::Code::kIo, std::string("building the system image: ") + e.what()};
  }
  fs::remove(layer, ec);
  fs::remove(archive, ec);
  if (st.ok()) {
    SKIFF_LOG(INFO) << "images: built the system image " << system_image_ref();
  }
  return st;
}

}  // namespace skiff::images
