# Restore engine benchmark (bench/restore): a source cluster with MinIO and the 10,000-object backup
# of bench/backup, an empty target cluster; prints the floor (N concurrent raw POSTs of the same
# objects), our `restore create` rate, the ratio and peak RSS, and a last line of JSON.
# BENCH_OBJECTS / BENCH_NAMESPACES / BENCH_CONCURRENCY change the size.
.PHONY: bench-restore

bench-restore: build cluster-tools
	tsx bench/restore/main.ts
