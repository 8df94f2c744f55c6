/* libcont/config.c, compiled into the fuzz targets and their replays (which
 * link neither libcont nor MPI: the parsers need neither). */
#include "config.c"
