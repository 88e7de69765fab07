/* A tiny HTTP load generator (and server) for bench/bench-net, compiled statically at bench
 * time and put into the pods' image (busybox has no load generator worth measuring with).
 *
 *   httpload [-k] [-c CONNS] [-t SECONDS] [-p PATH] IP PORT
 *   httpload -s PORT [-c THREADS]
 *
 * Client: CONNS threads (default 4), each in a loop for SECONDS (default 5). Without -k each
 * request is a new TCP connection: connect, "GET PATH HTTP/1.0", read until the server closes,
 * close. With -k each thread keeps one connection and sends "GET PATH HTTP/1.1" on it, reading
 * each answer by its Content-Length (a new connection only when the server closes it). The
 * latency of a request is from just before connect() (or the write of the request, with -k) to
 * the end of the answer. Prints one line:
 *   requests=N errors=E seconds=S rps=R p50_us=X p99_us=Y
 * A request counts only if the answer starts with "HTTP/1.x 200"; errors are refused or
 * timed-out (5 s) connections and other answers. rps counts the requests answered within
 * SECONDS; seconds is the wall time until the last thread finished its last request (so a
 * request stalled past the end shows there); the latencies include every answered request.
 *
 * Server (-s): a minimal HTTP server, THREADS threads (default 64) each accepting one
 * connection at a time: it reads a request head, answers "200 OK" with a 17-byte body, and
 * keeps the connection for HTTP/1.1 requests (closes after an HTTP/1.0 one). No fork per
 * connection as busybox httpd has, so more of the measured time is the network path's. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static struct sockaddr_in target;
static char request[512];
static size_t request_len;
static double deadline;
static int keepalive;

struct worker {
  pthread_t thread;
  uint32_t *lat; /* microseconds, one per successful request */
  size_t n, cap;
  long errors;
  size_t late; /* answered after the deadline */
};

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void socket_options(int fd) {
  struct timeval tv = {5, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

static int open_connection(void) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  socket_options(fd);
  if (connect(fd, (struct sockaddr *)&target, sizeof target) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

static int status_ok(const char *head) {
  return strncmp(head, "HTTP/1.", 7) == 0 && strncmp(head + 8, " 200", 4) == 0;
}

/* One request on a new connection, answer read until the server closes. 0 if answered 200. */
static int request_new_connection(void) {
  int fd = open_connection();
  if (fd < 0) return -1;
  int ok = -1;
  if (write(fd, request, request_len) == (ssize_t)request_len) {
    char buf[4096], head[16] = {0};
    size_t got = 0;
    for (;;) {
      ssize_t r = read(fd, buf, sizeof buf);
      if (r < 0 && errno == EINTR) continue;
      if (r <= 0) {
        if (r == 0 && got >= 12 && status_ok(head)) ok = 0;
        break;
      }
      if (got < sizeof head - 1) {
        size_t k = sizeof head - 1 - got;
        memcpy(head + got, buf, (size_t)r < k ? (size_t)r : k);
      }
      got += r;
    }
  }
  close(fd);
  return ok;
}

/* One request on the kept connection *fd; the answer read by its Content-Length. */
static int request_keepalive(int fd) {
  if (write(fd, request, request_len) != (ssize_t)request_len) return -1;
  char buf[8192];
  size_t got = 0;
  char *end = NULL;
  while (!end) {
    if (got == sizeof buf - 1) return -1;
    ssize_t r = read(fd, buf + got, sizeof buf - 1 - got);
    if (r <= 0) return -1;
    got += r;
    buf[got] = 0;
    end = strstr(buf, "\r\n\r\n");
  }
  if (!status_ok(buf)) return -1;
  char *cl = strcasestr(buf, "\r\nContent-Length:");
  if (!cl || cl > end) return -1;
  size_t body = strtoul(cl + 17, NULL, 10), have = got - (end + 4 - buf);
  while (have < body) {
    ssize_t r = read(fd, buf, sizeof buf);
    if (r <= 0) return -1;
    have += r;
  }
  return have == body ? 0 : -1; /* no pipelining: nothing may follow the body */
}

static void *run(void *arg) {
  struct worker *w = arg;
  int fd = -1;
  for (;;) {
    double t0 = now();
    if (t0 >= deadline) break;
    int ok;
    if (keepalive) {
      if (fd < 0) fd = open_connection();
      ok = fd < 0 ? -1 : request_keepalive(fd);
      if (ok != 0 && fd >= 0) {
        close(fd);
        fd = -1;
      }
    } else {
      ok = request_new_connection();
    }
    double t1 = now();
    if (ok != 0) {
      w->errors++;
      if (t1 - t0 < 0.001) usleep(1000); /* refused at once: don't spin */
      continue;
    }
    if (w->n == w->cap) {
      w->cap = w->cap ? w->cap * 2 : 4096;
      w->lat = realloc(w->lat, w->cap * sizeof *w->lat);
      if (!w->lat) {
        perror("realloc");
        exit(1);
      }
    }
    w->lat[w->n++] = (uint32_t)((t1 - t0) * 1e6);
    if (t1 > deadline) w->late++;
  }
  if (fd >= 0) close(fd);
  return NULL;
}

static int cmp(const void *a, const void *b) {
  uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
  return x < y ? -1 : x > y;
}

static void usage(void) {
  fprintf(stderr, "usage: httpload [-k] [-c CONNS] [-t SECONDS] [-p PATH] IP PORT\n"
                  "       httpload -s PORT [-c THREADS]\n");
  exit(2);
}

static int listener;

static void *serve(void *arg) {
  static const char head[] = "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 17\r\n";
  static const char body[] = "\r\nhello from skiff\n";
  (void)arg;
  for (;;) {
    int fd = accept(listener, NULL, NULL);
    if (fd < 0) continue;
    socket_options(fd);
    char buf[4096];
    size_t got = 0;
    for (;;) {
      char *end = NULL;
      while (!end && got < sizeof buf - 1) {
        ssize_t r = read(fd, buf + got, sizeof buf - 1 - got);
        if (r <= 0) break;
        got += r;
        buf[got] = 0;
        end = strstr(buf, "\r\n\r\n");
      }
      if (!end) break;
      int keep = strstr(buf, " HTTP/1.1\r\n") && !strcasestr(buf, "\r\nConnection: close");
      char answer[256];
      int n = snprintf(answer, sizeof answer, "%sConnection: %s\r\n%s", head,
                       keep ? "keep-alive" : "close", body);
      if (write(fd, answer, n) != n || !keep) break;
      got -= end + 4 - buf;
      memmove(buf, end + 4, got);
      buf[got] = 0;
    }
    close(fd);
  }
  return NULL;
}

static int server(int port, int threads) {
  listener = socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
  if (bind(listener, (struct sockaddr *)&a, sizeof a) != 0 || listen(listener, 1024) != 0) {
    perror("httpload: bind/listen");
    return 1;
  }
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, 64 * 1024);
  pthread_t t;
  for (int i = 1; i < threads; i++) pthread_create(&t, &attr, serve, NULL);
  serve(NULL);
  return 0;
}

int main(int argc, char **argv) {
  int conns = 0, opt, serve_port = 0;
  double secs = 5;
  const char *path = "/";
  while ((opt = getopt(argc, argv, "kc:t:p:s:")) != -1) {
    if (opt == 'k') keepalive = 1;
    else if (opt == 'c') conns = atoi(optarg);
    else if (opt == 't') secs = atof(optarg);
    else if (opt == 'p') path = optarg;
    else if (opt == 's') serve_port = atoi(optarg);
    else usage();
  }
  if (serve_port > 0) return server(serve_port, conns > 0 ? conns : 64);
  if (conns == 0) conns = 4;
  if (argc - optind != 2 || conns < 1 || conns > 1000 || secs <= 0) usage();
  memset(&target, 0, sizeof target);
  target.sin_family = AF_INET;
  target.sin_port = htons(atoi(argv[optind + 1]));
  if (inet_pton(AF_INET, argv[optind], &target.sin_addr) != 1) usage();
  request_len = snprintf(request, sizeof request, "GET %s HTTP/1.%d\r\nHost: %s\r\n\r\n", path,
                         keepalive, argv[optind]);

  struct worker *w = calloc(conns, sizeof *w);
  double start = now();
  deadline = start + secs;
  for (int i = 0; i < conns; i++) pthread_create(&w[i].thread, NULL, run, &w[i]);
  size_t total = 0, late = 0;
  long errors = 0;
  for (int i = 0; i < conns; i++) {
    pthread_join(w[i].thread, NULL);
    total += w[i].n;
    errors += w[i].errors;
    late += w[i].late;
  }
  double elapsed = now() - start;
  uint32_t *all = malloc((total ? total : 1) * sizeof *all);
  size_t k = 0;
  for (int i = 0; i < conns; i++) {
    memcpy(all + k, w[i].lat, w[i].n * sizeof *all);
    k += w[i].n;
  }
  qsort(all, total, sizeof *all, cmp);
  uint32_t p50 = total ? all[(total - 1) * 50 / 100] : 0;
  uint32_t p99 = total ? all[(total - 1) * 99 / 100] : 0;
  printf("requests=%zu errors=%ld seconds=%.2f rps=%.1f p50_us=%u p99_us=%u\n", total, errors,
         elapsed, (total - late) / secs, p50, p99);
  return total ? 0 : 1;
}
