#!/bin/sh
# Component "dashboard": the dashboard is served from the server jar, so it is the server build
# (done once when both changed).
exec sh "$(dirname "$0")/build-server.sh"
