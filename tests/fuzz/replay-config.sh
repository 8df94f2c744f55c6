#!/bin/sh
# The config replay alone (tests/fuzz/replay.sh; the sanitizer builds run it).
TARGETS=config exec "${srcdir:-.}/fuzz/replay.sh"
