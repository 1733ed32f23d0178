#include "greet.h"

int main(void) {
	greet("autotools");
	return 0;
}
