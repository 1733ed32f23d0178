#include <stdio.h>
#include <greet.h>

int main(void) {
	printf("Hello from meson, linked with libgreet %s\n", greet_version());
	return 0;
}
