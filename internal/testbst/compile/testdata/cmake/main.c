#include <stdio.h>
#include "shout.h"

int main(void) {
	char word[] = "hello";
	shout(word);
	printf("Hello from cmake %s: %s\n", VERSION, word);
	return 0;
}
