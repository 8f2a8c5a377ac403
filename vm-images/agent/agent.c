// bpfdiff guest agent: serves vm-images/agent/PROTOCOL.md over the virtio-serial port
// named "bpfdiff". Runs as a child of the initramfs's /init, which respawns it.
// Raw bpf(2) syscalls only (no libbpf), so the binary is small, static and version-free.
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#define PROTOCOL_VERSION 1
#define PORT_NAME "bpfdiff"
#define MAX_FRAME (64u << 20)
#define DEFAULT_LOG_SIZE (1u << 20)
#define MAX_LOG_SIZE (16u << 20)
#define DEFAULT_INPUT_SIZE 64
#define RESPONSE_BIT 0x8000
#define MAX_MAPS 256 // map fds live on the stack of run_once
// Tells init to reboot the guest instead of respawning the agent (TRIGGER kind 3).
#define EXIT_REBOOT 3

enum msg_type { MSG_HELLO = 1, MSG_RUN, MSG_SYSCTL, MSG_UNAME, MSG_TRIGGER, MSG_LOOP, MSG_ERROR };

enum tag {
  T_UNAME = 1, T_AGENT_VERSION, T_PROG_TYPE, T_INSNS, T_BTF, T_FUNC_INFO, T_MAPS, T_INPUT,
  T_REPEAT, T_LOG_LEVEL, T_LOG_SIZE, T_WANT_JIT_IMAGE, T_STAGE, T_ERRNO, T_LOG, T_BTF_LOG,
  T_RETVAL, T_TEST_ERRNO, T_DURATION_NS, T_XLATED_LEN, T_JITED_LEN, T_JITED_FUNC_LENS,
  T_JITED_IMAGE, T_VERIFIED_INSNS, T_NAME, T_VALUE, T_KIND, T_COUNT, T_ELAPSED_NS, T_MESSAGE,
  T_XLATED, T_MAP_IDS, T_MAX
};

enum stage { STAGE_DONE = 0, STAGE_BTF = 1, STAGE_MAPS = 2, STAGE_LOAD = 3, STAGE_TEST = 4 };

static int port_fd = -1;

static void die(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fputs("bpfdiff-agent: ", stderr);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
  exit(1);
}

static long sys_bpf(int cmd, union bpf_attr *attr) {
  return syscall(__NR_bpf, cmd, attr, sizeof(*attr));
}

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

// ---- I/O on the port ---------------------------------------------------------------------

// Input is read in as large pieces as the port has ready (several pipelined requests arrive in
// one virtqueue buffer), so a frame costs no read() of its own. in_buf[in_off, in_len) is unread.
static void flush_pending(void);
static uint8_t *in_buf;
static size_t in_off, in_len, in_cap;

// Moves the unread bytes to the front of the buffer.
static void compact(void) {
  if (in_off == 0) return;
  memmove(in_buf, in_buf + in_off, in_len - in_off);
  in_len -= in_off;
  in_off = 0;
}

// Waits until at least `need` unread bytes are buffered. Returns 1, or 0 on end of stream
// (host disconnected).
static int fill(size_t need) {
  if (in_len - in_off >= need) return 1;
  compact();
  if (need > in_cap) {
    size_t cap = in_cap ? in_cap : 65536;
    while (cap < need) cap *= 2;
    in_buf = realloc(in_buf, cap);
    if (!in_buf) die("out of memory for a %zu-byte frame", cap);
    in_cap = cap;
  }
  while (in_len < need) {
    ssize_t n = read(port_fd, in_buf + in_len, in_cap - in_len);
    if (n == 0) return 0;
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN) {
        flush_pending(); // about to wait: everything answered goes out first
        struct pollfd pfd = {.fd = port_fd, .events = POLLIN};
        poll(&pfd, 1, -1); // a hang-up makes the next read return 0
        continue;
      }
      die("read: %s", strerror(errno));
    }
    in_len += (size_t)n;
  }
  return 1;
}

// Complete frames buffered and not yet taken.
static int buffered_frames(void) {
  size_t at = in_off;
  int n = 0;
  while (in_len - at >= 4) {
    uint32_t l;
    memcpy(&l, in_buf + at, 4);
    if (in_len - at - 4 < l) break;
    n++;
    at += 4 + l;
  }
  return n;
}

// Reads whatever the port has ready, without waiting.
static void absorb(void) {
  compact();
  if (in_len < in_cap) {
    ssize_t n = read(port_fd, in_buf + in_len, in_cap - in_len);
    if (n > 0) in_len += (size_t)n;
  }
}

// Takes `len` buffered bytes (fill(len) first); the pointer stays valid until the next fill.
static const uint8_t *take(size_t len) {
  const uint8_t *p = in_buf + in_off;
  in_off += len;
  return p;
}

// After HELLO the port is non-blocking, so a write to a host that went away does not block
// until some later host connects (which would hand it a stale response instead of HELLO).
static void write_full(const void *buf, size_t len) {
  const uint8_t *p = buf;
  while (len > 0) {
    ssize_t n = write(port_fd, p, len);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN) {
        struct pollfd pfd = {.fd = port_fd, .events = POLLOUT};
        if (poll(&pfd, 1, -1) > 0 && (pfd.revents & POLLHUP) && !(pfd.revents & POLLOUT))
          exit(0); // host closed its end: init respawns us and we greet the next host
        continue;
      }
      die("write: %s", strerror(errno));
    }
    p += n;
    len -= (size_t)n;
  }
}

// A growable response frame; the length field is filled in by frame_send.
struct frame {
  uint8_t *buf;
  size_t len, cap;
};

static void frame_reserve(struct frame *f, size_t extra) {
  if (f->len + extra <= f->cap) return;
  size_t cap = f->cap ? f->cap : 4096;
  while (cap < f->len + extra) cap *= 2;
  f->buf = realloc(f->buf, cap);
  if (!f->buf) die("out of memory for a %zu-byte response", cap);
  f->cap = cap;
}

static void put_bytes(struct frame *f, const void *p, size_t n) {
  frame_reserve(f, n);
  memcpy(f->buf + f->len, p, n);
  f->len += n;
}

static void put_u16(struct frame *f, uint16_t v) { put_bytes(f, &v, 2); }
static void put_u32(struct frame *f, uint32_t v) { put_bytes(f, &v, 4); }

static void frame_begin(struct frame *f, uint32_t id, uint16_t type) {
  f->len = 0;
  put_u32(f, 0);
  put_u32(f, id);
  put_u16(f, type);
  put_u16(f, 0);
}

static void tlv(struct frame *f, uint16_t tag, const void *p, uint32_t n) {
  put_u16(f, tag);
  put_u16(f, 0);
  put_u32(f, n);
  put_bytes(f, p, n);
}

static void tlv_u32(struct frame *f, uint16_t tag, uint32_t v) { tlv(f, tag, &v, 4); }
static void tlv_i32(struct frame *f, uint16_t tag, int32_t v) { tlv(f, tag, &v, 4); }
static void tlv_u64(struct frame *f, uint16_t tag, uint64_t v) { tlv(f, tag, &v, 8); }
static void tlv_str(struct frame *f, uint16_t tag, const char *s) { tlv(f, tag, s, (uint32_t)strlen(s)); }

// Reads a small sysfs or procfs file into buf (NUL-terminated, trailing newlines cut). Returns its
// length, or -1.
static ssize_t read_attr(const char *path, char *buf, size_t size) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  ssize_t n = read(fd, buf, size - 1);
  close(fd);
  if (n < 0) return -1;
  while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == 0)) n--;
  buf[n] = 0;
  return n;
}

// ---- the position page and answer coalescing ---------------------------------------------
//
// QEMU maps a small file of the host's into the guest as an ivshmem PCI device. The agent
// stores in it the id of the request it is working on, and the last it finished: plain
// memory stores, no exit to QEMU. When the guest crashes or stops answering, the host reads
// the file and knows which request was running, so the agent may hold finished answers and
// send several in one write (one virtqueue kick, one host wake-up) without a crash being
// charged to a request that had already finished. Without the device, every answer goes out
// at once, as before.
#define POSITION_MAGIC 0x44465042u // "BPFD"
struct position {
  uint32_t magic, current, done;
};
static volatile struct position *position;
// The rest of the shared file after the position page holds the verifier log of a load's
// first attempt: the kernel writes it line by line as it verifies, so when the guest oopses
// mid-verification the host still reads the log up to the crash (PROTOCOL.md).
#define POSITION_PAGE 4096u
static char *shared_log;
static uint32_t shared_log_size;

static void map_position(void) {
  DIR *d = opendir("/sys/bus/pci/devices");
  struct dirent *e;
  while (d && (e = readdir(d))) {
    char path[300], id[16];
    if (e->d_name[0] == '.') continue;
    snprintf(path, sizeof path, "/sys/bus/pci/devices/%s/vendor", e->d_name);
    if (read_attr(path, id, sizeof id) < 0 || strcmp(id, "0x1af4")) continue;
    snprintf(path, sizeof path, "/sys/bus/pci/devices/%s/device", e->d_name);
    if (read_attr(path, id, sizeof id) < 0 || strcmp(id, "0x1110")) continue; // ivshmem
    snprintf(path, sizeof path, "/sys/bus/pci/devices/%s/resource2", e->d_name);
    int fd = open(path, O_RDWR | O_SYNC);
    struct stat st;
    if (fd >= 0 && fstat(fd, &st) == 0 && st.st_size >= (off_t)sizeof(struct position)) {
      void *p = mmap(NULL, (size_t)st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
      if (p != MAP_FAILED) {
        position = p;
        position->current = position->done = 0;
        position->magic = POSITION_MAGIC;
        if ((size_t)st.st_size > 2 * POSITION_PAGE) {
          shared_log = (char *)p + POSITION_PAGE;
          shared_log_size = (uint32_t)((size_t)st.st_size - POSITION_PAGE);
        }
      }
    }
    if (fd >= 0) close(fd);
    break;
  }
  if (d) closedir(d);
}

// Answers waiting to be written, and how many.
static struct frame pending;
static int held;

static void flush_pending(void) {
  if (pending.len) write_full(pending.buf, pending.len);
  pending.len = 0;
  held = 0;
}

static void frame_send(struct frame *f) {
  uint32_t len = (uint32_t)(f->len - 4);
  memcpy(f->buf, &len, 4);
  if (!position) {
    write_full(f->buf, f->len);
    return;
  }
  put_bytes(&pending, f->buf, f->len);
  held++;
}

// After each request: write what is held once the requests still buffered are no more than
// the answers held (the host tops the line up when answers come, so it never runs dry), or
// when a lot is held. Before waiting for input, fill() writes everything.
static void maybe_flush(void) {
  if (!held) return;
  absorb();
  if (buffered_frames() <= held || pending.len > (256u << 10)) flush_pending();
}

static struct frame out;

static void send_error(uint32_t id, const char *fmt, ...) {
  char msg[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  frame_begin(&out, id, MSG_ERROR | RESPONSE_BIT);
  tlv_str(&out, T_MESSAGE, msg);
  frame_send(&out);
}

// ---- request fields ----------------------------------------------------------------------

struct field {
  const uint8_t *p;
  uint32_t len;
  int present;
};

struct request {
  uint32_t id;
  uint16_t type;
  struct field f[T_MAX];
};

// Returns NULL when the TLVs are well formed, else a description of the fault.
static const char *parse_fields(struct request *rq, const uint8_t *p, size_t len) {
  memset(rq->f, 0, sizeof rq->f);
  while (len > 0) {
    if (len < 8) return "truncated TLV header";
    uint16_t tag;
    uint32_t n;
    memcpy(&tag, p, 2);
    memcpy(&n, p + 4, 4);
    if (n > len - 8) return "TLV longer than its frame";
    if (tag < T_MAX) rq->f[tag] = (struct field){p + 8, n, 1};
    p += 8 + n;
    len -= 8 + n;
  }
  return NULL;
}

// Reads an optional u32 field; returns 0 and sets *err when it has the wrong length.
static int get_u32(const struct request *rq, int tag, uint32_t def, uint32_t *v, const char **err) {
  const struct field *f = &rq->f[tag];
  if (!f->present) { *v = def; return 1; }
  if (f->len != 4) { *err = "a u32 field does not have length 4"; return 0; }
  memcpy(v, f->p, 4);
  return 1;
}

// ---- RUN ---------------------------------------------------------------------------------

struct run_spec {
  uint32_t prog_type, repeat, log_level, log_size, want_jit_image;
  const struct field *insns, *btf, *func_info, *maps, *input;
};

struct run_result {
  uint32_t stage;
  int32_t err;
  uint32_t retval, duration, test_errno;
  int loaded;
  struct bpf_prog_info info;
  uint32_t *func_lens;          // lens_buf, or func_lens_heap when it did not fit
  uint32_t nr_func_lens;
  uint8_t *jit_image;           // image_buf, or jit_image_heap when it did not fit
  uint32_t jit_image_len;
  uint32_t *func_lens_heap;
  uint8_t *jit_image_heap;
  uint8_t *xlated;              // xlated_buf, or xlated_heap when it did not fit
  uint32_t xlated_len;
  uint8_t *xlated_heap;
  uint32_t map_ids[MAX_MAPS];   // ids of the program's used maps, in the verifier's order
  uint32_t nr_map_ids;
  char *btf_log;
};

static char *log_buf;          // verifier log, MAX_LOG_SIZE bytes, reused by every request
static uint8_t default_input[DEFAULT_INPUT_SIZE];
static char map_error[128];

// Field validation shared by RUN and LOOP. Returns NULL or an error message.
static const char *run_spec_parse(const struct request *rq, struct run_spec *s) {
  const char *err = NULL;
  if (!rq->f[T_PROG_TYPE].present) return "RUN needs PROG_TYPE";
  if (!rq->f[T_INSNS].present || rq->f[T_INSNS].len == 0 || rq->f[T_INSNS].len % 8)
    return "RUN needs INSNS, a non-empty multiple of 8 bytes";
  if (!get_u32(rq, T_PROG_TYPE, 0, &s->prog_type, &err) || !get_u32(rq, T_REPEAT, 1, &s->repeat, &err) ||
      !get_u32(rq, T_LOG_LEVEL, 1, &s->log_level, &err) ||
      !get_u32(rq, T_LOG_SIZE, DEFAULT_LOG_SIZE, &s->log_size, &err) ||
      !get_u32(rq, T_WANT_JIT_IMAGE, 0, &s->want_jit_image, &err))
    return err;
  if (s->log_size > MAX_LOG_SIZE) s->log_size = MAX_LOG_SIZE;
  if (s->log_size < 128) s->log_size = 128;
  if (rq->f[T_FUNC_INFO].present && rq->f[T_FUNC_INFO].len % 8) return "FUNC_INFO is not a multiple of 8 bytes";
  if (rq->f[T_MAPS].present && rq->f[T_MAPS].len % 16) return "MAPS is not a multiple of 16 bytes";
  if (rq->f[T_MAPS].present && rq->f[T_MAPS].len / 16 > MAX_MAPS) return "MAPS declares more than 256 maps";
  s->insns = &rq->f[T_INSNS];
  s->btf = &rq->f[T_BTF];
  s->func_info = &rq->f[T_FUNC_INFO];
  s->maps = &rq->f[T_MAPS];
  s->input = &rq->f[T_INPUT];
  return NULL;
}

static void close_fds(int *fds, int n) {
  for (int i = 0; i < n; i++)
    if (fds[i] >= 0) close(fds[i]);
}

// BPF_OBJ_GET_INFO_BY_FD for RUN: sizes, func lens, JIT image, xlated program and map ids in one
// query into static buffers; a second query only for the arrays that did not fit.
static void query_info(int prog_fd, struct run_result *r) {
  static uint32_t lens_buf[64];
  static uint8_t image_buf[1 << 16];
  static uint8_t xlated_buf[1 << 16];
  union bpf_attr attr;
  struct bpf_prog_info *info = &r->info;
  memset(&attr, 0, sizeof attr);
  attr.info.bpf_fd = (uint32_t)prog_fd;
  attr.info.info_len = sizeof *info;
  attr.info.info = (uint64_t)(uintptr_t)info;
  info->nr_jited_func_lens = sizeof lens_buf / 4;
  info->jited_func_lens = (uint64_t)(uintptr_t)lens_buf;
  info->jited_prog_len = sizeof image_buf;
  info->jited_prog_insns = (uint64_t)(uintptr_t)image_buf;
  info->xlated_prog_len = sizeof xlated_buf;
  info->xlated_prog_insns = (uint64_t)(uintptr_t)xlated_buf;
  info->nr_map_ids = MAX_MAPS;
  info->map_ids = (uint64_t)(uintptr_t)r->map_ids;
  if (sys_bpf(BPF_OBJ_GET_INFO_BY_FD, &attr) != 0) return;
  struct bpf_prog_info first = *info, second;
  memset(&second, 0, sizeof second);
  r->nr_map_ids = first.nr_map_ids <= MAX_MAPS ? first.nr_map_ids : MAX_MAPS;
  // a zeroed pointer means the kernel would not dump raw JIT data
  if (first.jited_func_lens && first.nr_jited_func_lens <= sizeof lens_buf / 4) {
    r->func_lens = lens_buf;
    r->nr_func_lens = first.nr_jited_func_lens;
  } else if (first.jited_func_lens) {
    r->func_lens = r->func_lens_heap = calloc(first.nr_jited_func_lens, 4);
    second.nr_jited_func_lens = first.nr_jited_func_lens;
    second.jited_func_lens = (uint64_t)(uintptr_t)r->func_lens;
  }
  if (first.jited_prog_insns && first.jited_prog_len <= sizeof image_buf) {
    r->jit_image = image_buf;
    r->jit_image_len = first.jited_prog_len;
  } else if (first.jited_prog_insns && first.jited_prog_len) {
    r->jit_image = r->jit_image_heap = malloc(first.jited_prog_len);
    second.jited_prog_len = first.jited_prog_len;
    second.jited_prog_insns = (uint64_t)(uintptr_t)r->jit_image;
  }
  if (first.xlated_prog_insns && first.xlated_prog_len <= sizeof xlated_buf) {
    r->xlated = xlated_buf;
    r->xlated_len = first.xlated_prog_len;
  } else if (first.xlated_prog_insns && first.xlated_prog_len) {
    r->xlated = r->xlated_heap = malloc(first.xlated_prog_len);
    second.xlated_prog_len = first.xlated_prog_len;
    second.xlated_prog_insns = (uint64_t)(uintptr_t)r->xlated;
  }
  if (r->func_lens_heap || r->jit_image_heap || r->xlated_heap) {
    memset(&attr, 0, sizeof attr);
    attr.info.bpf_fd = (uint32_t)prog_fd;
    attr.info.info_len = sizeof second;
    attr.info.info = (uint64_t)(uintptr_t)&second;
    int ok = sys_bpf(BPF_OBJ_GET_INFO_BY_FD, &attr) == 0;
    if (r->func_lens_heap) r->nr_func_lens = ok ? first.nr_jited_func_lens : 0;
    if (r->jit_image_heap) r->jit_image_len = ok && second.jited_prog_insns ? first.jited_prog_len : 0;
    if (r->xlated_heap) r->xlated_len = ok && second.xlated_prog_insns ? first.xlated_prog_len : 0;
  }
}

// One full cycle: BTF load, maps, LD_IMM64 patching, prog load, test run, info query, close.
// `detail` asks for everything RUN reports (BTF log, func lens, JIT image); LOOP skips it.
static void run_once(const struct run_spec *s, struct run_result *r, int detail) {
  union bpf_attr attr;
  int btf_fd = -1, prog_fd = -1;
  uint32_t nmaps = s->maps->present ? s->maps->len / 16 : 0;
  int map_fds[nmaps ? nmaps : 1];
  for (uint32_t i = 0; i < nmaps; i++) map_fds[i] = -1;
  memset(r, 0, sizeof *r);
  log_buf[0] = 0;
  map_error[0] = 0;

  if (s->btf->present && s->btf->len > 0) {
    memset(&attr, 0, sizeof attr);
    attr.btf = (uint64_t)(uintptr_t)s->btf->p;
    attr.btf_size = s->btf->len;
    btf_fd = (int)sys_bpf(BPF_BTF_LOAD, &attr);
    if (btf_fd < 0) {
      r->stage = STAGE_BTF;
      r->err = errno;
      if (detail) { // load again with a log only now: logging costs time on every success
        static char btf_log[1 << 16];
        memset(&attr, 0, sizeof attr);
        attr.btf = (uint64_t)(uintptr_t)s->btf->p;
        attr.btf_size = s->btf->len;
        attr.btf_log_buf = (uint64_t)(uintptr_t)btf_log;
        attr.btf_log_size = sizeof btf_log;
        attr.btf_log_level = 1;
        btf_log[0] = 0;
        int fd = (int)sys_bpf(BPF_BTF_LOAD, &attr);
        if (fd >= 0) close(fd);
        btf_log[sizeof btf_log - 1] = 0;
        r->btf_log = btf_log;
      }
      goto out;
    }
  }

  for (uint32_t i = 0; i < nmaps; i++) {
    uint32_t d[4];
    memcpy(d, s->maps->p + 16 * i, 16);
    memset(&attr, 0, sizeof attr);
    attr.map_type = d[0];
    attr.key_size = d[1];
    attr.value_size = d[2];
    attr.max_entries = d[3];
    map_fds[i] = (int)sys_bpf(BPF_MAP_CREATE, &attr);
    if (map_fds[i] < 0) {
      r->stage = STAGE_MAPS;
      r->err = errno;
      snprintf(map_error, sizeof map_error, "map %u: BPF_MAP_CREATE failed: %s", i, strerror(errno));
      goto out;
    }
  }

  // The program refers to maps by list index; the kernel wants fds.
  uint32_t ninsns = s->insns->len / 8;
  struct bpf_insn *insns = (struct bpf_insn *)s->insns->p;
  struct bpf_insn *patched = NULL;
  if (nmaps > 0) {
    patched = malloc(s->insns->len);
    if (!patched) die("out of memory for %u insns", ninsns);
    memcpy(patched, insns, s->insns->len);
    for (uint32_t i = 0; i < ninsns; i++) {
      struct bpf_insn *in = &patched[i];
      if (in->code != (BPF_LD | BPF_IMM | BPF_DW)) continue;
      if (in->src_reg == BPF_PSEUDO_MAP_FD || in->src_reg == BPF_PSEUDO_MAP_VALUE) {
        if ((uint32_t)in->imm >= nmaps) {
          r->stage = STAGE_MAPS;
          r->err = EINVAL;
          snprintf(map_error, sizeof map_error, "insn %u: map index %u out of range (%u maps)", i,
                   (uint32_t)in->imm, nmaps);
          free(patched);
          goto out;
        }
        in->imm = map_fds[in->imm];
      }
      i++; // the second half of the 16-byte instruction
    }
    insns = patched;
  }

  uint32_t log_size = s->log_size;
  for (int attempt = 0; attempt < 2; attempt++) {
    char *buf = attempt == 0 && shared_log && log_size <= shared_log_size ? shared_log : log_buf;
    memset(&attr, 0, sizeof attr);
    attr.prog_type = s->prog_type;
    attr.insns = (uint64_t)(uintptr_t)insns;
    attr.insn_cnt = ninsns;
    attr.license = (uint64_t)(uintptr_t)"GPL";
    if (s->log_level) {
      attr.log_level = s->log_level;
      attr.log_buf = (uint64_t)(uintptr_t)buf;
      attr.log_size = log_size;
    }
    if (btf_fd >= 0) {
      attr.prog_btf_fd = (uint32_t)btf_fd;
      if (s->func_info->present && s->func_info->len > 0) {
        attr.func_info_rec_size = 8;
        attr.func_info = (uint64_t)(uintptr_t)s->func_info->p;
        attr.func_info_cnt = s->func_info->len / 8;
      }
    }
    log_buf[0] = buf[0] = 0;
    prog_fd = (int)sys_bpf(BPF_PROG_LOAD, &attr);
    if (buf != log_buf) {
      int saved = errno;
      size_t n = strnlen(buf, log_size);
      memcpy(log_buf, buf, n);
      log_buf[n] = 0;
      errno = saved;
    }
    if (prog_fd >= 0 || errno != ENOSPC || !s->log_level || log_size >= MAX_LOG_SIZE) break;
    log_size = MAX_LOG_SIZE; // the log did not fit: retry once with the largest buffer
  }
  free(patched);
  if (prog_fd < 0) {
    r->stage = STAGE_LOAD;
    r->err = errno;
    goto out;
  }
  r->loaded = 1;

  memset(&attr, 0, sizeof attr);
  attr.test.prog_fd = (uint32_t)prog_fd;
  if (s->input->present) {
    attr.test.data_in = (uint64_t)(uintptr_t)s->input->p;
    attr.test.data_size_in = s->input->len;
  } else {
    attr.test.data_in = (uint64_t)(uintptr_t)default_input;
    attr.test.data_size_in = sizeof default_input;
  }
  attr.test.repeat = s->repeat;
  if (sys_bpf(BPF_PROG_TEST_RUN, &attr) < 0) {
    r->stage = STAGE_TEST;
    r->err = errno;
    r->test_errno = (uint32_t)errno;
  } else {
    r->retval = attr.test.retval;
    r->duration = attr.test.duration;
  }

  // One query gets the sizes and, into buffers that fit most programs, the func lens, the JIT
  // image, the rewritten program (xlated) and the used maps' ids; a second query is made only
  // for an array that did not fit.
  if (detail) query_info(prog_fd, r);
  else {
    memset(&attr, 0, sizeof attr);
    attr.info.bpf_fd = (uint32_t)prog_fd;
    attr.info.info_len = sizeof r->info;
    attr.info.info = (uint64_t)(uintptr_t)&r->info;
    sys_bpf(BPF_OBJ_GET_INFO_BY_FD, &attr);
  }

out:
  if (prog_fd >= 0) close(prog_fd);
  close_fds(map_fds, (int)nmaps);
  if (btf_fd >= 0) close(btf_fd);
}

static void handle_run(const struct request *rq) {
  struct run_spec s;
  struct run_result r;
  const char *err = run_spec_parse(rq, &s);
  if (err) { send_error(rq->id, "%s", err); return; }
  run_once(&s, &r, 1);

  frame_begin(&out, rq->id, MSG_RUN | RESPONSE_BIT);
  tlv_u32(&out, T_STAGE, r.stage);
  tlv_i32(&out, T_ERRNO, r.err);
  tlv_str(&out, T_LOG, r.stage == STAGE_MAPS ? map_error : log_buf);
  if (r.btf_log) tlv_str(&out, T_BTF_LOG, r.btf_log);
  if (r.loaded) {
    if (r.stage == STAGE_TEST) tlv_i32(&out, T_TEST_ERRNO, (int32_t)r.test_errno);
    else {
      tlv_u32(&out, T_RETVAL, r.retval);
      tlv_u32(&out, T_DURATION_NS, r.duration);
    }
    tlv_u32(&out, T_XLATED_LEN, r.info.xlated_prog_len);
    tlv_u32(&out, T_JITED_LEN, r.info.jited_prog_len);
    tlv(&out, T_JITED_FUNC_LENS, r.func_lens, r.nr_func_lens * 4);
    tlv(&out, T_JITED_IMAGE, r.jit_image, r.jit_image_len);
    tlv(&out, T_XLATED, r.xlated, r.xlated_len);
    tlv(&out, T_MAP_IDS, r.map_ids, r.nr_map_ids * 4);
    tlv_u32(&out, T_VERIFIED_INSNS, r.info.verified_insns);
  }
  frame_send(&out);
  free(r.func_lens_heap);
  free(r.jit_image_heap);
  free(r.xlated_heap);
}

static void handle_loop(const struct request *rq) {
  struct run_spec s;
  struct run_result r;
  uint32_t count;
  const char *err = run_spec_parse(rq, &s);
  if (!err && !rq->f[T_COUNT].present) err = "LOOP needs COUNT";
  if (!err) get_u32(rq, T_COUNT, 0, &count, &err);
  if (err) { send_error(rq->id, "%s", err); return; }
  memset(&r, 0, sizeof r);
  uint64_t start = now_ns();
  for (uint32_t i = 0; i < count; i++) run_once(&s, &r, 0);
  uint64_t elapsed = now_ns() - start;
  frame_begin(&out, rq->id, MSG_LOOP | RESPONSE_BIT);
  tlv_i32(&out, T_ERRNO, r.err);
  tlv_u64(&out, T_ELAPSED_NS, elapsed);
  tlv_u32(&out, T_RETVAL, r.retval);
  tlv_u32(&out, T_STAGE, r.stage);
  frame_send(&out);
}

// ---- SYSCTL, UNAME, TRIGGER --------------------------------------------------------------

static char *field_str(const struct field *f) {
  char *s = malloc(f->len + 1);
  if (!s) die("out of memory");
  memcpy(s, f->p, f->len);
  s[f->len] = 0;
  return s;
}

static void handle_sysctl(const struct request *rq) {
  if (!rq->f[T_NAME].present || !rq->f[T_VALUE].present) { send_error(rq->id, "SYSCTL needs NAME and VALUE"); return; }
  char *name = field_str(&rq->f[T_NAME]), *value = field_str(&rq->f[T_VALUE]);
  char path[512];
  int err = 0;
  if (strstr(name, "..") || name[0] == '/' || strlen(name) > 400) {
    err = EINVAL;
  } else {
    snprintf(path, sizeof path, "/proc/sys/%s", name);
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0) err = errno;
    else {
      if (write(fd, value, strlen(value)) < 0) err = errno;
      close(fd);
    }
  }
  frame_begin(&out, rq->id, MSG_SYSCTL | RESPONSE_BIT);
  tlv_i32(&out, T_ERRNO, err);
  if (!err) { // read back what the kernel made of it
    char cur[256];
    if (read_attr(path, cur, sizeof cur) >= 0) tlv_str(&out, T_VALUE, cur);
  }
  frame_send(&out);
  free(name);
  free(value);
}

static void put_uname(struct frame *f) {
  struct utsname u;
  uname(&u);
  tlv_str(f, T_UNAME, u.release);
}

static void handle_trigger(const struct request *rq) {
  uint32_t kind = 0;
  const char *err = NULL;
  if (!rq->f[T_KIND].present || !get_u32(rq, T_KIND, 0, &kind, &err)) {
    send_error(rq->id, "TRIGGER needs KIND (u32)");
    return;
  }
  if (kind == 1) {
    int fd = open("/proc/sysrq-trigger", O_WRONLY);
    if (fd >= 0 && write(fd, "c", 1) == 1) for (;;) pause(); // the kernel is going down
    send_error(rq->id, "sysrq-trigger: %s", strerror(errno));
  } else if (kind == 2) {
    for (;;) pause(); // a guest that stops answering, as a hung kernel would look
  } else if (kind == 3) {
    flush_pending();
    exit(EXIT_REBOOT);
  } else {
    send_error(rq->id, "TRIGGER KIND %u is not 1, 2 or 3", kind);
  }
}

// ---- main --------------------------------------------------------------------------------

// Finds /dev/vportNpM whose /sys/class/virtio-ports/vportNpM/name is "bpfdiff".
static int open_port(void) {
  for (int tries = 0; tries < 300; tries++) { // udev-less: the device may appear late
    DIR *d = opendir("/sys/class/virtio-ports");
    struct dirent *e;
    while (d && (e = readdir(d))) {
      if (e->d_name[0] == '.') continue;
      char path[300], name[64];
      snprintf(path, sizeof path, "/sys/class/virtio-ports/%s/name", e->d_name);
      if (read_attr(path, name, sizeof name) <= 0 || strcmp(name, PORT_NAME)) continue;
      snprintf(path, sizeof path, "/dev/%s", e->d_name);
      int fd = open(path, O_RDWR | O_CLOEXEC);
      if (fd >= 0) { closedir(d); return fd; }
    }
    if (d) closedir(d);
    usleep(100000);
  }
  die("no virtio-serial port named %s", PORT_NAME);
  return -1;
}

int main(void) {
  log_buf = malloc(MAX_LOG_SIZE);
  if (!log_buf) die("out of memory for the log buffer");
  port_fd = open_port();
  map_position();

  // HELLO blocks until the host opens its end of the port.
  frame_begin(&out, 0, MSG_HELLO);
  put_uname(&out);
  tlv_u32(&out, T_AGENT_VERSION, PROTOCOL_VERSION);
  frame_send(&out);
  flush_pending();
  fcntl(port_fd, F_SETFL, fcntl(port_fd, F_GETFL) | O_NONBLOCK);

  struct request rq;
  for (;;) {
    uint32_t len;
    if (!fill(4)) break;
    memcpy(&len, take(4), 4);
    if (len < 8) { // too short to carry an id: skip it and say so
      if (len && !fill(len)) break;
      take(len);
      send_error(0, "frame length %u is below 8", len);
      continue;
    }
    if (len > MAX_FRAME) { // drain it in pieces to stay in step with the stream
      size_t left = len;
      if (!fill(8)) break;
      memcpy(&rq.id, take(8), 4);
      left -= 8;
      while (left > 0) {
        size_t n = left < 65536 ? left : 65536;
        if (!fill(n)) return 0;
        take(n);
        left -= n;
      }
      send_error(rq.id, "frame length %u exceeds 64 MiB", len);
      continue;
    }
    if (!fill(len)) break;
    const uint8_t *frame = take(len);
    memcpy(&rq.id, frame, 4);
    memcpy(&rq.type, frame + 4, 2);
    const uint8_t *body = frame + 8;
    size_t blen = len - 8;
    if (position) position->current = rq.id;
    // the request id as the task name: a kernel report printed while it runs says
    // "Comm: bd-<id>", so the host can tell whose report it is
    char comm[16];
    snprintf(comm, sizeof comm, "bd-%u", rq.id);
    prctl(PR_SET_NAME, comm, 0, 0, 0);
    const char *err = parse_fields(&rq, body, blen);
    if (err) send_error(rq.id, "%s", err);
    else switch (rq.type) {
      case MSG_RUN: handle_run(&rq); break;
      case MSG_SYSCTL: handle_sysctl(&rq); break;
      case MSG_UNAME:
        frame_begin(&out, rq.id, MSG_UNAME | RESPONSE_BIT);
        put_uname(&out);
        frame_send(&out);
        break;
      case MSG_TRIGGER: handle_trigger(&rq); break;
      case MSG_LOOP: handle_loop(&rq); break;
      default: send_error(rq.id, "unknown request type %u", rq.type);
    }
    if (position) position->done = rq.id;
    maybe_flush();
  }
  return 0; // host closed the port: init respawns us and we say HELLO again
}
