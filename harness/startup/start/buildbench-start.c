/* buildbench start stamp: the entrypoint of a measured container. It prints when the
 * container's own process started, on CLOCK_REALTIME (one kernel clock for the host and
 * every container), then becomes the image's entrypoint and command with execvp, so the
 * service keeps PID 1, its environment and its signal handling. Static: it runs in any
 * image of the host's architecture, even one without a libc. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static void write_all(int fd, const char* text, size_t size) {
  while (size > 0) {
    ssize_t n = write(fd, text, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return; /* no reader: the stamp is lost, the service still runs */
    text += n;
    size -= (size_t)n;
  }
}

int main(int argc, char** argv) {
  struct timespec now;
  clock_gettime(CLOCK_REALTIME, &now);
  if (argc < 2) {
    static const char usage[] = "buildbench-start: usage: buildbench-start PROGRAM [ARG]...\n";
    write_all(2, usage, sizeof usage - 1);
    return 127;
  }
  char line[64];
  int size = snprintf(line, sizeof line, "buildbench-start: %lld%09ld\n", (long long)now.tv_sec,
                      (long)now.tv_nsec);
  write_all(1, line, (size_t)size);
  execvp(argv[1], argv + 1);
  int error = errno;
  char message[512];
  size = snprintf(message, sizeof message, "buildbench-start: cannot run '%s': %s\n", argv[1],
                  strerror(error));
  write_all(2, message, (size_t)size);
  return error == ENOENT ? 127 : 126;
}
