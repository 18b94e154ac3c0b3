/* A small TCP service: listens on 127.0.0.1:8080, answers each connection with a
 * greeting. It prints its ready line once it listens. It installs no SIGTERM handler: as
 * PID 1 in a container it therefore ignores SIGTERM, like many real services. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "greet.h"

int main(void) {
  greet_init();
  int server = socket(AF_INET, SOCK_STREAM, 0);
  int on = 1;
  setsockopt(server, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
  struct sockaddr_in address;
  memset(&address, 0, sizeof address);
  address.sin_family = AF_INET;
  address.sin_port = htons(8080);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (server < 0 || bind(server, (struct sockaddr*)&address, sizeof address) != 0 ||
      listen(server, 16) != 0) {
    perror("greeter: cannot listen on 127.0.0.1:8080");
    return 1;
  }
  printf("greeter: ready on 127.0.0.1:8080\n");
  fflush(stdout);
  for (;;) {
    int client = accept(server, NULL, NULL);
    if (client < 0) continue;
    char reply[128];
    size_t size = greet_format(reply, sizeof reply - 1, "visitor");
    reply[size++] = '\n';
    if (write(client, reply, size) < 0) perror("greeter: write");
    close(client);
  }
}
