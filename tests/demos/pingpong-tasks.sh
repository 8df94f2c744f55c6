#!/bin/sh
# pingpong-tasks: a token through detached tasks between two ranks.
exec "${srcdir:-.}/demos/check-sample.sh" 2 2 ../samples/pingpong-tasks 2000
