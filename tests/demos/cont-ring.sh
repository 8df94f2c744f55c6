#!/bin/sh
# cont-ring, the quick-start demo, on 2 and 4 ranks.
s="${srcdir:-.}/demos/check-sample.sh"
"$s" 2 1 ../samples/cont-ring 20000 && "$s" 4 1 ../samples/cont-ring 500
