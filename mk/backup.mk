# Backup engine benchmark (bench/backup): its own cluster + MinIO through the harness, 10,000
# ConfigMaps/Secrets; prints the floor (raw paginated LIST), our `backup create` time, the ratio and
# peak RSS, and a last line of JSON. BENCH_OBJECTS / BENCH_NAMESPACES change the size.
.PHONY: bench-backup

bench-backup: build cluster-tools
	tsx bench/backup/main.ts
