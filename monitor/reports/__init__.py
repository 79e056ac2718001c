"""Reports: metrics for the dashboard, exports (CSV, XLSX, Parquet) and scheduled reports."""
