#!/bin/sh
# The launcher replay alone (tests/fuzz/replay.sh).
TARGETS=launcher exec "${srcdir:-.}/fuzz/replay.sh"
