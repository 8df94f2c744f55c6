#!/bin/sh
# A rank SIGKILLed in the middle of a continuation ring (4 ranks, progress
# threads polling): the job must end with a non-zero status by itself, and
# leave no process behind.
exec "${srcdir:-.}/faults/expect-fault.sh" kill-np4 nonzero 4 -m kill -k 1 -n 2000
