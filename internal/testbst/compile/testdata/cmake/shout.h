void shout(char *s);
