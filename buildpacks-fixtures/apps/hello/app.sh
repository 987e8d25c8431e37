#!/bin/sh
# The sample app: prints the known line; "serve" serves public/ with busybox httpd on $PORT.
echo "Hello from the locald fixture app ($GREETING)"
if [ "${1:-}" = serve ]; then
  exec httpd -f -p "${PORT:-8080}" -h "$(dirname "$0")/public"
fi
