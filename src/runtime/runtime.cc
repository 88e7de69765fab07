// OciRuntime: the Runtime interface over the crun or runc command line.
#include "runtime/runtime.h"

#include <signal.h>
#include <sys/mount.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <thread>

#include "common/uuid.h"
#include "runtime/monitor.h"
#include "runtime/process.h"

namespace skiff::runtime {
namespace fs = std::filesystem;
namespace {

bool valid_id(const std::string& id) {
  if (id.empty() || id.size() > 128 || !std::isalnum(static_cast<unsigned char>(id[0]))) return false;
  for (char c : id)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-' && c != '.') return false;
  return true;
}

std::string trim(std::string s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
  return s;
}

bool is_not_exist(const std::string& err) {
  return err.find("does not exist") != std::string::npos ||
         err.find("No such file") != std::string::npos || err.find("not found") != std::string::npos;
}

std::string signal_name(int sig) {
  switch (sig) {
    case SIGTERM: return "TERM";
    case SIGKILL: return "KILL";
    case SIGINT: return "INT";
    case SIGHUP: return "HUP";
    case SIGQUIT: return "QUIT";
    case SIGUSR1: return "USR1";
    case SIGUSR2: return "USR2";
    default: return std::to_string(sig);
  }
}

class OciRuntime final : public Runtime {
 public:
  OciRuntime(const RuntimeOptions& o, const HostInfo& h, std::string name, std::string binary)
      : host_(h), name_(std::move(name)), binary_(std::move(binary)), root_(o.root_dir) {
    state_dir_ = root_ + "/state";
    containers_dir_ = root_ + "/containers";
    cgroup_parent_ = o.cgroup_parent.empty()
                         ? (h.self_cgroup == "/" ? "" : h.self_cgroup) + "/skiff"
                         : o.cgroup_parent;
    // crun refuses hybrid cgroups: every crun call runs with the cgroup2 mount hidden.
    if (name_ == "crun" && h.cgroup_mode == CgroupMode::kHybrid) hide_ = h.unified_mount;
    std::error_code ec;
    fs::create_directories(state_dir_, ec);
    fs::create_directories(containers_dir_, ec);
    auto v = run_command({binary_, "--version"}, {});
    std::string first = v.out.substr(0, v.out.find('\n'));
    auto sp = first.rfind(' ');
    version_ = sp == std::string::npos ? first : first.substr(sp + 1);
  }

  std::string name() const override { return name_; }
  std::string version() const override { return version_; }

  Status create(const std::string& id, const ContainerSpec& spec,
                const std::string& log_path) override {
    if (!valid_id(id)) return Status::Invalid("invalid container id \"" + id + "\"");
    std::string dir = cdir(id);
    std::error_code ec;
    if (fs::exists(dir, ec)) return Status::AlreadyExists("container " + id + " exists");
    if (!fs::create_directories(dir, ec)) return Status::Failed("mkdir " + dir + ": " + ec.message());
    Status s = create_in(id, dir, spec, log_path);
    if (!s.ok()) cleanup(id, dir);
    return s;
  }

  Status start(const std::string& id) override {
    auto r = run(id, {"start", id});
    if (r.exit_code == 0) {
      std::ofstream(cdir(id) + "/started") << "1\n";
      return Status::Ok();
    }
    return fail("start", r);
  }

  Status state(const std::string& id, ContainerState* out) override {
    std::string dir = cdir(id);
    std::error_code ec;
    if (!valid_id(id) || !fs::exists(dir, ec)) return Status::NotFound("container " + id + " not found");
    *out = ContainerState{};
    out->id = id;
    std::ifstream meta(dir + "/meta");
    std::getline(meta, out->log_path);
    std::getline(meta, out->cgroup_path);
    if (read_exit(dir, out)) return Status::Ok();
    // Fast path for the kubelet's polling: started, no exit recorded, init alive -> running,
    // without running the runtime (the monitor reaps the init, so a live pid is ours).
    if (fs::exists(dir + "/started", ec)) {
      int pid = std::atoi(read_file(dir + "/pid").c_str());
      std::string stat = read_file("/proc/" + std::to_string(pid) + "/stat");
      auto rp = stat.rfind(')');
      if (pid > 0 && rp != std::string::npos && rp + 2 < stat.size() && stat[rp + 2] != 'Z') {
        out->status = ContainerStatus::kRunning;
        out->pid = pid;
        return Status::Ok();
      }
    }
    auto r = run(id, {"state", id});
    json::value v;
    std::string perr;
    if (r.exit_code != 0 || !parse_json(r.out, v, perr)) {
      // Unknown to the runtime (e.g. after a reboot): it is not running.
      out->status = ContainerStatus::kExited;
      return Status::Ok();
    }
    std::string st = get_string(v, {"status"});
    out->pid = static_cast<int>(get_int(v, {"pid"}));
    out->status = st == "created"   ? ContainerStatus::kCreated
                  : st == "running" ? ContainerStatus::kRunning
                  : st == "stopped" ? ContainerStatus::kExited
                                    : ContainerStatus::kUnknown;
    if (out->status == ContainerStatus::kExited) {
      // The runtime may see the init gone a moment before the monitor has reaped it and
      // recorded the exit code; wait for that record while the monitor is alive (and still
      // ours: the pid file outlives a lost monitor, and the pid may be reused).
      int monitor = std::atoi(read_file(dir + "/monitor").c_str());
      for (int i = 0; i < 200 && is_monitor_of(monitor, id); ++i) {
        if (read_exit(dir, out)) return Status::Ok();
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      }
      read_exit(dir, out);
    }
    return Status::Ok();
  }

  Status kill(const std::string& id, int signal) override {
    auto r = run(id, {"kill", id, signal_name(signal)});
    if (r.exit_code == 0) return Status::Ok();
    return fail("kill", r);
  }

  Status stop(const std::string& id, std::chrono::milliseconds grace) override {
    ContainerState st;
    Status s = state(id, &st);
    if (!s.ok()) return s;
    if (st.status == ContainerStatus::kExited) return Status::Ok();
    if (st.status == ContainerStatus::kRunning) {
      kill(id, SIGTERM);
      if (wait_exited(id, grace)) return Status::Ok();
    }
    kill(id, SIGKILL);
    if (wait_exited(id, std::chrono::seconds(10))) return Status::Ok();
    return Status::Failed("container " + id + " did not exit after SIGKILL");
  }

  Status remove(const std::string& id) override {
    std::string dir = cdir(id);
    std::error_code ec;
    if (!valid_id(id) || !fs::exists(dir, ec)) return Status::NotFound("container " + id + " not found");
    return cleanup(id, dir);
  }

  Status exec_sync(const std::string& id, const std::vector<std::string>& args,
                   std::chrono::milliseconds timeout, ExecResult* out) override {
    std::vector<std::string> a = {"exec", id};
    a.insert(a.end(), args.begin(), args.end());
    auto r = run(id, a, timeout);
    out->exit_code = r.exit_code;
    out->timed_out = r.timed_out;
    out->out = std::move(r.out);
    out->err = std::move(r.err);
    if (r.exit_code < 0) return Status::Failed("cannot run " + binary_);
    return Status::Ok();
  }

  Status exec(const std::string& id, const std::vector<std::string>& args, const ExecIO& io,
              int* exit_code) override {
    std::error_code ec;
    if (!valid_id(id) || !fs::exists(cdir(id), ec)) return Status::NotFound("container " + id + " not found");
    std::vector<std::string> a = {"exec"};
    std::string sock;
    if (io.tty && name_ == "crun") {
      sock = cdir(id) + "/console-" + random_suffix(6) + ".sock";
      if (sock.size() >= 100) sock = "/tmp/skiff-console-" + random_suffix(12) + ".sock";
      a.insert(a.end(), {"--tty", "--console-socket", sock});
    } else if (io.tty) {
      a.push_back("--tty");
    }
    for (const auto& e : io.env) a.insert(a.end(), {"--env", e});
    a.push_back(id);
    a.insert(a.end(), args.begin(), args.end());
    return exec_streaming(argv(id, a), hide_, sock, io, exit_code);
  }

  std::vector<std::string> list() override {
    std::vector<std::string> ids;
    std::error_code ec;
    for (auto& e : fs::directory_iterator(containers_dir_, ec))
      if (e.is_directory()) ids.push_back(e.path().filename().string());
    return ids;
  }

 private:
  std::string cdir(const std::string& id) const { return containers_dir_ + "/" + id; }

  std::vector<std::string> argv(const std::string& id, const std::vector<std::string>& rest) const {
    std::vector<std::string> a = {binary_, "--root", state_dir_};
    if (host_.systemd && use_systemd_) a.push_back("--systemd-cgroup");
    std::string log = cdir(id) + "/runtime.log";
    if (name_ == "crun") {
      a.push_back("--log=file:" + log);
    } else {
      a.push_back("--log");
      a.push_back(log);
    }
    a.insert(a.end(), rest.begin(), rest.end());
    return a;
  }

  CommandResult run(const std::string& id, const std::vector<std::string>& rest,
                    std::chrono::milliseconds timeout = std::chrono::seconds(30)) const {
    CommandOptions o;
    o.timeout = timeout;
    o.hide_mount = hide_;
    return run_command(argv(id, rest), o);
  }

  Status fail(const char* what, const CommandResult& r) const {
    std::string msg = std::string(what) + ": " + trim(r.err.empty() ? r.out : r.err);
    if (is_not_exist(r.err)) return Status::NotFound(msg);
    return Status::Failed(msg);
  }

  Status create_in(const std::string& id, const std::string& dir, const ContainerSpec& spec,
                   const std::string& log_path) {
    std::string root_path = spec.rootfs;
    bool overlay = !spec.lower_dirs.empty();
    if (overlay) {
      root_path = dir + "/rootfs";
      std::error_code ec;
      fs::create_directories(root_path, ec);
      std::string opts = "lowerdir=";
      for (size_t i = 0; i < spec.lower_dirs.size(); ++i) opts += (i ? ":" : "") + spec.lower_dirs[i];
      if (!spec.upper_dir.empty()) opts += ",upperdir=" + spec.upper_dir + ",workdir=" + spec.work_dir;
      if (::mount("overlay", root_path.c_str(), "overlay", 0, opts.c_str()) != 0)
        return Status::Failed("mount overlay on " + root_path + ": " + std::strerror(errno));
    } else if (root_path.empty()) {
      return Status::Invalid("no root filesystem");
    }
    std::string cgroup = spec.cgroup_path.empty() ? cgroup_parent_ + "/" + id : spec.cgroup_path;
    {
      std::ofstream meta(dir + "/meta");
      meta << log_path << "\n" << cgroup << "\n" << (overlay ? "overlay" : "dir") << "\n";
      if (!meta) return Status::Failed("cannot write " + dir + "/meta");
    }
    Status s = write_config(dir, make_oci_config(spec, host_, root_path, cgroup));
    if (!s.ok()) return s;
    std::error_code ec;
    fs::create_directories(fs::path(log_path).parent_path(), ec);
    MonitorArgs m;
    m.container_id = id;
    m.create_argv = argv(id, {"create", "--bundle", dir, "--pid-file", dir + "/pid", id});
    m.hide_mount = hide_;
    m.pid_file = dir + "/pid";
    m.exit_file = dir + "/exit";
    m.log_path = log_path;
    m.oom_file = host_.cgroup_mode == CgroupMode::kV2
                     ? host_.cgroup_dir("", cgroup) + "/memory.events"
                     : host_.cgroup_dir("memory", cgroup) + "/memory.oom_control";
    int pid = 0, monitor = 0;
    s = spawn_monitor(m, &pid, &monitor);
    if (!s.ok()) {
      std::string log = trim(read_file(dir + "/runtime.log"));
      if (log.size() > 2000) log = log.substr(log.size() - 2000);
      return Status::Failed(s.message() + (log.empty() ? "" : ": " + log));
    }
    std::ofstream(dir + "/monitor") << monitor << "\n";
    return Status::Ok();
  }

  // Fills the exit fields from the monitor's exit file; false when it is not there yet.
  static bool read_exit(const std::string& dir, ContainerState* out) {
    std::ifstream in(dir + "/exit");
    int code = -1, oom = 0;
    long long ns = 0;
    if (!(in >> code >> oom >> ns)) return false;
    out->status = ContainerStatus::kExited;
    out->exit_code = code;
    out->oom_killed = oom != 0;
    out->pid = 0;
    out->finished_at = std::chrono::system_clock::time_point(
        std::chrono::duration_cast<std::chrono::system_clock::duration>(std::chrono::nanoseconds(ns)));
    return true;
  }

  bool wait_exited(const std::string& id, std::chrono::milliseconds timeout) {
    // The monitor's exit file is the cheap signal; ask the runtime only now and then, in case
    // the monitor was lost (killed by hand).
    auto deadline = std::chrono::steady_clock::now() + timeout;
    std::string exit_file = cdir(id) + "/exit";
    for (int i = 0;; ++i) {
      std::error_code ec;
      if (fs::exists(exit_file, ec)) return true;
      if (i % 25 == 24 || std::chrono::steady_clock::now() >= deadline) {
        ContainerState st;
        if (!state(id, &st).ok() || st.status == ContainerStatus::kExited) return true;
      }
      if (std::chrono::steady_clock::now() >= deadline) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }

  Status cleanup(const std::string& id, const std::string& dir) {
    std::ifstream meta(dir + "/meta");
    std::string log_path, cgroup, kind;
    std::getline(meta, log_path);
    std::getline(meta, cgroup);
    std::getline(meta, kind);
    auto r = run(id, {"delete", "--force", id});
    bool deleted = r.exit_code == 0 || is_not_exist(r.err);
    // Wait for the monitor to record the exit (it reaps the init killed by delete --force).
    std::error_code ec;
    if (fs::exists(dir + "/pid", ec)) {
      for (int i = 0; i < 250 && !fs::exists(dir + "/exit", ec); ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    if (kind == "overlay") ::umount2((dir + "/rootfs").c_str(), MNT_DETACH);
    if (!cgroup.empty()) remove_cgroup(cgroup);
    fs::remove_all(dir, ec);
    if (!deleted) return fail("delete", r);
    if (ec) return Status::Failed("remove " + dir + ": " + ec.message());
    return Status::Ok();
  }

  // The runtime removes the container's cgroups; this catches what a failed create left.
  void remove_cgroup(const std::string& path) const {
    if (host_.cgroup_mode == CgroupMode::kV2) {
      ::rmdir(host_.cgroup_dir("", path).c_str());
      return;
    }
    for (const auto& [ctl, mnt] : host_.v1_mounts) ::rmdir((mnt + path).c_str());
  }

  const HostInfo host_;
  const std::string name_, binary_, root_;
  std::string state_dir_, containers_dir_, cgroup_parent_, hide_, version_;
  bool use_systemd_ = false;  // cgroupfs everywhere for now; systemd driver is a later option
};

}  // namespace

const char* to_string(ContainerStatus s) {
  switch (s) {
    case ContainerStatus::kCreated: return "created";
    case ContainerStatus::kRunning: return "running";
    case ContainerStatus::kExited: return "exited";
    case ContainerStatus::kUnknown: return "unknown";
  }
  return "?";
}

std::unique_ptr<Runtime> make_oci_runtime(const RuntimeOptions& options, const HostInfo& host,
                                          Status* error) {
  std::string name = options.runtime;
  if (name.empty()) name = !host.crun_path.empty() ? "crun" : "runc";
  std::string binary = name == "crun" ? host.crun_path : name == "runc" ? host.runc_path : "";
  if (binary.empty()) {
    if (error) *error = Status::NotFound("OCI runtime \"" + name + "\" not found (install crun or runc)");
    return nullptr;
  }
  if (options.root_dir.empty()) {
    if (error) *error = Status::Invalid("no runtime root directory");
    return nullptr;
  }
  return std::make_unique<OciRuntime>(options, host, name, binary);
}

}  // namespace skiff::runtime
