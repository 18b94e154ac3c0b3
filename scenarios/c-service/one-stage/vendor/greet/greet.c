/* greet: a small vendored library (stands in for a third-party dependency). */
#include "greet.h"

#include <stdio.h>
#include <string.h>

static char table[256][32];

void greet_init(void) {
  static const char* words[] = {"Hello", "Hi", "Welcome", "Greetings"};
  for (int i = 0; i < 256; ++i) {
    snprintf(table[i], sizeof table[i], "%s #%d", words[i % 4], i);
  }
}

size_t greet_format(char* out, size_t size, const char* name) {
  int n = snprintf(out, size, "%s, %s!", table[strlen(name) % 256], name);
  return n < 0 ? 0 : (size_t)n;
}
