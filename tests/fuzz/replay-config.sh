#!/bin/sh
# The config replay alone (the one the sanitizer builds run).
TARGETS=config exec "${srcdir:-.}/fuzz/replay.sh"
