/*
 * dutydeskd.c - the county sync server (placeholder until server.c lands).
 */
#include "sync/sync.h"

#include <stdio.h>

int
main(void)
{
	fprintf(stderr, "dutydeskd: not built yet\n");
	return 1;
}
