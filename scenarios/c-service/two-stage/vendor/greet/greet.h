/* greet: a small vendored library (stands in for a third-party dependency). */
#ifndef GREET_H
#define GREET_H

#include <stddef.h>

/* Writes "<greeting>, <name>!" into out (at most size bytes); returns its length. */
size_t greet_format(char* out, size_t size, const char* name);

/* A table of greetings built at start-up: the service's small amount of real work. */
void greet_init(void);

#endif
