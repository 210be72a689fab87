"""The dashboard on its own port: metrics charts, the latest requests with their execution and function logs, and
a Prometheus endpoint (server.py; the page is package data in static/)."""
