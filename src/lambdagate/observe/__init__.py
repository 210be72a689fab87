"""What AWS writes and measures about each request, and what the terminal shows (observers of `exchange.Exchange`).

    execution_log  API Gateway's execution log (§4.1): compact records, rendered when read; test-invoke's log
    access_log     the stage's access log format (or CLF) with `$context` variables
    log_groups     the log groups a stage's logs go to (execution, access) and lambdagate's stream names
    log_store      a local CloudWatch Logs under .lambdagate/logs, bounded, surviving restarts
    metrics        Count, 4XXError, 5XXError, Latency, IntegrationLatency per minute (§7); Prometheus text
    recorder       the observer that writes all of the above, off the request's way
    console        the observer that writes the terminal: one line per request, the failed ones' log tail
"""
