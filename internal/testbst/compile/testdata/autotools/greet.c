#include <stdio.h>
#include "greet.h"

const char *greet_version(void) { return PACKAGE_VERSION; }

void greet(const char *who) { printf("Hello from %s! (libgreet %s)\n", who, greet_version()); }
