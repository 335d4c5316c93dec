/* mjpeg-load: the load client of the side-by-side benchmark against the C floor (bench/floor.sh). One thread, one
 * epoll loop, up to 1 MiB per recv, so that it costs little beside the server it measures and reads as fast as
 * the kernel delivers (a slow reader lets the kernel charge part of the server's sends to the reader's ACKs).
 *
 *   mjpeg-load --port P --clients N [--path /stream]... [--http10] [--fps 30] [--warmup S] [--duration S]
 *              [--connect-rate R] [--server-pid PID] [--label TEXT]
 *
 * Opens N connections to 127.0.0.1:P (at once, or R per second), client i asking for the (i mod K)th of the K
 * paths given (several feeds of one server at once), parses each multipart response (raw or chunked),
 * warms up once every client has a part (or after 30 s), measures a window and prints one JSON line, with connect_s
 * (until every client had its response head), connect_ms_max (the slowest client's connect() to established and
 * to its response head) and head_ms (connect() to response head over the clients: p50, p90, p99). Latency is a
 * part's last byte minus its X-Timestamp. Ours stamps a frame once for every
 * client, the floor each client's copy as it sends it, so frame latency measures both alike: from the earliest stamp
 * of the round that sent the frame.
 * A part repeating the previous part's JPEG is not a new frame. With --server-pid, the server's CPU over the window,
 * split into user and system time and by thread (threads named alike, such as a pool's, summed under the name
 * without its trailing number). Runs at most connect + warm-up + window + 60 s. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define RECV_MAX (1 << 20)
#define LAT_BUCKETS 200000 /* 50 us buckets up to 10 s */
#define LAT_STEP_US 50
#define MAX_RECORDS (8L << 20) /* parts remembered for the frame latency */
#define MID_BYTES 8
#define MAX_PATHS 64

enum { S_STATUS, S_HEADERS, S_SEEK, S_PART_HEADERS, S_BODY }; /* multipart parser */
enum { C_SIZE, C_DATA, C_CRLF };                               /* chunk decoder */

typedef struct {
    int fd, connected, got_head, chunked, failed, done;
    int state, cstate; long chunk_left, body_left, length;
    char line[512]; int linelen;
    char hex[32]; int nhex; /* chunk-size line */
    unsigned char first[2], last[2]; int nfirst;
    unsigned char mid[MID_BYTES]; long mid_at; /* body offset of mid[0] */
    long last_length; unsigned long long last_mid; /* the previous part's, to tell a repeat without a sequence */
    double ts; long seq, last_seq;
    long frames, invalid, skipped, bytes;
    double first_part_at;
    double connect_at, established_at, head_at; /* connect() called, the handshake done, the response head read */
    int path; /* which --path it asked for: frames of different paths are different frames */
} client_t;

static client_t *cl; static int nclients;
static int measuring;
static long lat_hist[LAT_BUCKETS + 1], lat_count; static double lat_max;
static long protocol_errors, disconnects, connect_failures;
/* One record per measured part, for the frame latency: which frame (key), its stamp, its arrival. */
typedef struct { long seq, length; unsigned long long mid; double ts, arrived; int path; } record_t;
static record_t *records; static long nrecords, records_dropped;
static long flat_hist[LAT_BUCKETS + 1], flat_count; static double flat_max;
static double fps = 30;

static double now_mono(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec / 1e9; }
static double now_wall(void) { struct timespec t; clock_gettime(CLOCK_REALTIME, &t); return t.tv_sec + t.tv_nsec / 1e9; }

static void fail(client_t *c, int ep) {
    if (c->fd >= 0) { epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL); close(c->fd); c->fd = -1; }
    c->failed = 1;
}

static void part_done(client_t *c) {
    int valid = c->length >= 4 && c->first[0] == 0xFF && c->first[1] == 0xD8 && c->last[0] == 0xFF && c->last[1] == 0xD9;
    if (c->first_part_at == 0) c->first_part_at = now_mono();
    unsigned long long mid = 0; for (int i = 0; i < MID_BYTES; i++) mid = mid << 8 | c->mid[i];
    int repeat = c->seq >= 0 ? c->last_seq >= 0 && c->seq <= c->last_seq
                             : c->last_length == c->length && c->last_mid == mid;
    c->last_length = c->length; c->last_mid = mid;
    if (measuring) {
        if (!valid) c->invalid++;
        else if (!repeat) {
            c->frames++;
            if (c->seq >= 0 && c->last_seq >= 0) c->skipped += c->seq - c->last_seq - 1;
            if (c->ts > 0) {
                double arrived = now_wall();
                double us = (arrived - c->ts) * 1e6; if (us < 0) us = 0;
                long b = (long)(us / LAT_STEP_US); if (b > LAT_BUCKETS) b = LAT_BUCKETS;
                lat_hist[b]++; lat_count++; if (us > lat_max) lat_max = us;
                if (nrecords < MAX_RECORDS) {
                    record_t *r = &records[nrecords++];
                    r->seq = c->seq; r->length = c->length; r->mid = mid; r->ts = c->ts; r->arrived = arrived;
                    r->path = c->path;
                } else records_dropped++;
            }
        }
    }
    if (c->seq >= 0 && !repeat) c->last_seq = c->seq;
}

/* One complete line (without CRLF) of the response head or of a part's headers. Returns -1 on a protocol error. */
static int on_line(client_t *c, char *l) {
    switch (c->state) {
    case S_STATUS:
        if (strncmp(l, "HTTP/1.", 7) || strncmp(l + 8, " 200", 4)) return -1;
        c->state = S_HEADERS; return 0;
    case S_HEADERS:
        if (!*l) { c->state = S_SEEK; c->got_head = 1; c->head_at = now_mono(); return 0; }
        if (!strncasecmp(l, "Transfer-Encoding:", 18) && strcasestr(l, "chunked")) c->chunked = 1;
        return 0;
    case S_SEEK:
        if (!*l) return 0;
        if (l[0] == '-' && l[1] == '-') { c->state = S_PART_HEADERS; c->length = -1; c->ts = 0; c->seq = -1; return 0; }
        return -1;
    case S_PART_HEADERS:
        if (!*l) {
            if (c->length < 0) return -1;
            c->state = S_BODY; c->body_left = c->length; c->nfirst = 0;
            c->mid_at = c->length / 2; memset(c->mid, 0, sizeof c->mid); return 0;
        }
        if (!strncasecmp(l, "Content-Length:", 15)) c->length = strtol(l + 15, NULL, 10);
        else if (!strncasecmp(l, "X-Timestamp:", 12)) c->ts = strtod(l + 12, NULL);
        else if (!strncasecmp(l, "X-Frame-Sequence:", 17)) c->seq = strtol(l + 17, NULL, 10);
        return 0;
    }
    return -1;
}

/* Body bytes of the HTTP message (de-chunked). Returns -1 on a protocol error. */
static int feed_body(client_t *c, const unsigned char *p, long n) {
    while (n > 0) {
        if (c->state == S_BODY) {
            long k = n < c->body_left ? n : c->body_left;
            for (long i = 0; i < k && c->nfirst < 2; i++) c->first[c->nfirst++] = p[i];
            long at = c->length - c->body_left; /* body offset of p[0] */
            for (long i = 0; i < MID_BYTES; i++) {
                long o = c->mid_at + i - at;
                if (o >= 0 && o < k) c->mid[i] = p[o];
            }
            if (k >= 2) { c->last[0] = p[k - 2]; c->last[1] = p[k - 1]; }
            else if (k == 1) { c->last[0] = c->last[1]; c->last[1] = p[0]; }
            c->body_left -= k; p += k; n -= k;
            if (c->body_left == 0) { part_done(c); c->state = S_SEEK; }
            continue;
        }
        unsigned char ch = *p++; n--;
        if (ch == '\n') {
            if (c->linelen && c->line[c->linelen - 1] == '\r') c->linelen--;
            c->line[c->linelen] = 0; c->linelen = 0;
            if (on_line(c, c->line) < 0) return -1;
        } else {
            if (c->linelen >= (int)sizeof c->line - 1) return -1;
            c->line[c->linelen++] = ch;
        }
    }
    return 0;
}

/* Bytes as received: the head goes to the line parser, then the body through the chunk decoder if chunked. */
static int feed(client_t *c, const unsigned char *p, long n) {
    while (n > 0) {
        if (!c->got_head) {
            const unsigned char *nl = memchr(p, '\n', n); long k = nl ? nl - p + 1 : n;
            if (feed_body(c, p, k) < 0) return -1;
            p += k; n -= k; continue;
        }
        if (!c->chunked) return feed_body(c, p, n);
        if (c->cstate == C_DATA) {
            long k = n < c->chunk_left ? n : c->chunk_left;
            if (feed_body(c, p, k) < 0) return -1;
            c->chunk_left -= k; p += k; n -= k;
            if (c->chunk_left == 0) { c->cstate = C_CRLF; c->chunk_left = 2; }
        } else if (c->cstate == C_CRLF) {
            p++; n--; if (--c->chunk_left == 0) c->cstate = C_SIZE;
        } else {
            unsigned char ch = *p++; n--;
            if (ch == '\n') {
                c->hex[c->nhex] = 0; c->nhex = 0; long size = strtol(c->hex, NULL, 16);
                if (size == 0) { c->done = 1; return 0; }
                c->cstate = C_DATA; c->chunk_left = size;
            } else if (ch != '\r' && c->nhex < 31) c->hex[c->nhex++] = ch;
        }
    }
    return 0;
}

/* utime and stime of a /proc stat file, and its name (comm) into name when given; 0 if unreadable. */
static int stat_ticks(const char *path, long *utime, long *stime, char *name, size_t namelen) {
    char b[1024]; FILE *f = fopen(path, "r"); if (!f) return 0;
    size_t r = fread(b, 1, sizeof b - 1, f); fclose(f); b[r] = 0;
    char *open = strchr(b, '('), *s = strrchr(b, ')'); if (!open || !s) return 0;
    if (name) { size_t n = s - open - 1; if (n >= namelen) n = namelen - 1; memcpy(name, open + 1, n); name[n] = 0; }
    int field = 2; /* s points at the end of field 2 */
    for (char *t = strtok(s + 1, " "); t; t = strtok(NULL, " ")) {
        field++;
        if (field == 14) *utime = atol(t);
        if (field == 15) { *stime = atol(t); return 1; }
    }
    return 0;
}

static long proc_ticks(int pid, long *user) {
    char p[64]; snprintf(p, sizeof p, "/proc/%d/stat", pid);
    long u = 0, s = 0; if (!stat_ticks(p, &u, &s, NULL, 0)) return -1;
    *user = u; return u + s;
}

/* The server's threads at the window's start and end: CPU ticks by thread id. */
#define MAX_THREADS 512
typedef struct { int tid; long start, end; char name[32]; } thread_t;
static thread_t threads[MAX_THREADS]; static int nthreads;

static void thread_ticks(int pid, int at_end) {
    char p[64]; snprintf(p, sizeof p, "/proc/%d/task", pid);
    DIR *d = opendir(p); if (!d) return;
    for (struct dirent *e; (e = readdir(d));) {
        int tid = atoi(e->d_name); if (tid <= 0) continue;
        char sp[96], name[32]; long u = 0, s = 0;
        snprintf(sp, sizeof sp, "/proc/%d/task/%d/stat", pid, tid);
        if (!stat_ticks(sp, &u, &s, name, sizeof name)) continue;
        int i = 0; while (i < nthreads && threads[i].tid != tid) i++;
        if (i == nthreads) { /* a thread started during the window counts from 0 */
            if (nthreads == MAX_THREADS) continue;
            nthreads++; threads[i].tid = tid; threads[i].start = 0; threads[i].end = -1;
            size_t n = strlen(name); while (n > 1 && ((name[n - 1] >= '0' && name[n - 1] <= '9') || name[n - 1] == '-')) n--;
            name[n] = 0; snprintf(threads[i].name, sizeof threads[i].name, "%s", name);
        }
        if (at_end) threads[i].end = u + s; else threads[i].start = u + s;
    }
    closedir(d);
}

/* "name":cores for each thread name, costliest first, into out. */
static void thread_json(double window, char *out, size_t outlen) {
    typedef struct { char name[32]; long ticks; } sum_t;
    sum_t sums[MAX_THREADS]; int ns = 0; size_t o = 0; out[0] = 0;
    for (int i = 0; i < nthreads; i++) {
        if (threads[i].end < 0) continue; /* ended during the window: not seen at its end */
        int k = 0; while (k < ns && strcmp(sums[k].name, threads[i].name)) k++;
        if (k == ns) { ns++; snprintf(sums[k].name, sizeof sums[k].name, "%s", threads[i].name); sums[k].ticks = 0; }
        sums[k].ticks += threads[i].end - threads[i].start;
    }
    for (int done = 0; done < ns; done++) {
        int best = done;
        for (int k = done + 1; k < ns; k++) if (sums[k].ticks > sums[best].ticks) best = k;
        sum_t t = sums[done]; sums[done] = sums[best]; sums[best] = t;
        if (sums[done].ticks == 0) break;
        char esc[64]; size_t e = 0;
        for (const char *c = sums[done].name; *c && e < sizeof esc - 2; c++) { if (*c == '"' || *c == '\\') esc[e++] = '\\'; esc[e++] = *c; }
        esc[e] = 0;
        o += snprintf(out + o, o < outlen ? outlen - o : 0, "%s\"%s\":%.3f", done ? "," : "", esc,
                      sums[done].ticks / (double)sysconf(_SC_CLK_TCK) / window);
        if (o >= outlen) { out[outlen - 1] = 0; break; }
    }
}

static long proc_status_kb(int pid, const char *key) {
    char p[64], line[256]; snprintf(p, sizeof p, "/proc/%d/status", pid);
    FILE *f = fopen(p, "r"); if (!f) return -1;
    long v = -1; size_t kl = strlen(key);
    while (fgets(line, sizeof line, f)) if (!strncmp(line, key, kl)) { v = atol(line + kl + 1); break; }
    fclose(f); return v;
}

static int cmpd(const void *a, const void *b) { double x = *(const double *)a, y = *(const double *)b; return (x > y) - (x < y); }

static double pct(const long *hist, long count, double max, double q) {
    if (!count) return 0;
    long want = (long)(q * count + 0.5), seen = 0; if (want < 1) want = 1;
    for (long b = 0; b <= LAT_BUCKETS; b++) { seen += hist[b]; if (seen >= want) return (b + 1) * LAT_STEP_US / 1000.0; }
    return max / 1000;
}
static double lat_pct(double q) { return pct(lat_hist, lat_count, lat_max, q); }
static double flat_pct(double q) { return pct(flat_hist, flat_count, flat_max, q); }

/* Frames by sequence when the server numbers them, else by length, middle bytes, then stamp. */
static int cmp_record(const void *a, const void *b) {
    const record_t *x = a, *y = b;
    if (x->path != y->path) return x->path < y->path ? -1 : 1;
    if (x->seq != y->seq) return x->seq < y->seq ? -1 : 1;
    if (x->seq < 0) {
        if (x->length != y->length) return x->length < y->length ? -1 : 1;
        if (x->mid != y->mid) return x->mid < y->mid ? -1 : 1;
    }
    return (x->ts > y->ts) - (x->ts < y->ts);
}

/* Frame latency: each part's arrival minus the earliest stamp of its frame's send round. Parts of one frame
 * are adjacent after the sort, in stamp order; without sequence numbers, a gap of over 0.5 s between stamps
 * starts another showing of the same JPEG (the bench loops its frames every 2 s); a gap of over half a frame
 * period starts another round. */
static void frame_latency(void) {
    qsort(records, nrecords, sizeof *records, cmp_record);
    double first = 0;
    for (long i = 0; i < nrecords; i++) {
        record_t *r = &records[i], *p = i ? &records[i - 1] : NULL;
        int same = p && p->path == r->path && p->seq == r->seq && (r->seq >= 0 || (p->length == r->length && p->mid == r->mid && r->ts - p->ts < 0.5));
        if (!same || r->ts - p->ts > 0.5 / fps) first = r->ts;
        double us = (r->arrived - first) * 1e6; if (us < 0) us = 0;
        long b = (long)(us / LAT_STEP_US); if (b > LAT_BUCKETS) b = LAT_BUCKETS;
        flat_hist[b]++; flat_count++; if (us > flat_max) flat_max = us;
    }
}

int main(int argc, char **argv) {
    int port = 0, http10 = 0, server_pid = 0, npaths = 0; const char *paths[MAX_PATHS] = {"/stream"}, *label = "";
    double warmup = 5, duration = 20, rate = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--port") && i + 1 < argc) port = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--clients") && i + 1 < argc) nclients = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--path") && i + 1 < argc && npaths < MAX_PATHS) paths[npaths++] = argv[++i];
        else if (!strcmp(argv[i], "--http10")) http10 = 1;
        else if (!strcmp(argv[i], "--fps") && i + 1 < argc) fps = atof(argv[++i]);
        else if (!strcmp(argv[i], "--warmup") && i + 1 < argc) warmup = atof(argv[++i]);
        else if (!strcmp(argv[i], "--duration") && i + 1 < argc) duration = atof(argv[++i]);
        else if (!strcmp(argv[i], "--connect-rate") && i + 1 < argc) rate = atof(argv[++i]);
        else if (!strcmp(argv[i], "--server-pid") && i + 1 < argc) server_pid = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--label") && i + 1 < argc) label = argv[++i];
        else { fprintf(stderr, "usage: %s --port P --clients N [--path P]... (at most 64) [--http10] [--fps F] [--warmup S] [--duration S] [--connect-rate R] [--server-pid PID] [--label T]\n", argv[0]); return 2; }
    }
    if (port <= 0 || nclients < 1 || nclients > 20000 || duration <= 0) { fprintf(stderr, "mjpeg-load: --port and --clients (1 to 20000) are required\n"); return 2; }
    struct rlimit rl; getrlimit(RLIMIT_NOFILE, &rl);
    if (rl.rlim_cur < (rlim_t)nclients + 64) { fprintf(stderr, "mjpeg-load: ulimit -n %ld is below the %d that %d clients need\n", (long)rl.rlim_cur, nclients + 64, nclients); return 2; }
    signal(SIGPIPE, SIG_IGN);
    if (npaths == 0) npaths = 1;
    static char req[MAX_PATHS][512]; int reqlen[MAX_PATHS];
    for (int k = 0; k < npaths; k++)
        reqlen[k] = snprintf(req[k], sizeof req[k], "GET %s HTTP/1.%d\r\nHost: 127.0.0.1:%d\r\nUser-Agent: mjpeg-load\r\nAccept: */*\r\n\r\n", paths[k], http10 ? 0 : 1, port);
    cl = calloc(nclients, sizeof *cl);
    records = malloc(MAX_RECORDS * sizeof *records);
    if (!records) { fprintf(stderr, "mjpeg-load: out of memory\n"); return 1; }
    unsigned char *buf = malloc(RECV_MAX);
    int ep = epoll_create1(0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    double t_start = now_mono(), t_all_head = 0, t_all_part = 0, t_measure = 0, t_end = 0, hard_end = 0;
    int opened = 0, heads = 0, firsts = 0;
    long ticks0 = 0, ticks1 = 0, user0 = 0, user1 = 0, rss_max = 0; double next_rss = 0;
    struct epoll_event evs[512];
    for (;;) {
        double t = now_mono();
        /* connect phase: all at once, or at the rate */
        int due = rate > 0 ? (int)((t - t_start) * rate) + 1 : nclients; if (due > nclients) due = nclients;
        for (; opened < due; opened++) {
            client_t *c = &cl[opened]; c->last_seq = -1; c->seq = -1; c->path = opened % npaths;
            c->connect_at = now_mono();
            c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
            int one = 1; setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
            if (connect(c->fd, (void *)&a, sizeof a) < 0 && errno != EINPROGRESS) { connect_failures++; close(c->fd); c->fd = -1; c->failed = 1; continue; }
            struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT, .data.u32 = opened}; epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev);
        }
        if (!t_measure) {
            heads = firsts = 0;
            for (int i = 0; i < opened; i++) { heads += cl[i].got_head || cl[i].failed; firsts += cl[i].first_part_at > 0 || cl[i].failed; }
            if (opened == nclients && heads == nclients && !t_all_head) t_all_head = t;
            if (opened == nclients && firsts == nclients && !t_all_part) t_all_part = t;
            double ready = t_all_part ? t_all_part : (t - t_start > 30 ? t : 0);
            if (ready && t - ready >= warmup) {
                measuring = 1; t_measure = t; t_end = t + duration; hard_end = t_end + 60;
                if (server_pid) { ticks0 = proc_ticks(server_pid, &user0); thread_ticks(server_pid, 0); }
                for (int i = 0; i < nclients; i++) { cl[i].frames = cl[i].invalid = cl[i].skipped = cl[i].bytes = 0; }
            }
        }
        if (t_measure && t >= t_end) break;
        if (!t_measure && t - t_start > 30 + warmup + 60) break; /* never hangs */
        if (server_pid && measuring && t >= next_rss) { long r = proc_status_kb(server_pid, "VmRSS:"); if (r > rss_max) rss_max = r; next_rss = t + 0.1; }
        int n = epoll_wait(ep, evs, 512, 10);
        for (int i = 0; i < n; i++) {
            client_t *c = &cl[evs[i].data.u32];
            if (c->fd < 0) continue;
            if (!c->connected && (evs[i].events & (EPOLLOUT | EPOLLERR | EPOLLHUP))) {
                int err = 0; socklen_t el = sizeof err; getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &el);
                if (err || write(c->fd, req[c->path], reqlen[c->path]) != reqlen[c->path]) { connect_failures++; fail(c, ep); continue; }
                c->connected = 1; c->established_at = now_mono();
                struct epoll_event ev = {.events = EPOLLIN, .data.u32 = evs[i].data.u32}; epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
                continue;
            }
            if (evs[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
                ssize_t r = recv(c->fd, buf, RECV_MAX, 0);
                if (r == 0 || (r < 0 && errno != EAGAIN)) {
                    if (!c->done) disconnects++;
                    fail(c, ep); continue;
                }
                if (r < 0) continue;
                if (measuring) c->bytes += r;
                if (feed(c, buf, r) < 0) { protocol_errors++; fail(c, ep); }
            }
        }
    }
    double t_stop = now_mono(), window = t_stop - t_measure;
    if (server_pid && t_measure) { ticks1 = proc_ticks(server_pid, &user1); thread_ticks(server_pid, 1); }
    long hwm = server_pid ? proc_status_kb(server_pid, "VmHWM:") : -1;
    for (int i = 0; i < nclients; i++) if (cl[i].fd >= 0) close(cl[i].fd);
    if (!t_measure) { fprintf(stderr, "mjpeg-load: not every client got a part within the connect phase (%d of %d)\n", firsts, nclients); window = 0; }
    double *f = malloc(nclients * sizeof *f); long frames = 0, invalid = 0, skipped = 0, bytes = 0; int connected = 0;
    for (int i = 0; i < nclients; i++) {
        f[i] = window > 0 ? cl[i].frames / window : 0; frames += cl[i].frames; invalid += cl[i].invalid;
        skipped += cl[i].skipped; bytes += cl[i].bytes; connected += cl[i].got_head;
    }
    qsort(f, nclients, sizeof *f, cmpd);
    frame_latency();
    /* The slowest single connect: from connect() to the handshake done (a dropped SYN shows as a retry, 1 s and
     * more), and to the response head. */
    double est_max = 0, head_max = 0, *heads_ms = malloc(nclients * sizeof *heads_ms);
    int nheads = 0;
    for (int i = 0; i < nclients; i++) {
        if (cl[i].head_at > 0) heads_ms[nheads++] = (cl[i].head_at - cl[i].connect_at) * 1000;
        if (cl[i].established_at > 0 && cl[i].established_at - cl[i].connect_at > est_max) est_max = cl[i].established_at - cl[i].connect_at;
        if (cl[i].head_at > 0 && cl[i].head_at - cl[i].connect_at > head_max) head_max = cl[i].head_at - cl[i].connect_at;
    }
    /* The spread of connect() to response head: one straggler or the whole crowd late. */
    qsort(heads_ms, nheads, sizeof *heads_ms, cmpd);
#define HEAD_PCT(q) (nheads ? heads_ms[(int)((nheads - 1) * (q))] : -1)
    double gbit = window > 0 ? bytes * 8 / window / 1e9 : 0;
    double cpu = window > 0 && server_pid ? (ticks1 - ticks0) / (double)sysconf(_SC_CLK_TCK) / window : 0;
    double user_cpu = window > 0 && server_pid ? (user1 - user0) / (double)sysconf(_SC_CLK_TCK) / window : 0;
    char by_thread[4096] = ""; if (window > 0 && server_pid) thread_json(window, by_thread, sizeof by_thread);
    double delivered = window > 0 ? frames / (nclients * fps * window) : 0;
    struct rusage ru; getrusage(RUSAGE_SELF, &ru);
    printf("{\"label\":\"%s\",\"clients\":%d,\"connected\":%d,\"connect_s\":%.3f,\"connect_ms_max\":{\"established\":%.1f,\"head\":%.1f},\"head_ms\":{\"p50\":%.1f,\"p90\":%.1f,\"p99\":%.1f},\"first_part_s\":%.3f,\"window_s\":%.3f,"
           "\"fps_min\":%.2f,\"fps_p1\":%.2f,\"fps_median\":%.2f,\"fps_max\":%.2f,\"frames\":%ld,\"delivered\":%.4f,\"skipped\":%ld,"
           "\"invalid\":%ld,\"protocol_errors\":%ld,\"disconnects\":%ld,\"connect_failures\":%ld,\"gbit_per_s\":%.3f,"
           "\"latency_ms\":{\"p50\":%.2f,\"p90\":%.2f,\"p99\":%.2f,\"p999\":%.2f,\"max\":%.2f},"
           "\"frame_latency_ms\":{\"p50\":%.2f,\"p90\":%.2f,\"p99\":%.2f,\"p999\":%.2f,\"max\":%.2f},\"records_dropped\":%ld,"
           "\"server_cores\":%.3f,\"server_user_cores\":%.3f,\"server_threads\":{%s},\"server_cpu_s_per_gbit\":%.4f,\"server_rss_mb\":%.1f,\"server_hwm_mb\":%.1f,\"client_cpu_s\":%.2f}\n",
           label, nclients, connected, t_all_head ? t_all_head - t_start : -1, est_max * 1000, head_max * 1000, HEAD_PCT(0.5), HEAD_PCT(0.9), HEAD_PCT(0.99), t_all_part ? t_all_part - t_start : -1, window,
           f[0], f[nclients / 100], f[nclients / 2], f[nclients - 1], frames, delivered, skipped, invalid, protocol_errors,
           disconnects, connect_failures, gbit, lat_pct(0.5), lat_pct(0.9), lat_pct(0.99), lat_pct(0.999), lat_max / 1000,
           flat_pct(0.5), flat_pct(0.9), flat_pct(0.99), flat_pct(0.999), flat_max / 1000, records_dropped,
           cpu, user_cpu, by_thread, gbit > 0 ? cpu / gbit : 0, rss_max / 1024.0, hwm / 1024.0,
           ru.ru_utime.tv_sec + ru.ru_stime.tv_sec + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6);
    (void)hard_end;
    return t_measure ? 0 : 1;
}
