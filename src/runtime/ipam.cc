#include "runtime/ipam.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "runtime/host.h"

namespace skiff::runtime {
namespace fs = std::filesystem;

std::optional<Ipv4Net> parse_cidr(const std::string& cidr) {
  auto slash = cidr.find('/');
  if (slash == std::string::npos) return std::nullopt;
  in_addr a;
  if (::inet_pton(AF_INET, cidr.substr(0, slash).c_str(), &a) != 1) return std::nullopt;
  char* end = nullptr;
  long p = std::strtol(cidr.c_str() + slash + 1, &end, 10);
  if (*end || p < 8 || p > 30) return std::nullopt;  // room for network, gateway, broadcast
  Ipv4Net n;
  n.prefix = static_cast<int>(p);
  uint32_t mask = 0xffffffffu << (32 - p);
  n.network = ntohl(a.s_addr) & mask;
  return n;
}

std::optional<std::string> nth_address(const std::string& cidr, uint32_t n) {
  auto net = parse_cidr(cidr);
  if (!net || n == 0 || n >= net->broadcast() - net->network) return std::nullopt;
  return format_ipv4(net->network + n);
}

std::string format_ipv4(uint32_t addr) {
  in_addr a{htonl(addr)};
  char buf[INET_ADDRSTRLEN];
  ::inet_ntop(AF_INET, &a, buf, sizeof buf);
  return buf;
}

std::optional<std::string> Ipam::find(const std::string& owner) const {
  std::error_code ec;
  for (auto& e : fs::directory_iterator(dir_, ec)) {
    std::string name = e.path().filename().string();
    if (name.empty() || !std::isdigit(static_cast<unsigned char>(name[0]))) continue;
    std::string o = read_file(e.path().string());
    while (!o.empty() && o.back() == '\n') o.pop_back();
    if (o == owner) return name;
  }
  return std::nullopt;
}

Status Ipam::allocate(const std::string& owner, std::string* ip) {
  std::error_code ec;
  fs::create_directories(dir_, ec);
  if (auto existing = find(owner)) {
    *ip = *existing;
    return Status::Ok();
  }
  uint32_t first = net_.gateway() + 1, last = net_.broadcast() - 1;
  uint32_t start = first;
  std::string hint = read_file(dir_ + "/last");
  if (auto h = parse_cidr(hint + "/32"); h && h->network >= first && h->network < last)
    start = h->network + 1;
  for (uint32_t i = 0; i <= last - first; ++i) {
    uint32_t a = first + (start - first + i) % (last - first + 1);
    std::string name = format_ipv4(a);
    std::string path = dir_ + "/" + name;
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) {
      if (errno == EEXIST) continue;
      return Status::Failed("lease " + path + ": " + std::strerror(errno));
    }
    std::string line = owner + "\n";
    bool ok = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size());
    ok = ::fsync(fd) == 0 && ok;
    ::close(fd);
    if (!ok) {
      ::unlink(path.c_str());
      return Status::Failed("write lease " + path);
    }
    std::string tmp = dir_ + "/last.tmp";
    int h = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (h >= 0) {
      (void)!::write(h, name.data(), name.size());
      ::close(h);
      ::rename(tmp.c_str(), (dir_ + "/last").c_str());
    }
    *ip = name;
    return Status::Ok();
  }
  return Status::Failed("no free address in " + format_ipv4(net_.network) + "/" +
                        std::to_string(net_.prefix));
}

Status Ipam::release(const std::string& owner) {
  while (auto ip = find(owner)) {
    if (::unlink((dir_ + "/" + *ip).c_str()) != 0 && errno != ENOENT)
      return Status::Failed("release " + *ip + ": " + std::strerror(errno));
  }
  return Status::Ok();
}

}  // namespace skiff::runtime
