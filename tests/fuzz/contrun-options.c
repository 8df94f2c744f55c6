/* contrun/options.c, compiled into the fuzz targets and their replays. */
#include "options.c"
